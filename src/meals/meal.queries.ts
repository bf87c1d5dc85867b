// The meals feature's SQL, the one place that writes `INSERT INTO meals`: statements, their row shapes and the
// mappers to API objects. The till's statements run as named prepared statements (src/database/prepared.ts).
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { positional, reachSql } from '../auth/access';
import { MEAL_PERIODS, MealPeriod, Verification } from '../common/enums';
import { LocalDate } from '../common/local-date';
import { prepared } from '../database/prepared';
import { DinerStatus } from '../subsidy/subsidy-calculator';
import { PeriodHours } from '../common/enums';
import { SubsidySlot } from './subsidy-slot';

type Db = DataSource | EntityManager;

/** The answer of POST /api/canteens/{id}/meals (SPEC §6), also for a replay of the same Idempotency-Key. */
export interface RecordedMeal {
  id: string;
  mealDate: LocalDate;
  mealPeriod: MealPeriod;
  diner: DinerBrief;
  tier: string;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
  reason: string;
  /** Recorded outside its period's hours at the canteen (the cashier confirmed it). */
  outsideHours: boolean;
  /** Recorded by a till that could not reach the server (SPEC §4 "Offline"). */
  offline: boolean;
}

export interface DinerBrief {
  id: number;
  name: string;
  maskedIdNumber: string;
  age: number;
}

/** A meal as the till's list and the void answer show it. */
export interface MealListItem extends RecordedMeal {
  canteenId: number;
  servedAt: string;
  verification: Verification;
  cashier: { id: number; username: string; name: string };
  voided: { at: string; by: number; reason: string } | null;
  /** Subsidised while the diner's status (not active) was in effect: the claim's DINER_INACTIVE_AT_MEAL (SPEC §5). */
  dinerInactiveAtMeal: boolean;
  /** An operator's explanation of such a meal, which lets it stand (POST /api/meals/{id}/explanation). */
  explanation: MealExplanationView | null;
}

export interface MealExplanationView {
  note: string;
  at: string;
  by: { id: number; name: string };
}

export interface CanteenRow {
  id: number;
  subdistrict_id: number;
  name: string;
  active: boolean;
  breakfast_price_fen: number | null;
  lunch_price_fen: number | null;
  dinner_price_fen: number | null;
  period_hours: PeriodHours;
}

/** The diner's columns of a till look-up, all null when no diner has the ID number or card. */
export interface DinerFields {
  diner_id: number | null;
  diner_name: string | null;
  id_number_masked: string;
  birth_date: string;
  status: DinerStatus;
  status_effective_from: string | null;
}

export type FoundDiner = DinerFields & { diner_id: number; diner_name: string };

/** The one read of a recording: canteen, month lock, an earlier meal of this key, the diner, today's subsidy. */
export interface RecordLookupRow extends CanteenRow, DinerFields {
  locked: boolean;
  existing_id: string | null;
  existing_hash: string | null;
  subsidised: boolean;
}

/** The one read of a quote: canteen, diner, and the meal that already used today's subsidy slot, if any. */
export interface QuoteLookupRow extends CanteenRow, DinerFields {
  subsidised_at: Date | null;
  subsidised_canteen: string | null;
}

export interface MealRow {
  id: string;
  canteen_id: number;
  meal_date: string;
  meal_period: MealPeriod;
  served_at: Date;
  price_fen: number;
  subsidy_fen: number;
  payable_fen: number;
  age: number;
  tier: string;
  reason: string;
  verification: Verification;
  cashier_user_id: number;
  cashier_username: string;
  cashier_name: string;
  outside_hours: boolean;
  offline: boolean;
  voided_at: Date | null;
  voided_by: number | null;
  void_reason: string | null;
  diner_id: number;
  diner_name: string;
  id_number_masked: string;
  inactive_at_meal: boolean;
  explanation: { note: string; at: string; byId: number; byName: string } | null;
}

/** The row a void locks before it checks reach and the cashier's own-meal rule. */
export interface VoidTargetRow {
  id: string;
  subdistrict_id: number;
  canteen_id: number;
  cashier_user_id: number;
  meal_date: string;
  voided_at: Date | null;
}

/** A diner is found by the keyed hash of the ID number or by meal-card number. */
export type DinerKeyColumn = 'id_number_hmac' | 'card_no';

const CANTEEN_COLUMNS = `c.id, c.subdistrict_id, c.name, c.active, c.breakfast_price_fen, c.lunch_price_fen,
  c.dinner_price_fen, c.period_hours`;

/**
 * SPEC §5 DINER_INACTIVE_AT_MEAL, for a meal `m` and its diner `d`: the diner's status (not active) took effect on or
 * before the meal date. The one statement of the rule: the claim's check (claim.queries.ts) uses it too.
 */
export const DINER_INACTIVE_AT_MEAL = `d.status <> 'ACTIVE' AND d.status_effective_from <= m.meal_date`;
// The same, for a meal that carries a subsidy (the flag on a meal, and what an explanation needs).
const INACTIVE_AT_MEAL = `(m.subsidy_fen > 0 AND ${DINER_INACTIVE_AT_MEAL})`;

const MEAL_COLUMNS = `m.id, m.canteen_id, m.meal_date::text AS meal_date, m.meal_period, m.served_at, m.price_fen,
  m.subsidy_fen, m.payable_fen, m.age, m.tier, m.reason, m.verification, m.cashier_user_id, u.username AS cashier_username,
  COALESCE(u.display_name, u.username) AS cashier_name, m.outside_hours, m.offline, m.voided_at, m.voided_by, m.void_reason, d.id AS diner_id, d.name AS diner_name, d.id_number_masked,
  ${INACTIVE_AT_MEAL} AS inactive_at_meal,
  (SELECT jsonb_build_object('note', x.note, 'at', to_char(x.explained_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'byId', x.explained_by, 'byName', COALESCE(xu.display_name, xu.username))
     FROM meal_explanations x JOIN users xu ON xu.id = x.explained_by WHERE x.meal_id = m.id) AS explanation`;

const MEAL_FROM = `meals m JOIN diners d ON d.id = m.diner_id JOIN users u ON u.id = m.cashier_user_id`;

/** The canteen's price of a period in fen, or null when it does not serve it. */
export const priceOf = (c: CanteenRow, period: MealPeriod): number | null =>
  period === 'BREAKFAST' ? c.breakfast_price_fen : period === 'LUNCH' ? c.lunch_price_fen : c.dinner_price_fen;

/** The periods the canteen serves, with their prices. */
export function pricesOf(c: CanteenRow): Partial<Record<MealPeriod, number>> {
  const prices: Partial<Record<MealPeriod, number>> = {};
  for (const p of MEAL_PERIODS) {
    const price = priceOf(c, p);
    if (price !== null) prices[p] = price;
  }
  return prices;
}

export const toListItem = (r: MealRow): MealListItem => ({
  id: String(r.id),
  canteenId: r.canteen_id,
  mealDate: r.meal_date,
  mealPeriod: r.meal_period,
  servedAt: r.served_at.toISOString(),
  diner: { id: r.diner_id, name: r.diner_name, maskedIdNumber: r.id_number_masked, age: r.age },
  tier: r.tier,
  priceFen: r.price_fen,
  subsidyFen: r.subsidy_fen,
  payableFen: r.payable_fen,
  reason: r.reason,
  outsideHours: r.outside_hours,
  offline: r.offline,
  verification: r.verification,
  cashier: { id: r.cashier_user_id, username: r.cashier_username, name: r.cashier_name },
  voided:
    r.voided_at === null ? null : { at: r.voided_at.toISOString(), by: r.voided_by ?? 0, reason: r.void_reason ?? '' },
  dinerInactiveAtMeal: r.inactive_at_meal,
  explanation:
    r.explanation === null
      ? null
      : { note: r.explanation.note, at: r.explanation.at, by: { id: r.explanation.byId, name: r.explanation.byName } },
});

export const toRecorded = (r: MealRow): RecordedMeal => ({
  id: String(r.id),
  mealDate: r.meal_date,
  mealPeriod: r.meal_period,
  diner: { id: r.diner_id, name: r.diner_name, maskedIdNumber: r.id_number_masked, age: r.age },
  tier: r.tier,
  priceFen: r.price_fen,
  subsidyFen: r.subsidy_fen,
  payableFen: r.payable_fen,
  reason: r.reason,
  outsideHours: r.outside_hours,
  offline: r.offline,
});

export async function findRecordLookup(
  db: Db,
  column: DinerKeyColumn,
  p: {
    canteenId: number;
    month: string;
    dinerKey: Buffer | string;
    idempotencyKey: string;
    mealDate: LocalDate;
    slot: SubsidySlot;
  },
): Promise<RecordLookupRow | undefined> {
  const [row] = await prepared<RecordLookupRow>(
    db,
    `meal_record_lookup_${column}`,
    `SELECT ${CANTEEN_COLUMNS},
            EXISTS (SELECT 1 FROM month_locks l WHERE l.subdistrict_id = c.subdistrict_id AND l.month = $2
                       AND l.unlocked_at IS NULL AND (l.canteen_id IS NULL OR l.canteen_id = c.id)) AS locked,
            e.id AS existing_id, e.request_hash AS existing_hash,
            d.id AS diner_id, d.name AS diner_name, d.id_number_masked, d.birth_date::text AS birth_date, d.status,
            d.status_effective_from::text AS status_effective_from,
            EXISTS (SELECT 1 FROM meals s WHERE s.diner_id = d.id AND s.meal_date = $5 AND s.subsidy_slot = $6
                       AND s.subsidy_fen > 0 AND s.voided_at IS NULL) AS subsidised
       FROM canteens c
       LEFT JOIN diners d ON d.${column} = $3 AND d.merged_into_id IS NULL
       LEFT JOIN meals e ON e.canteen_id = c.id AND e.idempotency_key = $4
      WHERE c.id = $1`,
    [p.canteenId, p.month, p.dinerKey, p.idempotencyKey, p.mealDate, p.slot],
  );
  return row;
}

export async function findQuoteLookup(
  db: Db,
  column: DinerKeyColumn,
  p: { canteenId: number; dinerKey: Buffer | string; mealDate: LocalDate; slot: SubsidySlot },
): Promise<QuoteLookupRow | undefined> {
  const [row] = await prepared<QuoteLookupRow>(
    db,
    `meal_quote_lookup_${column}`,
    `SELECT ${CANTEEN_COLUMNS},
            d.id AS diner_id, d.name AS diner_name, d.id_number_masked, d.birth_date::text AS birth_date, d.status,
            d.status_effective_from::text AS status_effective_from,
            s.served_at AS subsidised_at, s.canteen_name AS subsidised_canteen
       FROM canteens c
       LEFT JOIN diners d ON d.${column} = $2 AND d.merged_into_id IS NULL
       LEFT JOIN LATERAL (
         SELECT m.served_at, mc.name AS canteen_name FROM meals m JOIN canteens mc ON mc.id = m.canteen_id
          WHERE m.diner_id = d.id AND m.meal_date = $3 AND m.subsidy_slot = $4
            AND m.subsidy_fen > 0 AND m.voided_at IS NULL
          LIMIT 1) s ON true
      WHERE c.id = $1`,
    [p.canteenId, p.dinerKey, p.mealDate, p.slot],
  );
  return row;
}

/** The columns of a new meal, in the order of MEAL_INSERT_COLUMNS. */
export interface NewMeal {
  subdistrictId: number;
  canteenId: number;
  dinerId: number;
  mealDate: LocalDate;
  mealPeriod: MealPeriod;
  servedAt: Date;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
  age: number;
  tier: string;
  reason: string;
  policyVersionId: number | null;
  subsidySlot: SubsidySlot;
  verification: Verification;
  cashierUserId: number;
  idempotencyKey: string;
  requestHash: string;
  /** Outside its period's hours at the canteen (false when omitted). */
  outsideHours?: boolean;
  /** Recorded by an offline till (false when omitted). */
  offline?: boolean;
}

/** A meal as imports, the demo seed and test fixtures write it: maybe voided already. */
export interface MealInsert extends NewMeal {
  voidedAt?: Date | null;
  voidedBy?: number | null;
  voidReason?: string | null;
  /** When the till sent it; default servedAt (recorded as served, not back-dated). */
  recordedAt?: Date;
}

export const MEAL_INSERT_COLUMNS = `subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen,
    subsidy_fen, payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification,
    cashier_user_id, idempotency_key, request_hash, outside_hours, offline`;

const newMealValues = (m: NewMeal): unknown[] => [
  m.subdistrictId,
  m.canteenId,
  m.dinerId,
  m.mealDate,
  m.mealPeriod,
  m.servedAt,
  m.priceFen,
  m.subsidyFen,
  m.payableFen,
  m.age,
  m.tier,
  m.reason,
  m.policyVersionId,
  m.subsidySlot,
  m.verification,
  m.cashierUserId,
  m.idempotencyKey,
  m.requestHash,
  m.outsideHours ?? false,
  m.offline ?? false,
];

/**
 * The till's write: the meal and its MEAL_RECORDED audit entry in one statement (atomic on its own). Null when a
 * unique index refused the meal (the same Idempotency-Key, or the diner's subsidy slot already used). The month
 * lock is re-checked by the trigger meals_month_not_locked.
 */
export async function insertMealAudited(
  db: Db,
  meal: NewMeal,
  audit: { actorUsername: string; ip: string | null; details: unknown },
): Promise<string | null> {
  const inserted = await prepared<{ id: string }>(
    db,
    'meal_insert_audited',
    `WITH m AS (
       INSERT INTO meals (${MEAL_INSERT_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
       ON CONFLICT DO NOTHING RETURNING id
     ), a AS (
       INSERT INTO audit_log (actor_user_id, actor_username, action, entity_type, entity_id, subdistrict_id,
           canteen_id, ip, details)
       SELECT $16, $21, 'MEAL_RECORDED', 'meal', m.id::text, $1, $2, $22, $23 FROM m
     )
     SELECT id FROM m`,
    [...newMealValues(meal), audit.actorUsername, audit.ip, audit.details],
  );
  return inserted[0]?.id ?? null;
}

/** What an offline meal's conflict adds to the meal (written only when `underCollectedFen` > 0). */
export interface OfflineConflictPart {
  idNumberMasked: string;
  offlineSince: Date;
  provisionalSubsidyFen: number;
  underCollectedFen: number;
}

/**
 * An offline till's meal (SPEC §4 "Offline"): the meal, its audit entry and — when the server's subsidy is lower than
 * the till's provisional one — its offline conflict, in one statement, so a cut-off send leaves all or nothing and
 * its replay finds the meal with its conflict. Null as insertMealAudited.
 */
export async function insertOfflineMealAudited(
  db: Db,
  meal: NewMeal,
  conflict: OfflineConflictPart,
  audit: { actorUsername: string; ip: string | null; details: unknown },
): Promise<string | null> {
  const inserted = await prepared<{ id: string }>(
    db,
    'meal_insert_offline_audited',
    `WITH m AS (
       INSERT INTO meals (${MEAL_INSERT_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
       ON CONFLICT DO NOTHING RETURNING id
     ), a AS (
       INSERT INTO audit_log (actor_user_id, actor_username, action, entity_type, entity_id, subdistrict_id,
           canteen_id, ip, details)
       SELECT $16, $21, 'MEAL_RECORDED', 'meal', m.id::text, $1, $2, $22, $23 FROM m
     ), c AS (
       INSERT INTO offline_conflicts (subdistrict_id, canteen_id, meal_id, id_number_masked, meal_date, meal_period,
           served_at, offline_since, price_fen, provisional_subsidy_fen, subsidy_fen, under_collected_fen, reason,
           cashier_user_id, idempotency_key, request_hash)
       SELECT $1, $2, m.id, $24, $4, $5, $6, $25, $7, $26, $8, $27, $12, $16, $17, $18 FROM m WHERE $27::int > 0
     )
     SELECT id FROM m`,
    [
      ...newMealValues(meal),
      audit.actorUsername,
      audit.ip,
      audit.details,
      conflict.idNumberMasked,
      conflict.offlineSince,
      conflict.provisionalSubsidyFen,
      conflict.underCollectedFen,
    ],
  );
  return inserted[0]?.id ?? null;
}

const BATCH_TYPES = [
  'int',
  'int',
  'int',
  'date',
  'text',
  'timestamptz',
  'int',
  'int',
  'int',
  'int',
  'text',
  'text',
  'int',
  'text',
  'text',
  'int',
  'text',
  'text',
  'bool',
  'bool',
  'timestamptz',
  'int',
  'text',
  'timestamptz',
];

/**
 * Meals written without the till (the demo seed, test fixtures), in one set-based statement. `skipConflicts`
 * leaves out meals whose idempotency key or subsidy slot is taken (ON CONFLICT DO NOTHING). Answers the new ids.
 */
export async function insertMeals(
  db: Db,
  meals: readonly MealInsert[],
  options: { skipConflicts: boolean },
): Promise<string[]> {
  if (meals.length === 0) return [];
  const rows = meals.map((m) => [
    ...newMealValues(m),
    m.voidedAt ?? null,
    m.voidedBy ?? null,
    m.voidReason ?? null,
    m.recordedAt ?? m.servedAt,
  ]);
  const columns = BATCH_TYPES.map((_, i) => rows.map((r) => r[i]));
  const inserted: { id: string }[] = await db.query(
    `INSERT INTO meals (${MEAL_INSERT_COLUMNS}, voided_at, voided_by, void_reason, recorded_at)
     SELECT * FROM unnest(${BATCH_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
     ${options.skipConflicts ? 'ON CONFLICT DO NOTHING' : ''} RETURNING id`,
    columns,
  );
  return inserted.map((r) => String(r.id));
}

export async function findMealByKey(
  db: Db,
  canteenId: number,
  key: string,
): Promise<{ id: string; request_hash: string } | undefined> {
  const [row] = await prepared<{ id: string; request_hash: string }>(
    db,
    'meal_by_key',
    `SELECT id, request_hash FROM meals WHERE canteen_id = $1 AND idempotency_key = $2`,
    [canteenId, key],
  );
  return row;
}

export async function findMeal(db: Db, id: string): Promise<MealRow | undefined> {
  const [row]: MealRow[] = await db.query(`SELECT ${MEAL_COLUMNS} FROM ${MEAL_FROM} WHERE m.id = $1`, [id]);
  return row;
}

/** Locks the meal for the rest of the transaction, so two voids of it apply one after the other. */
export async function lockMealForVoid(m: EntityManager, id: string): Promise<VoidTargetRow | undefined> {
  const [row]: VoidTargetRow[] = await m.query(
    `SELECT id, subdistrict_id, canteen_id, cashier_user_id, meal_date::text AS meal_date, voided_at
       FROM meals WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return row;
}

/** The row an explanation locks: the meal, whether it is one to explain, and whether it has been. */
export interface ExplainTargetRow {
  id: string;
  subdistrict_id: number;
  canteen_id: number;
  meal_date: string;
  voided_at: Date | null;
  inactive_at_meal: boolean;
  explained: boolean;
}

export async function lockMealForExplanation(m: EntityManager, id: string): Promise<ExplainTargetRow | undefined> {
  const [row]: ExplainTargetRow[] = await m.query(
    `SELECT m.id, m.subdistrict_id, m.canteen_id, m.meal_date::text AS meal_date, m.voided_at,
            ${INACTIVE_AT_MEAL} AS inactive_at_meal,
            EXISTS (SELECT 1 FROM meal_explanations x WHERE x.meal_id = m.id) AS explained
       FROM meals m JOIN diners d ON d.id = m.diner_id WHERE m.id = $1 FOR UPDATE OF m`,
    [id],
  );
  return row;
}

export async function insertMealExplanation(
  m: EntityManager,
  e: { mealId: string; subdistrictId: number; canteenId: number; note: string; by: number },
): Promise<void> {
  await m.query(
    `INSERT INTO meal_explanations (meal_id, subdistrict_id, canteen_id, note, explained_by) VALUES ($1, $2, $3, $4, $5)`,
    [e.mealId, e.subdistrictId, e.canteenId, e.note, e.by],
  );
}

/** Sets the one-way void columns (a locked month is refused by the trigger meals_void_month_not_locked). */
export async function markMealVoided(m: EntityManager, id: string, by: number, reason: string): Promise<MealRow> {
  const [row]: MealRow[] = await m.query(
    `WITH v AS (UPDATE meals SET voided_at = now(), voided_by = $2, void_reason = $3 WHERE id = $1 RETURNING *)
     SELECT ${MEAL_COLUMNS} FROM v m JOIN diners d ON d.id = m.diner_id JOIN users u ON u.id = m.cashier_user_id`,
    [id, by, reason],
  );
  return row;
}

export async function findCanteen(db: Db, id: number): Promise<CanteenRow | undefined> {
  const [row] = await prepared<CanteenRow>(
    db,
    'canteen_by_id',
    `SELECT ${CANTEEN_COLUMNS} FROM canteens c WHERE c.id = $1`,
    [id],
  );
  return row;
}

/** What the operator's meal list narrows a canteen's day to (GET /api/canteens/{id}/meals). */
export interface MealListFilter {
  mealPeriod?: MealPeriod;
  tier?: string;
  cashierId?: number;
  /** true: only voided meals; false: only meals that count. */
  voided?: boolean;
  /** true: only meals recorded outside their period's hours; false: only those within. */
  outsideHours?: boolean;
  /** true: only meals an offline till recorded; false: only those recorded online. */
  offline?: boolean;
}

/** The WHERE of a canteen's day with the list's filters, over `meals m`: the one place filters become SQL. */
function mealFilterSql(canteenId: number, day: LocalDate, f: MealListFilter, params: unknown[]): string {
  const bind = positional(params);
  const parts = [`m.canteen_id = ${bind(canteenId)}::int`, `m.meal_date = ${bind(day)}::date`];
  if (f.mealPeriod !== undefined) parts.push(`m.meal_period = ${bind(f.mealPeriod)}`);
  if (f.tier !== undefined) parts.push(`m.tier = ${bind(f.tier)}`);
  if (f.cashierId !== undefined) parts.push(`m.cashier_user_id = ${bind(f.cashierId)}::int`);
  if (f.voided !== undefined) parts.push(f.voided ? 'm.voided_at IS NOT NULL' : 'm.voided_at IS NULL');
  if (f.outsideHours !== undefined) parts.push(`m.outside_hours = ${bind(f.outsideHours)}::boolean`);
  if (f.offline !== undefined) parts.push(`m.offline = ${bind(f.offline)}::boolean`);
  return parts.join(' AND ');
}

/** The meals of one day at one canteen, newest first; a page of them when `page` is given. */
export async function findMealsOfDay(
  db: Db,
  canteenId: number,
  day: LocalDate,
  filter: MealListFilter = {},
  page?: { limit: number; offset: number },
): Promise<MealRow[]> {
  const params: unknown[] = [];
  const where = mealFilterSql(canteenId, day, filter, params);
  const limit = page ? ` LIMIT ${positional(params)(page.limit)} OFFSET ${positional(params)(page.offset)}` : '';
  return db.query(
    `SELECT ${MEAL_COLUMNS} FROM ${MEAL_FROM} WHERE ${where} ORDER BY m.served_at DESC, m.id DESC${limit}`,
    params,
  );
}

/** Sums of a canteen's filtered day by tier, voided or not and subsidised or not: what MealTotals adds up. */
export interface MealSumRow {
  tier: string;
  voided: boolean;
  subsidised: boolean;
  count: number;
  price_fen: string;
  subsidy_fen: string;
  payable_fen: string;
}

export async function sumMealsOfDay(
  db: Db,
  canteenId: number,
  day: LocalDate,
  filter: MealListFilter = {},
): Promise<MealSumRow[]> {
  const params: unknown[] = [];
  const where = mealFilterSql(canteenId, day, filter, params);
  return db.query(
    `SELECT m.tier, m.voided_at IS NOT NULL AS voided, m.subsidy_fen > 0 AS subsidised, count(*)::int AS count,
            sum(m.price_fen) AS price_fen, sum(m.subsidy_fen) AS subsidy_fen, sum(m.payable_fen) AS payable_fen
       FROM meals m WHERE ${where} GROUP BY 1, 2, 3`,
    params,
  );
}

/** The active canteens within the caller's reach, for the till page. */
export async function findTillCanteens(db: Db, user: AuthUser): Promise<CanteenRow[]> {
  const params: unknown[] = [];
  const reach = reachSql(user, { subdistrict: 'c.subdistrict_id', canteen: 'c.id' }, positional(params));
  return db.query(`SELECT ${CANTEEN_COLUMNS} FROM canteens c WHERE c.active AND ${reach} ORDER BY c.id`, params);
}
