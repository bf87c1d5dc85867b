import type { DataSource, EntityManager } from 'typeorm';
import { Role } from '../common/enums';

// The SQL of users: the list and the one user as the API shows them, the writes of the users service and the first
// admin of the bootstrap. Typed rows, one mapper.

type Db = DataSource | EntityManager;

export interface UserView {
  id: number;
  username: string;
  displayName: string | null;
  role: Role;
  /** Null for a reviewer, whose scope is a district. */
  subdistrictId: number | null;
  /** A reviewer's district; null for every other role. */
  districtId: number | null;
  canteenIds: number[];
  active: boolean;
  createdAt: Date;
}

export interface UserRow {
  id: number;
  username: string;
  display_name: string | null;
  role: Role;
  subdistrict_id: number | null;
  district_id: number | null;
  canteen_ids: number[];
  active: boolean;
  created_at: Date;
}

/** UNIQUE users (username), migration Foundation. */
export const USERNAME_KEY = 'users_username_key';

const SELECT_USERS = `
  SELECT u.id, u.username, u.display_name, u.role, u.subdistrict_id, u.district_id, u.active, u.created_at,
         COALESCE(array_agg(uc.canteen_id ORDER BY uc.canteen_id) FILTER (WHERE uc.canteen_id IS NOT NULL), '{}') AS canteen_ids
    FROM users u LEFT JOIN user_canteens uc ON uc.user_id = u.id`;

export const toUserView = (r: UserRow): UserView => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  subdistrictId: r.subdistrict_id,
  districtId: r.district_id,
  canteenIds: r.canteen_ids.map(Number),
  active: r.active,
  createdAt: r.created_at,
});

/** Narrows a list of users to a district (its reviewers and the staff of its sub-districts) or a sub-district. */
export interface UserScopeFilter {
  districtId?: number;
  subdistrictId?: number;
}

function scopeFilterSql(filter: UserScopeFilter, params: unknown[]): string[] {
  const where: string[] = [];
  if (filter.subdistrictId !== undefined) {
    params.push(filter.subdistrictId);
    where.push(`u.subdistrict_id = $${params.length}::int`);
  }
  if (filter.districtId !== undefined) {
    params.push(filter.districtId);
    const d = `$${params.length}::int`;
    where.push(`(u.district_id = ${d} OR u.subdistrict_id IN (SELECT id FROM subdistricts WHERE district_id = ${d}))`);
  }
  return where;
}

export async function listAllUsers(db: Db, filter: UserScopeFilter = {}): Promise<UserRow[]> {
  const params: unknown[] = [];
  const where = scopeFilterSql(filter, params);
  return db.query(
    `${SELECT_USERS} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY u.id ORDER BY u.id`,
    params,
  );
}

/** The cashiers of the sub-district who work at one of these canteens (what an operator manages). */
export async function listCashiersOf(
  db: Db,
  subdistrictId: number | null,
  canteenIds: number[],
  filter: UserScopeFilter = {},
): Promise<UserRow[]> {
  const params: unknown[] = [subdistrictId, canteenIds];
  const where = [
    `u.role = 'CASHIER' AND u.subdistrict_id = $1`,
    `EXISTS (SELECT 1 FROM user_canteens x WHERE x.user_id = u.id AND x.canteen_id = ANY($2::int[]))`,
    ...scopeFilterSql(filter, params),
  ];
  return db.query(`${SELECT_USERS} WHERE ${where.join(' AND ')} GROUP BY u.id ORDER BY u.id`, params);
}

export async function findUserRow(db: Db, id: number): Promise<UserRow | undefined> {
  const [row]: UserRow[] = await db.query(`${SELECT_USERS} WHERE u.id = $1 GROUP BY u.id`, [id]);
  return row;
}

export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM users WHERE username = $1`, [username]);
  return rows.length > 0;
}

export interface NewUser {
  username: string;
  passwordHash: string;
  role: Role;
  subdistrictId: number | null;
  districtId: number | null;
  displayName: string | null;
  createdBy: number | null;
}

export async function insertUser(db: Db, u: NewUser): Promise<number> {
  const [row]: { id: number }[] = await db.query(
    `INSERT INTO users (username, password_hash, role, subdistrict_id, district_id, display_name, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [u.username, u.passwordHash, u.role, u.subdistrictId, u.districtId, u.displayName, u.createdBy],
  );
  return row.id;
}

/** Locks the user's row for the rest of the transaction. */
export async function lockUser(m: EntityManager, id: number): Promise<void> {
  await m.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [id]);
}

export async function updateUser(
  m: EntityManager,
  id: number,
  set: { active?: boolean; passwordHash?: string; displayName?: string | null },
): Promise<void> {
  if (set.active !== undefined) {
    await m.query(`UPDATE users SET active = $2, updated_at = now() WHERE id = $1`, [id, set.active]);
  }
  if (set.passwordHash !== undefined) {
    await m.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, [id, set.passwordHash]);
  }
  if (set.displayName !== undefined) {
    await m.query(`UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1`, [id, set.displayName]);
  }
}

/** Replaces (or, with `replace: false`, adds to) the canteens of a cashier or operator. */
export async function setUserCanteens(
  m: EntityManager,
  userId: number,
  canteenIds: number[],
  opts: { replace: boolean },
): Promise<void> {
  if (opts.replace) await m.query(`DELETE FROM user_canteens WHERE user_id = $1`, [userId]);
  if (canteenIds.length === 0) return;
  await m.query(`INSERT INTO user_canteens (user_id, canteen_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING`, [
    userId,
    canteenIds,
  ]);
}

/** Ends every open session of the user (deactivation, password reset). */
export async function revokeSessions(m: EntityManager, userId: number): Promise<void> {
  await m.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
}

export async function subdistrictExists(db: Db, id: number): Promise<boolean> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM subdistricts WHERE id = $1`, [id]);
  return rows.length > 0;
}

export async function districtExists(db: Db, id: number): Promise<boolean> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM districts WHERE id = $1`, [id]);
  return rows.length > 0;
}

// ---- the bootstrap (SPEC §6) -------------------------------------------------------------------------------------

// An arbitrary constant: serialises the bootstrap of several API processes starting at once.
const BOOTSTRAP_LOCK = 7_150_200_001;

export async function lockBootstrap(m: EntityManager): Promise<void> {
  await m.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
}

export async function countUsers(m: EntityManager): Promise<number> {
  const [{ n }]: { n: number }[] = await m.query('SELECT count(*)::int AS n FROM users');
  return n;
}

/** The sub-district of that name in the district, created when there is none; answers its id. */
export async function ensureSubdistrict(m: EntityManager, name: string, districtId: number): Promise<number> {
  await m.query(`INSERT INTO subdistricts (name, district_id) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
    name,
    districtId,
  ]);
  const [sub]: { id: number }[] = await m.query(`SELECT id FROM subdistricts WHERE name = $1`, [name]);
  return sub.id;
}

/** The bootstrap's audit entry: written before any user exists, so not through AuditService (no actor). */
export async function auditBootstrap(m: EntityManager, adminId: number, subdistrictId: number, details: string) {
  await m.query(
    `INSERT INTO audit_log (action, entity_type, entity_id, subdistrict_id, details) VALUES ('BOOTSTRAP_ADMIN', 'user', $1, $2, $3)`,
    [String(adminId), subdistrictId, details],
  );
}
