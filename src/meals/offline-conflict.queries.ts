// Offline conflicts' SQL (SPEC §4 "Offline"): statements, row shapes and the mapper to the API object. The conflict
// of a registered diner's meal is written with the meal itself (insertOfflineMealAudited in meal.queries.ts).
import { DataSource, EntityManager } from 'typeorm';
import { MealPeriod } from '../common/enums';
import { LocalDate } from '../common/local-date';

type Db = DataSource | EntityManager;

/** An offline conflict as the operator's list, the settle answer and the till's 202 show it. */
export interface OfflineConflictView {
  id: string;
  canteenId: number;
  /** The meal the server recorded; null when the register did not know the diner (this row is the only record). */
  mealId: string | null;
  mealDate: LocalDate;
  mealPeriod: MealPeriod;
  servedAt: string;
  offlineSince: string;
  /** When the till's meal reached the server. */
  receivedAt: string;
  /** The registered diner, or null (not registered when the meal arrived). */
  diner: { id: number; name: string } | null;
  maskedIdNumber: string;
  priceFen: number;
  provisionalSubsidyFen: number;
  subsidyFen: number;
  /** What the canteen did not collect from the diner: provisional − server's subsidy. */
  underCollectedFen: number;
  /** The server's reason (ALREADY_SUBSIDISED, NOT_ELIGIBLE, UNDER_AGE, NO_POLICY, TIER_…) or NOT_REGISTERED. */
  reason: string;
  /** The meal was voided since (it then counts nowhere; the money question may remain). */
  mealVoided: boolean;
  cashier: { id: number; username: string; name: string };
  settled: { at: string; by: number; byUsername: string; note: string } | null;
}

interface ConflictRow {
  id: string;
  canteen_id: number;
  meal_id: string | null;
  meal_date: string;
  meal_period: MealPeriod;
  served_at: Date;
  offline_since: Date;
  created_at: Date;
  diner_id: number | null;
  diner_name: string | null;
  id_number_masked: string;
  price_fen: number;
  provisional_subsidy_fen: number;
  subsidy_fen: number;
  under_collected_fen: number;
  reason: string;
  meal_voided: boolean;
  cashier_user_id: number;
  cashier_username: string;
  cashier_name: string;
  settled_at: Date | null;
  settled_by: number | null;
  settled_by_username: string | null;
  settle_note: string | null;
}

const CONFLICT_SELECT = `
  SELECT oc.id, oc.canteen_id, oc.meal_id, oc.meal_date::text AS meal_date, oc.meal_period, oc.served_at,
         oc.offline_since, oc.created_at, d.id AS diner_id, d.name AS diner_name, oc.id_number_masked, oc.price_fen,
         oc.provisional_subsidy_fen, oc.subsidy_fen, oc.under_collected_fen, oc.reason,
         COALESCE(m.voided_at IS NOT NULL, false) AS meal_voided, oc.cashier_user_id, u.username AS cashier_username,
         COALESCE(u.display_name, u.username) AS cashier_name, oc.settled_at, oc.settled_by,
         su.username AS settled_by_username, oc.settle_note
    FROM offline_conflicts oc
    JOIN users u ON u.id = oc.cashier_user_id
    LEFT JOIN meals m ON m.id = oc.meal_id
    LEFT JOIN diners d ON d.id = m.diner_id
    LEFT JOIN users su ON su.id = oc.settled_by`;

export const toConflictView = (r: ConflictRow): OfflineConflictView => ({
  id: String(r.id),
  canteenId: r.canteen_id,
  mealId: r.meal_id === null ? null : String(r.meal_id),
  mealDate: r.meal_date,
  mealPeriod: r.meal_period,
  servedAt: r.served_at.toISOString(),
  offlineSince: r.offline_since.toISOString(),
  receivedAt: r.created_at.toISOString(),
  diner: r.diner_id === null ? null : { id: r.diner_id, name: r.diner_name ?? '' },
  maskedIdNumber: r.id_number_masked,
  priceFen: r.price_fen,
  provisionalSubsidyFen: r.provisional_subsidy_fen,
  subsidyFen: r.subsidy_fen,
  underCollectedFen: r.under_collected_fen,
  reason: r.reason,
  mealVoided: r.meal_voided,
  cashier: { id: r.cashier_user_id, username: r.cashier_username, name: r.cashier_name },
  settled:
    r.settled_at === null
      ? null
      : {
          at: r.settled_at.toISOString(),
          by: r.settled_by ?? 0,
          byUsername: r.settled_by_username ?? '',
          note: r.settle_note ?? '',
        },
});

/** The conflict a till's Idempotency-Key made at a canteen, if any (the replay of an offline meal). */
export async function findConflictByKey(
  db: Db,
  canteenId: number,
  key: string,
): Promise<{ id: string; meal_id: string | null; request_hash: string } | undefined> {
  const [row]: { id: string; meal_id: string | null; request_hash: string }[] = await db.query(
    `SELECT id, meal_id, request_hash FROM offline_conflicts WHERE canteen_id = $1 AND idempotency_key = $2`,
    [canteenId, key],
  );
  return row;
}

export async function findConflict(db: Db, id: string): Promise<OfflineConflictView | undefined> {
  const [row]: ConflictRow[] = await db.query(`${CONFLICT_SELECT} WHERE oc.id = $1`, [id]);
  return row && toConflictView(row);
}

/** A canteen's conflicts, newest meal first; settled or not when asked. At most `limit`. */
export async function listConflicts(
  db: Db,
  canteenId: number,
  settled: boolean | undefined,
  page: { offset: number; limit: number },
): Promise<{ items: OfflineConflictView[]; total: number }> {
  const where = `oc.canteen_id = $1 AND ($2::boolean IS NULL OR (oc.settled_at IS NOT NULL) = $2::boolean)`;
  const rows: ConflictRow[] = await db.query(
    `${CONFLICT_SELECT} WHERE ${where} ORDER BY oc.served_at DESC, oc.id DESC LIMIT $3 OFFSET $4`,
    [canteenId, settled ?? null, page.limit, page.offset],
  );
  const [{ n }]: { n: string }[] = await db.query(`SELECT count(*) AS n FROM offline_conflicts oc WHERE ${where}`, [
    canteenId,
    settled ?? null,
  ]);
  return { items: rows.map(toConflictView), total: Number(n) };
}

/** The meal of a diner the register does not know, kept as a conflict row (no meal row: a meal needs a diner). */
export interface UnregisteredConflict {
  subdistrictId: number;
  canteenId: number;
  idNumberHmac: Buffer;
  idNumberMasked: string;
  mealDate: LocalDate;
  mealPeriod: MealPeriod;
  servedAt: Date;
  offlineSince: Date;
  priceFen: number;
  provisionalSubsidyFen: number;
  cashierUserId: number;
  idempotencyKey: string;
  requestHash: string;
}

/**
 * Writes the conflict and its OFFLINE_CONFLICT_RECORDED audit entry in one statement. Null when the canteen's
 * Idempotency-Key is taken (a copy of this request won).
 */
export async function insertUnregisteredConflict(
  db: Db,
  c: UnregisteredConflict,
  audit: { actorUsername: string; ip: string | null; details: unknown },
): Promise<string | null> {
  const rows: { id: string }[] = await db.query(
    `WITH c AS (
       INSERT INTO offline_conflicts (subdistrict_id, canteen_id, meal_id, id_number_hmac, id_number_masked, meal_date,
           meal_period, served_at, offline_since, price_fen, provisional_subsidy_fen, subsidy_fen, under_collected_fen,
           reason, cashier_user_id, idempotency_key, request_hash)
       VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, 0, $10, 'NOT_REGISTERED', $11, $12, $13)
       ON CONFLICT DO NOTHING RETURNING id
     ), a AS (
       INSERT INTO audit_log (actor_user_id, actor_username, action, entity_type, entity_id, subdistrict_id,
           canteen_id, ip, details)
       SELECT $11, $14, 'OFFLINE_CONFLICT_RECORDED', 'offline_conflict', c.id::text, $1, $2, $15, $16 FROM c
     )
     SELECT id FROM c`,
    [
      c.subdistrictId,
      c.canteenId,
      c.idNumberHmac,
      c.idNumberMasked,
      c.mealDate,
      c.mealPeriod,
      c.servedAt,
      c.offlineSince,
      c.priceFen,
      c.provisionalSubsidyFen,
      c.cashierUserId,
      c.idempotencyKey,
      c.requestHash,
      audit.actorUsername,
      audit.ip,
      audit.details,
    ],
  );
  return rows[0]?.id ?? null;
}

/** The row a settle locks before it checks reach. */
export interface SettleTargetRow {
  id: string;
  canteen_id: number;
  subdistrict_id: number;
  settled_at: Date | null;
}

export async function lockConflictForSettle(m: EntityManager, id: string): Promise<SettleTargetRow | undefined> {
  const [row]: SettleTargetRow[] = await m.query(
    `SELECT id, canteen_id, subdistrict_id, settled_at FROM offline_conflicts WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return row;
}

export async function markConflictSettled(m: EntityManager, id: string, by: number, note: string): Promise<void> {
  await m.query(`UPDATE offline_conflicts SET settled_at = now(), settled_by = $2, settle_note = $3 WHERE id = $1`, [
    id,
    by,
    note,
  ]);
}
