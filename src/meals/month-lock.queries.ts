// The month lock's SQL (SPEC §3). Locks and meals are ordered by one transaction-scoped advisory lock on
// monthLockKey(subdistrictId, month); the meals trigger (migration MealsMonthLockTrigger) takes the same key.
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { positional, reachSql } from '../auth/access';
import { monthLockKey } from './month-lock-key';

type Db = DataSource | EntityManager;

export interface MonthLockView {
  id: number;
  month: string;
  subdistrictId: number;
  canteenId: number | null;
  canteenName: string | null;
  lockedAt: string;
  lockedBy: string;
  active: boolean;
  unlockedAt: string | null;
  unlockedBy: string | null;
  unlockReason: string | null;
}

interface LockRow {
  id: number;
  month: string;
  subdistrict_id: number;
  canteen_id: number | null;
  canteen_name: string | null;
  locked_at: Date;
  locked_by: string;
  unlocked_at: Date | null;
  unlocked_by: string | null;
  unlock_reason: string | null;
}

const SELECT_LOCKS = `SELECT l.id, l.month, l.subdistrict_id, l.canteen_id, c.name AS canteen_name, l.locked_at,
    lu.username AS locked_by, l.unlocked_at, uu.username AS unlocked_by, l.unlock_reason
  FROM month_locks l LEFT JOIN canteens c ON c.id = l.canteen_id
  JOIN users lu ON lu.id = l.locked_by LEFT JOIN users uu ON uu.id = l.unlocked_by`;

const toView = (r: LockRow): MonthLockView => ({
  id: r.id,
  month: r.month,
  subdistrictId: r.subdistrict_id,
  canteenId: r.canteen_id,
  canteenName: r.canteen_name,
  lockedAt: r.locked_at.toISOString(),
  lockedBy: r.locked_by,
  active: r.unlocked_at === null,
  unlockedAt: r.unlocked_at?.toISOString() ?? null,
  unlockedBy: r.unlocked_by,
  unlockReason: r.unlock_reason,
});

/** Exclusive until the transaction ends: waits for meals being written into the month, then keeps new ones out. */
export async function takeMonthLockKey(m: EntityManager, subdistrictId: number, month: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))::text`, [monthLockKey(subdistrictId, month)]);
}

/**
 * An active lock that already covers (or is covered by) the one asked for: the whole sub-district's, or the same
 * canteen's. Answers whether it is the whole sub-district's (canteenId null), or undefined when there is none.
 */
export async function findCoveringLock(
  db: Db,
  subdistrictId: number,
  month: string,
  canteenId: number | null,
): Promise<{ canteenId: number | null } | undefined> {
  const [row]: { canteen_id: number | null }[] = await db.query(
    `SELECT canteen_id FROM month_locks WHERE subdistrict_id = $1 AND month = $2 AND unlocked_at IS NULL
        AND (canteen_id IS NULL OR canteen_id = $3) LIMIT 1`,
    [subdistrictId, month, canteenId],
  );
  return row && { canteenId: row.canteen_id };
}

export interface NewMonthLock {
  subdistrictId: number;
  canteenId: number | null;
  month: string;
  lockedBy: number;
}

/** Inserts an active lock and answers its id (unique index `month_locks_active_key`: one active lock per scope). */
export async function insertMonthLock(db: Db, l: NewMonthLock): Promise<number> {
  const [{ id }]: { id: number }[] = await db.query(
    `INSERT INTO month_locks (subdistrict_id, canteen_id, month, locked_by) VALUES ($1, $2, $3, $4) RETURNING id`,
    [l.subdistrictId, l.canteenId, l.month, l.lockedBy],
  );
  return id;
}

/** Lifts the active lock of exactly this scope; answers its id, or undefined when there was none. */
export async function liftMonthLock(
  db: Db,
  scope: { subdistrictId: number; month: string; canteenId: number | null },
  by: number,
  reason: string,
): Promise<number | undefined> {
  const [lock]: { id: number }[] = await db.query(
    // Wrapped in a CTE so the driver answers rows (a bare UPDATE answers [rows, count]).
    `WITH u AS (
       UPDATE month_locks SET unlocked_at = now(), unlocked_by = $4, unlock_reason = $5
        WHERE subdistrict_id = $1 AND month = $2 AND canteen_id IS NOT DISTINCT FROM $3 AND unlocked_at IS NULL
        RETURNING id)
     SELECT id FROM u`,
    [scope.subdistrictId, scope.month, scope.canteenId, by, reason],
  );
  return lock?.id;
}

export async function selectMonthLock(db: Db, id: number): Promise<MonthLockView> {
  const [row]: LockRow[] = await db.query(`${SELECT_LOCKS} WHERE l.id = $1`, [id]);
  return toView(row);
}

/** Every lock of the month within the user's reach, the lifted ones too. */
export async function selectMonthLocks(
  db: Db,
  user: AuthUser,
  month: string,
  filter: { districtId?: number; subdistrictId?: number } = {},
): Promise<MonthLockView[]> {
  const params: unknown[] = [month];
  const bind = positional(params);
  const where = ['l.month = $1', reachSql(user, { subdistrict: 'l.subdistrict_id' }, bind)];
  // A filter narrows the reach, never widens it (out of reach: an empty list, as GET /api/canteens).
  if (filter.subdistrictId !== undefined) where.push(`l.subdistrict_id = ${bind(filter.subdistrictId)}::int`);
  if (filter.districtId !== undefined) {
    where.push(`l.subdistrict_id IN (SELECT id FROM subdistricts WHERE district_id = ${bind(filter.districtId)}::int)`);
  }
  const rows: LockRow[] = await db.query(`${SELECT_LOCKS} WHERE ${where.join(' AND ')} ORDER BY l.id`, params);
  return rows.map(toView);
}

// ---- The lock a submitted claim holds (SPEC §5): taken on submit, lifted on return, never by an admin's unlock. ----

/**
 * The whole sub-district's lock of the month, held by the claim: the active lock finance took by hand is adopted
 * (it is the same lock), else a new one is inserted. Answers the lock's id and whether it was new.
 */
export async function holdMonthLockForClaim(
  m: EntityManager,
  h: { subdistrictId: number; month: string; claimId: number; userId: number },
): Promise<{ id: number; taken: boolean }> {
  const [adopted]: { id: number }[] = await m.query(
    `WITH u AS (
       UPDATE month_locks SET claim_id = $3
        WHERE subdistrict_id = $1 AND month = $2 AND canteen_id IS NULL AND unlocked_at IS NULL AND claim_id IS NULL
        RETURNING id)
     SELECT id FROM u`,
    [h.subdistrictId, h.month, h.claimId],
  );
  if (adopted) return { id: adopted.id, taken: false };
  const [{ id }]: { id: number }[] = await m.query(
    `INSERT INTO month_locks (subdistrict_id, canteen_id, month, locked_by, claim_id)
     VALUES ($1, NULL, $2, $4, $3) RETURNING id`,
    [h.subdistrictId, h.month, h.claimId, h.userId],
  );
  return { id, taken: true };
}

/** Lifts the lock the claim holds; answers its id, or undefined when it holds none. */
export async function releaseClaimMonthLock(
  m: EntityManager,
  claimId: number,
  by: number,
  reason: string,
): Promise<number | undefined> {
  const [lock]: { id: number }[] = await m.query(
    `WITH u AS (
       UPDATE month_locks SET unlocked_at = now(), unlocked_by = $2, unlock_reason = $3
        WHERE claim_id = $1 AND unlocked_at IS NULL
        RETURNING id)
     SELECT id FROM u`,
    [claimId, by, reason],
  );
  return lock?.id;
}

/** The claim (submitted, approved or paid) that holds the active lock of exactly this scope, if any. */
export async function claimHoldingLock(
  db: Db,
  scope: { subdistrictId: number; month: string; canteenId: number | null },
): Promise<{ claimId: number; version: number; reviewStatus: string } | undefined> {
  const [row]: { id: number; version: number; review_status: string }[] = await db.query(
    `SELECT c.id, c.version, c.review_status
       FROM month_locks l JOIN claims c ON c.id = l.claim_id
      WHERE l.subdistrict_id = $1 AND l.month = $2 AND l.canteen_id IS NOT DISTINCT FROM $3 AND l.unlocked_at IS NULL
        AND c.review_status IN ('SUBMITTED', 'APPROVED', 'PAID')`,
    [scope.subdistrictId, scope.month, scope.canteenId],
  );
  return row && { claimId: row.id, version: row.version, reviewStatus: row.review_status };
}

/**
 * Whether a lock covers the meal's month at its canteen, read under the month's advisory lock taken shared (as the
 * meals trigger does): a lock being taken is waited for.
 */
export async function mealMonthLocked(
  m: EntityManager,
  subdistrictId: number,
  canteenId: number,
  month: string,
): Promise<boolean> {
  await m.query(`SELECT pg_advisory_xact_lock_shared(hashtext($1))::text`, [monthLockKey(subdistrictId, month)]);
  const [row]: { locked: boolean }[] = await m.query(
    `SELECT EXISTS (SELECT 1 FROM month_locks WHERE subdistrict_id = $1 AND month = $2 AND unlocked_at IS NULL
                      AND (canteen_id IS NULL OR canteen_id = $3)) AS locked`,
    [subdistrictId, month, canteenId],
  );
  return row.locked;
}
