// The auth feature's SQL: the login look-up, sessions (create, resolve, slide, revoke) and the own-password change.
// The session look-up runs on every request, as a named prepared statement (src/database/prepared.ts).
import { DataSource, EntityManager } from 'typeorm';
import { Role } from '../common/enums';
import { prepared } from '../database/prepared';

type Db = DataSource | EntityManager;

export interface UserRow {
  id: number;
  username: string;
  display_name: string | null;
  role: Role;
  /** null for a reviewer, whose scope is a district. */
  subdistrict_id: number | null;
  district_id: number;
  canteen_ids: number[];
}

// A reviewer's own district, or the district of the user's sub-district.
const DISTRICT_OF_USER = `COALESCE(u.district_id,
  (SELECT sd.district_id FROM subdistricts sd WHERE sd.id = u.subdistrict_id)) AS district_id`;

export interface LoginRow extends UserRow {
  password_hash: string;
  active: boolean;
  known_address: boolean;
}

/** The user behind a live session, with the session's ends (for sliding it). */
export interface SessionRow extends UserRow {
  expires_at: Date;
  absolute_expires_at: Date;
}

/** One statement whether or not the user exists, known address included: timing tells nothing about usernames. */
export async function findLoginUser(
  db: Db,
  username: string,
  ip: string,
  knownAddressDays: number,
): Promise<LoginRow | undefined> {
  const [row]: LoginRow[] = await db.query(
    `SELECT u.id, u.username, u.display_name, u.role, u.subdistrict_id, ${DISTRICT_OF_USER}, u.password_hash, u.active,
            COALESCE(array_agg(uc.canteen_id ORDER BY uc.canteen_id) FILTER (WHERE uc.canteen_id IS NOT NULL), '{}') AS canteen_ids,
            EXISTS (SELECT 1 FROM login_known_addresses k
                     WHERE k.user_id = u.id AND k.ip = $2
                       AND k.last_login_at > now() - make_interval(days => $3)) AS known_address
       FROM users u LEFT JOIN user_canteens uc ON uc.user_id = u.id
      WHERE u.username = $1 GROUP BY u.id`,
    [username, ip, knownAddressDays],
  );
  return row;
}

/** A new session that ends after `idleMinutes` without use, and after `maxHours` whatever happens. */
export async function insertSession(
  db: Db,
  s: { tokenHash: Buffer; userId: number; ip: string | null; idleMinutes: number; maxHours: number },
): Promise<void> {
  await db.query(
    `INSERT INTO sessions (token_hash, user_id, expires_at, absolute_expires_at, ip)
     VALUES ($1, $2, LEAST(now() + make_interval(mins => $3), now() + make_interval(hours => $4)),
             now() + make_interval(hours => $4), $5)`,
    [s.tokenHash, s.userId, s.idleMinutes, s.maxHours, s.ip],
  );
}

/** The user of a live session, read fresh on every request: a deactivated user is out at once. */
export async function findSessionUser(db: Db, tokenHash: Buffer): Promise<SessionRow | undefined> {
  const [row] = await prepared<SessionRow>(
    db,
    'auth_resolve',
    `SELECT u.id, u.username, u.display_name, u.role, u.subdistrict_id, ${DISTRICT_OF_USER},
            s.expires_at, s.absolute_expires_at,
            ARRAY(SELECT uc.canteen_id FROM user_canteens uc WHERE uc.user_id = u.id ORDER BY uc.canteen_id) AS canteen_ids
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active`,
    [tokenHash],
  );
  return row;
}

/** Moves a live session's idle end to `idleMinutes` from now, never past its absolute end. */
export async function slideSession(db: Db, tokenHash: Buffer, idleMinutes: number): Promise<void> {
  await db.query(
    `UPDATE sessions SET expires_at = LEAST(now() + make_interval(mins => $2), absolute_expires_at)
      WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
    [tokenHash, idleMinutes],
  );
}

export async function revokeSession(db: Db, tokenHash: Buffer): Promise<void> {
  await db.query(`UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash]);
}

export async function findPasswordHash(db: Db, userId: number): Promise<string | undefined> {
  const [row]: { password_hash: string }[] = await db.query(`SELECT password_hash FROM users WHERE id = $1`, [userId]);
  return row?.password_hash;
}

/** Sets a new password and ends every other session of the user (the one in use stays). */
export async function setOwnPassword(db: Db, userId: number, hash: string, keepTokenHash: Buffer): Promise<void> {
  await db.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, [userId, hash]);
  await db.query(
    `UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND token_hash <> $2`,
    [userId, keepTokenHash],
  );
}
