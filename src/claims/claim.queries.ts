// The claims feature's SQL: statements, their row shapes and the mappers to API objects. The service, the processor
// and the workbook builder call these; nobody else writes `INSERT INTO claims`.
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { positional, reachSql } from '../auth/access';
import { CanteenType, ClaimEventAction, ClaimStatus, MealPeriod, ReviewStatus, Verification } from '../common/enums';
import { monthBounds, monthOf, todayLocal } from '../common/local-date';
import { DINER_INACTIVE_AT_MEAL } from '../meals/meal.queries';
import type { PolicyTier } from '../subsidy/subsidy-calculator';
import type { ClaimTotals } from './claim-workbook.builder';

type Db = DataSource | EntityManager;

/** What the API answers for a claim. Money in fen. */
export interface ClaimView {
  id: number;
  month: string;
  subdistrictId: number;
  canteenId: number | null;
  canteenName: string | null;
  version: number;
  status: ClaimStatus;
  progress: number;
  /** The workbook's totals once DONE. */
  totals: ClaimTotals | null;
  sha256: string | null;
  fileSize: number | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  /** The month is locked for the claim's scope (the whole sub-district, or its canteen). */
  monthLocked: boolean;
  /** The month has ended (Asia/Shanghai): a claim of a month not yet ended is a preview, never submitted. */
  monthEnded: boolean;
  /** Whether the month was locked for the claim's scope when this version was built (null until its job starts). */
  monthLockedAtBuild: boolean | null;
  /** Whether the month had ended when this version was built — false: a preview (null until its job starts). */
  monthEndedAtBuild: boolean | null;
  /** SHA-256 of the data the workbook was built from (null for claims built before it was recorded). */
  dataSha256: string | null;
  subdistrictName: string;
  /** Who asked for this version (display name or username); null for the monthly automatic claim. */
  requestedBy: string | null;
  /** SPEC §5 review and payment. */
  reviewStatus: ReviewStatus;
  /** The edit checks' findings as they stood when submitted, each with finance's note (null before a submission). */
  acknowledgements: AcknowledgedFinding[] | null;
  submittedAt: Date | null;
  submittedBy: string | null;
  /** The reviewer's reason of the last return. */
  returnReason: string | null;
  /** 'YYYY-MM-DD' once paid. */
  paidOn: string | null;
  paymentReference: string | null;
}

/** An edit check's finding as submitted, with the note that acknowledges it. */
export interface AcknowledgedFinding {
  code: string;
  severity: 'WARN' | 'BLOCK';
  canteenId: number | null;
  canteenName: string | null;
  count: number;
  message: string;
  note: string;
}

export interface ClaimRequest {
  subdistrictId: number;
  canteenId: number | null;
  month: string;
  requestedBy: number | null;
}

interface ClaimRow {
  id: number;
  month: string;
  subdistrict_id: number;
  canteen_id: number | null;
  canteen_name: string | null;
  version: number;
  status: ClaimStatus;
  progress: number;
  totals: ClaimTotals | null; // jsonb written by the claim job (ClaimTotals)
  sha256: string | null;
  file_size: string | null;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
  month_locked: boolean;
  month_locked_at_build: boolean | null;
  month_ended_at_build: boolean | null;
  data_sha256: string | null;
  subdistrict_name: string;
  requested_by_name: string | null;
  review_status: ReviewStatus;
  acknowledgements: AcknowledgedFinding[] | null;
  submitted_at: Date | null;
  submitted_by_name: string | null;
  return_reason: string | null;
  paid_on: string | null;
  payment_reference: string | null;
}

// A month lock of the sub-district covers every canteen; a canteen's lock covers a claim of that canteen.
const LOCKED = (claims: string): string => `EXISTS (SELECT 1 FROM month_locks l
   WHERE l.subdistrict_id = ${claims}.subdistrict_id AND l.month = ${claims}.month AND l.unlocked_at IS NULL
     AND (l.canteen_id IS NULL OR l.canteen_id = ${claims}.canteen_id))`;
// The same, as it stood when the version's (last) attempt started: a lock taken before and not lifted by then.
const LOCKED_AT_BUILD = (claims: string): string => `CASE WHEN ${claims}.started_at IS NOT NULL THEN EXISTS (
  SELECT 1 FROM month_locks l
   WHERE l.subdistrict_id = ${claims}.subdistrict_id AND l.month = ${claims}.month
     AND l.locked_at <= ${claims}.started_at AND (l.unlocked_at IS NULL OR l.unlocked_at > ${claims}.started_at)
     AND (l.canteen_id IS NULL OR l.canteen_id = ${claims}.canteen_id)) END`;
const ENDED_AT_BUILD = (claims: string): string =>
  `${claims}.month < to_char(${claims}.started_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')`;

const SELECT_CLAIM = `SELECT c.id, c.month, c.subdistrict_id, c.canteen_id, cn.name AS canteen_name, c.version, c.status,
       c.progress, c.totals, c.sha256, c.file_size, c.requested_at, c.started_at, c.finished_at, c.error,
       c.data_sha256, ${LOCKED('c')} AS month_locked,
       ${LOCKED_AT_BUILD('c')} AS month_locked_at_build, ${ENDED_AT_BUILD('c')} AS month_ended_at_build, sd.name AS subdistrict_name,
       COALESCE(ru.display_name, ru.username) AS requested_by_name, c.review_status, c.acknowledgements,
       c.submitted_at, COALESCE(su.display_name, su.username) AS submitted_by_name, c.return_reason,
       c.paid_on::text AS paid_on, c.payment_reference
  FROM claims c LEFT JOIN canteens cn ON cn.id = c.canteen_id JOIN subdistricts sd ON sd.id = c.subdistrict_id
  LEFT JOIN users ru ON ru.id = c.requested_by LEFT JOIN users su ON su.id = c.submitted_by`;

const toClaimView = (r: ClaimRow): ClaimView => ({
  id: r.id,
  month: r.month,
  subdistrictId: r.subdistrict_id,
  canteenId: r.canteen_id,
  canteenName: r.canteen_name,
  version: r.version,
  status: r.status,
  progress: r.progress,
  totals: r.totals,
  sha256: r.sha256,
  fileSize: r.file_size === null ? null : Number(r.file_size),
  requestedAt: r.requested_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error,
  monthLocked: r.month_locked,
  monthEnded: r.month < monthOf(todayLocal()),
  monthLockedAtBuild: r.month_locked_at_build,
  monthEndedAtBuild: r.month_ended_at_build,
  dataSha256: r.data_sha256,
  subdistrictName: r.subdistrict_name,
  requestedBy: r.requested_by_name,
  reviewStatus: r.review_status,
  acknowledgements: r.acknowledgements,
  submittedAt: r.submitted_at,
  submittedBy: r.submitted_by_name,
  returnReason: r.return_reason,
  paidOn: r.paid_on,
  paymentReference: r.payment_reference,
});

const ACTIVE: ClaimStatus[] = ['QUEUED', 'RUNNING'];

// SPEC §2: finance and admin see the sub-district's claims; operators only claims of their own canteens (not
// the sub-district's, whose canteen_id is NULL).
const reach = (user: AuthUser, params: unknown[]): string =>
  reachSql(user, { subdistrict: 'c.subdistrict_id', canteen: 'c.canteen_id' }, positional(params));

/** The QUEUED or RUNNING claim of the request's scope and month, if any. */
export async function findActiveClaimId(m: Db, req: ClaimRequest): Promise<number | null> {
  const [active]: { id: number }[] = await m.query(
    `SELECT id FROM claims WHERE subdistrict_id = $1 AND COALESCE(canteen_id, 0) = COALESCE($2::int, 0)
       AND month = $3 AND status = ANY($4)`,
    [req.subdistrictId, req.canteenId, req.month, ACTIVE],
  );
  return active?.id ?? null;
}

/** The latest version of the scope's claim: its status and the SHA-256 of its data. */
export async function latestClaim(
  m: Db,
  req: Pick<ClaimRequest, 'subdistrictId' | 'canteenId' | 'month'>,
): Promise<{ id: number; status: ClaimStatus; dataSha256: string | null; filePath: string | null } | null> {
  const [row]: { id: number; status: ClaimStatus; data_sha256: string | null; file_path: string | null }[] =
    await m.query(
      `SELECT id, status, data_sha256, file_path FROM claims
      WHERE subdistrict_id = $1 AND COALESCE(canteen_id, 0) = COALESCE($2::int, 0) AND month = $3
      ORDER BY version DESC LIMIT 1`,
      [req.subdistrictId, req.canteenId, req.month],
    );
  return row ? { id: row.id, status: row.status, dataSha256: row.data_sha256, filePath: row.file_path } : null;
}

/** The next version of the scope's claim (a unique violation of claims_one_active_key when one is running). */
export async function insertClaimVersion(m: Db, req: ClaimRequest): Promise<number> {
  const [row]: { id: number }[] = await m.query(
    `INSERT INTO claims (subdistrict_id, canteen_id, month, version, requested_by)
     SELECT $1, $2, $3, COALESCE(MAX(version), 0) + 1, $4 FROM claims
      WHERE subdistrict_id = $1 AND COALESCE(canteen_id, 0) = COALESCE($2::int, 0) AND month = $3
     RETURNING id`,
    [req.subdistrictId, req.canteenId, req.month, req.requestedBy],
  );
  return row.id;
}

/** Ids of every QUEUED or RUNNING claim, oldest first. */
export async function activeClaimIds(db: Db): Promise<number[]> {
  const rows: { id: number }[] = await db.query(`SELECT id FROM claims WHERE status = ANY($1) ORDER BY id`, [ACTIVE]);
  return rows.map((r) => r.id);
}

/**
 * One page of the claims within the user's reach, newest month first, then scope, then version desc, and how many
 * there are in all (one statement). Filtered by review status (the reviewer's queue), the oldest submission first.
 * A district or sub-district filter narrows the reach, never widens it: out of reach, the page is empty.
 */
export async function listClaims(
  db: Db,
  user: AuthUser,
  filter: { month?: string; reviewStatus?: ReviewStatus; districtId?: number; subdistrictId?: number },
  page: { offset: number; limit: number },
): Promise<{ items: ClaimView[]; total: number }> {
  const where = (params: unknown[]): string => {
    const bind = positional(params);
    const parts = [
      `(${bind(filter.month ?? null)}::text IS NULL OR c.month = ${bind(filter.month ?? null)})`,
      `(${bind(filter.reviewStatus ?? null)}::text IS NULL OR c.review_status = ${bind(filter.reviewStatus ?? null)})`,
      reach(user, params),
    ];
    if (filter.subdistrictId !== undefined) parts.push(`c.subdistrict_id = ${bind(filter.subdistrictId)}::int`);
    if (filter.districtId !== undefined) {
      parts.push(
        `c.subdistrict_id IN (SELECT id FROM subdistricts WHERE district_id = ${bind(filter.districtId)}::int)`,
      );
    }
    return parts.join(' AND ');
  };
  const params: unknown[] = [];
  const whereSql = where(params);
  const bindPage = positional(params);
  const order =
    filter.reviewStatus === undefined
      ? 'c.month DESC, COALESCE(c.canteen_id, 0), c.version DESC'
      : 'c.submitted_at NULLS LAST, c.month, c.id';
  const rows: (ClaimRow & { total: string })[] = await db.query(
    `${SELECT_CLAIM.replace('SELECT c.id,', 'SELECT count(*) OVER () AS total, c.id,')}
      WHERE ${whereSql}
     ORDER BY ${order} LIMIT ${bindPage(page.limit)} OFFSET ${bindPage(page.offset)}`,
    params,
  );
  // A page past the end has no row to carry the total: count again (rare; a pager never asks for it).
  if (rows.length === 0 && page.offset > 0) {
    const countParams: unknown[] = [];
    const [{ n }]: { n: string }[] = await db.query(
      `SELECT count(*) AS n FROM claims c WHERE ${where(countParams)}`,
      countParams,
    );
    return { items: [], total: Number(n) };
  }
  return { items: rows.map(toClaimView), total: rows.length === 0 ? 0 : Number(rows[0].total) };
}

/** Whether the claim exists and lies within the user's reach. */
export async function claimInReach(db: Db, user: AuthUser, id: number): Promise<boolean> {
  const params: unknown[] = [id];
  const [row]: unknown[] = await db.query(`SELECT 1 FROM claims c WHERE c.id = $1 AND ${reach(user, params)}`, params);
  return row !== undefined;
}

export async function claimById(db: Db, id: number): Promise<ClaimView | null> {
  const [r]: ClaimRow[] = await db.query(`${SELECT_CLAIM} WHERE c.id = $1`, [id]);
  return r ? toClaimView(r) : null;
}

/** The finished claim whose file has this SHA-256 and lies within the user's reach. */
export async function claimIdBySha256(db: Db, user: AuthUser, sha256: string): Promise<number | null> {
  const params: unknown[] = [sha256];
  const [row]: { id: number }[] = await db.query(
    `SELECT c.id FROM claims c WHERE c.sha256 = $1 AND c.status = 'DONE' AND ${reach(user, params)}
      ORDER BY c.id LIMIT 1`,
    params,
  );
  return row?.id ?? null;
}

/** What the worker needs of a claim to build it. */
export interface ClaimBuildRow {
  id: number;
  subdistrictId: number;
  canteenId: number | null;
  month: string;
  version: number;
  status: ClaimStatus;
  filePath: string | null;
}

export async function claimForBuild(db: Db, id: number): Promise<ClaimBuildRow | null> {
  const [r]: {
    id: number;
    subdistrict_id: number;
    canteen_id: number | null;
    month: string;
    version: number;
    status: ClaimStatus;
    file_path: string | null;
  }[] = await db.query(
    `SELECT id, subdistrict_id, canteen_id, month, version, status, file_path FROM claims WHERE id = $1`,
    [id],
  );
  return r
    ? {
        id: r.id,
        subdistrictId: r.subdistrict_id,
        canteenId: r.canteen_id,
        month: r.month,
        version: r.version,
        status: r.status,
        filePath: r.file_path,
      }
    : null;
}

export async function subdistrictName(db: Db, id: number): Promise<string> {
  const [sub]: { name: string }[] = await db.query(`SELECT name FROM subdistricts WHERE id = $1`, [id]);
  return sub.name;
}

export async function allSubdistrictIds(db: Db): Promise<number[]> {
  const rows: { id: number }[] = await db.query(`SELECT id FROM subdistricts ORDER BY id`);
  return rows.map((r) => r.id);
}

/** Whether a complete sub-district claim of the month (requested after the month ended) exists already. */
export async function hasClosedMonthClaim(db: Db, subdistrictId: number, month: string): Promise<boolean> {
  const [row]: unknown[] = await db.query(
    `SELECT 1 FROM claims WHERE subdistrict_id = $1 AND canteen_id IS NULL AND month = $2
       AND status <> 'FAILED' AND requested_at >= $3 LIMIT 1`,
    [subdistrictId, month, monthBounds(month).end],
  );
  return row !== undefined;
}

/** QUEUED/RUNNING → RUNNING for an attempt; false when the claim is no longer to be built. */
export async function startClaimAttempt(db: Db, id: number): Promise<boolean> {
  // An UPDATE answers [rows, affected].
  const started: [unknown[], number] = await db.query(
    `UPDATE claims SET status = 'RUNNING', started_at = now(), attempts = attempts + 1, progress = 0
      WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING id`,
    [id],
  );
  return started[1] > 0;
}

/** RUNNING → DONE with the totals and the file; false when another attempt finished first. */
export async function finishClaim(
  db: Db,
  id: number,
  done: { totals: unknown; filePath: string; fileSize: number; sha256: string; dataSha256: string },
): Promise<boolean> {
  const r: [unknown[], number] = await db.query(
    `UPDATE claims SET status = 'DONE', progress = 100, totals = $2, file_path = $3, file_size = $4, sha256 = $5,
            data_sha256 = $6, finished_at = now(), error = NULL
      WHERE id = $1 AND status = 'RUNNING'`,
    [id, JSON.stringify(done.totals), done.filePath, done.fileSize, done.sha256, done.dataSha256],
  );
  return r[1] > 0;
}

/** RUNNING → QUEUED (to be retried) or FAILED (the last attempt), with the sentence finance sees. */
export async function recordClaimFailure(db: Db, id: number, last: boolean, error: string): Promise<void> {
  await db.query(
    `UPDATE claims SET status = $2, error = $3, finished_at = CASE WHEN $2 = 'FAILED' THEN now() END
      WHERE id = $1 AND status = 'RUNNING'`,
    [id, last ? 'FAILED' : 'QUEUED', error],
  );
}

export async function claimStatus(db: Db, id: number): Promise<ClaimStatus | null> {
  const [row]: { status: ClaimStatus }[] = await db.query(`SELECT status FROM claims WHERE id = $1`, [id]);
  return row?.status ?? null;
}

export async function setClaimProgress(db: Db, id: number, percent: number): Promise<void> {
  await db.query(`UPDATE claims SET progress = $2 WHERE id = $1 AND status = 'RUNNING'`, [id, percent]);
}

// ---- The workbook's statements: one REPEATABLE READ snapshot on one client (ClaimWorkbookBuilder). ----

// Meals of the claim's scope and month ($1 sub-district, $2 canteen or null, $3..$4 first and last day).
const MEALS_IN_SCOPE = `m.subdistrict_id = $1 AND ($2::int IS NULL OR m.canteen_id = $2) AND m.meal_date BETWEEN $3 AND $4`;
const SUBSIDISED = `m.voided_at IS NULL AND m.subsidy_fen > 0`;

/** [$1 sub-district, $2 canteen or null, $3 first day, $4 last day] of a claim's scope. */
export type ScopeParams = [number, number | null, string, string];

export interface CanteenSumRow {
  id: number;
  name: string;
  type: CanteenType;
  meals: string;
  fen: string;
  diners: string;
  voided: string;
}

/** Per canteen of the scope: subsidised meals, their money and distinct diners, and voided meals. */
export async function canteenSums(client: PoolClient, params: ScopeParams): Promise<CanteenSumRow[]> {
  const { rows } = await client.query<CanteenSumRow>(
    `SELECT c.id, c.name, c.type,
            count(m.id) FILTER (WHERE ${SUBSIDISED}) AS meals,
            COALESCE(sum(m.subsidy_fen) FILTER (WHERE ${SUBSIDISED}), 0) AS fen,
            count(DISTINCT m.diner_id) FILTER (WHERE ${SUBSIDISED}) AS diners,
            count(m.id) FILTER (WHERE m.voided_at IS NOT NULL) AS voided
       FROM canteens c
       LEFT JOIN meals m ON m.canteen_id = c.id AND m.meal_date BETWEEN $3 AND $4
      WHERE c.subdistrict_id = $1 AND ($2::int IS NULL OR c.id = $2)
      GROUP BY c.id
     HAVING c.active OR count(m.id) > 0 OR c.id = $2
      ORDER BY c.id`,
    params,
  );
  return rows;
}

export interface TierSumRow {
  canteen_id: number;
  tier: string;
  meals: string;
  fen: string;
}

export async function tierSums(client: PoolClient, params: ScopeParams): Promise<TierSumRow[]> {
  const { rows } = await client.query<TierSumRow>(
    `SELECT m.canteen_id, m.tier, count(*) AS meals, sum(m.subsidy_fen) AS fen
       FROM meals m WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED}
      GROUP BY m.canteen_id, m.tier`,
    params,
  );
  return rows;
}

/** The tiers of the policy versions in force during the month (from the one in force on its first day). */
export async function policyTiersInForce(
  client: PoolClient,
  firstDay: string,
  lastDay: string,
): Promise<PolicyTier[][]> {
  const { rows } = await client.query<{ tiers: PolicyTier[] }>(
    `SELECT tiers FROM subsidy_policy_versions
      WHERE effective_from BETWEEN $1 AND $2
         OR id = (SELECT id FROM subsidy_policy_versions WHERE effective_from <= $1
                   ORDER BY effective_from DESC LIMIT 1)`,
    [firstDay, lastDay],
  );
  return rows.map((r) => r.tiers);
}

/** Distinct diners of the scope's subsidised meals: a diner who ate at two canteens counts once. */
export async function distinctDiners(client: PoolClient, params: ScopeParams): Promise<number> {
  const [{ diners }] = (
    await client.query<{ diners: string }>(
      `SELECT count(DISTINCT m.diner_id) AS diners FROM meals m WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED}`,
      params,
    )
  ).rows;
  return Number(diners);
}

/** The policy versions the month's meals used, and the one in force on the month's last day. */
export async function policiesOfClaim(
  client: PoolClient,
  params: ScopeParams,
): Promise<{ from: string; tiers: PolicyTier[] }[]> {
  const { rows } = await client.query<{ effective_from: string; tiers: PolicyTier[] }>(
    `SELECT effective_from::text AS effective_from, tiers FROM subsidy_policy_versions
      WHERE id IN (SELECT DISTINCT m.policy_version_id FROM meals m WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED})
         OR id = (SELECT id FROM subsidy_policy_versions WHERE effective_from <= $4 ORDER BY effective_from DESC LIMIT 1)
      ORDER BY effective_from`,
    params,
  );
  return rows.map((r) => ({ from: r.effective_from, tiers: r.tiers }));
}

/**
 * What the workbook of a scope and month is made of, in a few aggregates: meals are immutable but for their void
 * columns, so their count, id sum, highest id and voids (with the latest void time) change whenever a meal is added
 * or voided; the diners', cashiers' and canteens' latest change covers the names printed; the policy versions and
 * the month lock are printed too. Same fingerprint, same workbook (apart from its time of generation).
 */
const FINGERPRINT_SQL = `
  SELECT (SELECT json_build_array(count(*), COALESCE(sum(m.id), 0)::text, COALESCE(max(m.id), 0)::text,
                 count(m.voided_at), max(m.voided_at)::text, max(d.updated_at)::text, max(u.updated_at)::text)::text
            FROM meals m JOIN diners d ON d.id = m.diner_id JOIN users u ON u.id = m.cashier_user_id
           WHERE ${MEALS_IN_SCOPE}) AS meals,
         (SELECT json_agg(json_build_array(c.id, c.name, c.type, c.active, c.updated_at) ORDER BY c.id)::text
            FROM canteens c WHERE c.subdistrict_id = $1 AND ($2::int IS NULL OR c.id = $2)) AS canteens,
         (SELECT name FROM subdistricts WHERE id = $1) AS subdistrict,
         (SELECT json_agg(id ORDER BY id)::text FROM subsidy_policy_versions) AS policies,
         EXISTS (SELECT 1 FROM month_locks l
                  WHERE l.subdistrict_id = $1 AND l.month = $5 AND l.unlocked_at IS NULL
                    AND (l.canteen_id IS NULL OR l.canteen_id = $2)) AS locked`;

export interface FingerprintRow {
  meals: string;
  canteens: string | null;
  subdistrict: string;
  policies: string | null;
  locked: boolean;
}

const fingerprintParams = (params: ScopeParams, month: string): unknown[] => [...params, month];

export async function claimFingerprint(db: Db, params: ScopeParams, month: string): Promise<FingerprintRow> {
  const [row]: FingerprintRow[] = await db.query(FINGERPRINT_SQL, fingerprintParams(params, month));
  return row;
}

export async function claimFingerprintOn(
  client: PoolClient,
  params: ScopeParams,
  month: string,
): Promise<FingerprintRow> {
  return (await client.query<FingerprintRow>(FINGERPRINT_SQL, fingerprintParams(params, month))).rows[0];
}

export async function subdistrictNameOn(client: PoolClient, id: number): Promise<string> {
  const [sub] = (await client.query<{ name: string }>(`SELECT name FROM subdistricts WHERE id = $1`, [id])).rows;
  return sub.name;
}

// Rows fetched from PostgreSQL per round trip of a cursor.
const CURSOR_BATCH = 1_000;

/** Rows of a query through a server-side cursor: never the whole month in memory. */
async function* stream<T>(client: PoolClient, sql: string, params: unknown[]): AsyncGenerator<T> {
  const rows = client.query(new QueryStream(sql, params, { batchSize: CURSOR_BATCH }));
  for await (const row of rows) yield row as T;
}

export interface DetailRow {
  id: string;
  meal_date: string;
  meal_period: MealPeriod;
  name: string;
  id_number_masked: string;
  age: number;
  tier: string;
  price_fen: number;
  subsidy_fen: number;
  payable_fen: number;
  verification: Verification;
  cashier: string;
}

/** SPEC §5: a canteen's subsidised, non-voided meals of the month, in date order. */
export const detailRows = (client: PoolClient, canteenId: number, firstDay: string, lastDay: string) =>
  stream<DetailRow>(
    client,
    `SELECT m.id, m.meal_date::text AS meal_date, m.meal_period, d.name, d.id_number_masked, m.age, m.tier,
            m.price_fen, m.subsidy_fen, m.payable_fen, m.verification,
            COALESCE(u.display_name, u.username) AS cashier
       FROM meals m
       JOIN diners d ON d.id = m.diner_id
       JOIN users u ON u.id = m.cashier_user_id
      WHERE m.canteen_id = $1 AND m.meal_date BETWEEN $2 AND $3 AND m.voided_at IS NULL AND m.subsidy_fen > 0
      ORDER BY m.meal_date, m.served_at, m.id`,
    [canteenId, firstDay, lastDay],
  );

export interface DailyRow {
  meal_date: string;
  name: string;
  /** tier → [meals, fen] */
  tiers: Record<string, [number, number]>;
  meals: string;
  fen: string;
}

/** One row per day and canteen, its tiers folded into one JSON object: still a stream, whatever the tiers. */
export const dailyRows = (client: PoolClient, params: ScopeParams) =>
  stream<DailyRow>(
    client,
    `SELECT meal_date, name, jsonb_object_agg(tier, jsonb_build_array(meals, fen)) AS tiers,
            sum(meals) AS meals, sum(fen) AS fen
       FROM (SELECT m.meal_date::text AS meal_date, c.id AS canteen_id, c.name, m.tier,
                    count(*) AS meals, sum(m.subsidy_fen) AS fen
               FROM meals m JOIN canteens c ON c.id = m.canteen_id
              WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED}
              GROUP BY m.meal_date, c.id, c.name, m.tier) d
      GROUP BY meal_date, canteen_id, name
      ORDER BY meal_date, canteen_id`,
    params,
  );

export interface RosterRow {
  name: string;
  id_number_masked: string;
  canteens: string;
  meals: string;
  fen: string;
}

/** One row per diner of the scope's subsidised meals, by pinyin (PostgreSQL's ICU collation for Chinese). */
export const rosterRows = (client: PoolClient, params: ScopeParams) =>
  stream<RosterRow>(
    client,
    `SELECT d.name, d.id_number_masked, string_agg(DISTINCT c.name, '、' ORDER BY c.name) AS canteens,
            count(*) AS meals, sum(m.subsidy_fen) AS fen
       FROM meals m JOIN diners d ON d.id = m.diner_id JOIN canteens c ON c.id = m.canteen_id
      WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED}
      GROUP BY d.id
      ORDER BY d.name COLLATE "zh-x-icu", d.id`,
    params,
  );

// ---- Edit checks (SPEC §5; the rules are in edit-checks.ts). Each statement answers the figures of one check for
// the claim's scope ($1..$4 as ScopeParams). A further check (OUTSIDE_HOURS) is one more function.

/** An example row of a check, with its canteen and the canteen's total count of such meals. */
export interface CheckExampleRow {
  canteen_id: number;
  canteen_name: string;
  total: string;
  example: Record<string, unknown>;
}

// Up to `examples` rows per canteen, each carrying the canteen's total: one statement, whatever the month's size.
const firstPerCanteen = (inner: string): string => `
  SELECT canteen_id, canteen_name, total, example FROM (
    SELECT x.*, row_number() OVER (PARTITION BY canteen_id ORDER BY sort_key) AS rn,
           count(*) OVER (PARTITION BY canteen_id) AS total
      FROM (${inner}) x) y
   WHERE rn <= $5
   ORDER BY canteen_id, rn`;

// What an example of a DINER_INACTIVE_AT_MEAL meal shows (DINER_INACTIVE_EXPLAINED adds the explanation).
const INACTIVE_MEAL_EXAMPLE = `'mealId', m.id::text, 'mealDate', m.meal_date::text, 'mealPeriod', m.meal_period,
  'dinerName', d.name, 'maskedIdNumber', d.id_number_masked, 'status', d.status,
  'statusEffectiveFrom', d.status_effective_from::text, 'subsidyFen', m.subsidy_fen`;

/** Subsidised meals of diners whose status on the meal date was not active (a later status, dated back). */
export async function inactiveDinerMeals(db: Db, params: ScopeParams, examples: number): Promise<CheckExampleRow[]> {
  return db.query(
    firstPerCanteen(`
      SELECT m.canteen_id, c.name AS canteen_name, (m.meal_date, m.id) AS sort_key,
             jsonb_build_object(${INACTIVE_MEAL_EXAMPLE}) AS example
        FROM meals m JOIN diners d ON d.id = m.diner_id JOIN canteens c ON c.id = m.canteen_id
       WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED} AND ${DINER_INACTIVE_AT_MEAL}
         AND NOT EXISTS (SELECT 1 FROM meal_explanations x WHERE x.meal_id = m.id)`),
    [...params, examples],
  );
}

/** The same meals that an operator explained (POST /api/meals/{id}/explanation), with the note and who wrote it. */
export async function explainedInactiveDinerMeals(
  db: Db,
  params: ScopeParams,
  examples: number,
): Promise<CheckExampleRow[]> {
  return db.query(
    firstPerCanteen(`
      SELECT m.canteen_id, c.name AS canteen_name, (m.meal_date, m.id) AS sort_key,
             jsonb_build_object(${INACTIVE_MEAL_EXAMPLE},
               'note', x.note, 'explainedBy', COALESCE(u.display_name, u.username),
               'explainedAt', to_char(x.explained_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')) AS example
        FROM meals m JOIN diners d ON d.id = m.diner_id JOIN canteens c ON c.id = m.canteen_id
        JOIN meal_explanations x ON x.meal_id = m.id JOIN users u ON u.id = x.explained_by
       WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED} AND ${DINER_INACTIVE_AT_MEAL}`),
    [...params, examples],
  );
}

/** Subsidised meals recorded more than `afterMs` after they were served. */
export async function backdatedMeals(
  db: Db,
  params: ScopeParams,
  afterMs: number,
  examples: number,
): Promise<CheckExampleRow[]> {
  return db.query(
    firstPerCanteen(`
      SELECT m.canteen_id, c.name AS canteen_name, (m.meal_date, m.id) AS sort_key,
             jsonb_build_object('mealId', m.id::text, 'mealDate', m.meal_date::text, 'mealPeriod', m.meal_period,
               'servedAt', to_char(m.served_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),
               'recordedAt', to_char(m.recorded_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),
               'cashier', COALESCE(u.display_name, u.username)) AS example
        FROM meals m JOIN canteens c ON c.id = m.canteen_id JOIN users u ON u.id = m.cashier_user_id
       WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED}
         AND m.recorded_at - m.served_at > make_interval(secs => $6::double precision / 1000)`),
    [...params, examples, afterMs],
  );
}

/**
 * SPEC §5 OFFLINE_CONFLICT: offline conflicts of the scope's month still unsettled (registered diners' meals and
 * unregistered diners' kept meals alike), with what the canteen under-collected.
 */
export async function openOfflineConflicts(db: Db, params: ScopeParams, examples: number): Promise<CheckExampleRow[]> {
  return db.query(
    firstPerCanteen(`
      SELECT oc.canteen_id, c.name AS canteen_name, (oc.meal_date, oc.id) AS sort_key,
             jsonb_build_object('conflictId', oc.id::text, 'mealId', oc.meal_id::text,
               'mealDate', oc.meal_date::text, 'mealPeriod', oc.meal_period,
               'maskedIdNumber', oc.id_number_masked, 'reason', oc.reason,
               'provisionalSubsidyFen', oc.provisional_subsidy_fen, 'subsidyFen', oc.subsidy_fen,
               'underCollectedFen', oc.under_collected_fen) AS example
        FROM offline_conflicts oc JOIN canteens c ON c.id = oc.canteen_id
       WHERE oc.subdistrict_id = $1 AND ($2::int IS NULL OR oc.canteen_id = $2) AND oc.meal_date BETWEEN $3 AND $4
         AND oc.settled_at IS NULL`),
    [...params, examples],
  );
}

/** Per canteen and cashier: meals recorded, of them identified by ID number, typed by hand, and voided. */
export interface CashierMealCountRow {
  canteen_id: number;
  canteen_name: string;
  cashier_id: number;
  cashier: string;
  meals: string;
  by_id_number: string;
  manual: string;
  voided: string;
}

export async function cashierMealCounts(db: Db, params: ScopeParams): Promise<CashierMealCountRow[]> {
  return db.query(
    `SELECT m.canteen_id, c.name AS canteen_name, u.id AS cashier_id, COALESCE(u.display_name, u.username) AS cashier,
            count(*) AS meals,
            count(*) FILTER (WHERE m.verification IN ('ID_CARD_READER', 'MANUAL_ENTRY')) AS by_id_number,
            count(*) FILTER (WHERE m.verification = 'MANUAL_ENTRY') AS manual,
            count(*) FILTER (WHERE m.voided_at IS NOT NULL) AS voided
       FROM meals m JOIN canteens c ON c.id = m.canteen_id JOIN users u ON u.id = m.cashier_user_id
      WHERE ${MEALS_IN_SCOPE}
      GROUP BY m.canteen_id, c.name, u.id
      ORDER BY m.canteen_id, u.id`,
    params,
  );
}

/** Subsidised meals per canteen and day (days with any). */
export interface CanteenDayRow {
  canteen_id: number;
  canteen_name: string;
  meal_date: string;
  meals: string;
}

export async function subsidisedMealsPerDay(db: Db, params: ScopeParams): Promise<CanteenDayRow[]> {
  return db.query(
    `SELECT m.canteen_id, c.name AS canteen_name, m.meal_date::text AS meal_date, count(*) AS meals
       FROM meals m JOIN canteens c ON c.id = m.canteen_id
      WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED}
      GROUP BY m.canteen_id, c.name, m.meal_date
      ORDER BY m.canteen_id, m.meal_date`,
    params,
  );
}

/** Subsidised meals recorded outside their period's hours (the till asked for a second confirmation). */
export async function outsideHoursMeals(db: Db, params: ScopeParams, examples: number): Promise<CheckExampleRow[]> {
  return db.query(
    firstPerCanteen(`
      SELECT m.canteen_id, c.name AS canteen_name, (m.meal_date, m.id) AS sort_key,
             jsonb_build_object('mealId', m.id::text, 'mealDate', m.meal_date::text, 'mealPeriod', m.meal_period,
               'servedAt', to_char(m.served_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),
               'cashier', COALESCE(u.display_name, u.username)) AS example
        FROM meals m JOIN canteens c ON c.id = m.canteen_id JOIN users u ON u.id = m.cashier_user_id
       WHERE ${MEALS_IN_SCOPE} AND ${SUBSIDISED} AND m.outside_hours`),
    [...params, examples],
  );
}

// ---- Review and payment (SPEC §5). The month lock a submission holds is in src/meals/month-lock.queries.ts. ----

/** What the review transitions need of a claim, read with FOR UPDATE inside their transaction. */
export interface ReviewRow {
  id: number;
  subdistrictId: number;
  canteenId: number | null;
  month: string;
  version: number;
  status: ClaimStatus;
  reviewStatus: ReviewStatus;
  dataSha256: string | null;
  submittedAt: Date | null;
}

/** The claim's row, locked until the transaction ends: two transitions of one claim wait for each other. */
export async function claimForReview(m: EntityManager, id: number): Promise<ReviewRow | null> {
  const [r]: {
    id: number;
    subdistrict_id: number;
    canteen_id: number | null;
    month: string;
    version: number;
    status: ClaimStatus;
    review_status: ReviewStatus;
    data_sha256: string | null;
    submitted_at: Date | null;
  }[] = await m.query(
    `SELECT id, subdistrict_id, canteen_id, month, version, status, review_status, data_sha256, submitted_at
       FROM claims WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return r
    ? {
        id: r.id,
        subdistrictId: r.subdistrict_id,
        canteenId: r.canteen_id,
        month: r.month,
        version: r.version,
        status: r.status,
        reviewStatus: r.review_status,
        dataSha256: r.data_sha256,
        submittedAt: r.submitted_at,
      }
    : null;
}

/** Another version of the sub-district month that is submitted, approved or paid, if any. */
export async function otherVersionUnderReview(
  m: Db,
  c: Pick<ReviewRow, 'id' | 'subdistrictId' | 'month'>,
): Promise<{ id: number; version: number; reviewStatus: ReviewStatus } | null> {
  const [r]: { id: number; version: number; review_status: ReviewStatus }[] = await m.query(
    `SELECT id, version, review_status FROM claims
      WHERE subdistrict_id = $1 AND month = $2 AND id <> $3 AND review_status IN ('SUBMITTED', 'APPROVED', 'PAID')
      LIMIT 1`,
    [c.subdistrictId, c.month, c.id],
  );
  return r ? { id: r.id, version: r.version, reviewStatus: r.review_status } : null;
}

/** The columns a transition sets (the others keep their value). */
export interface ReviewChange {
  reviewStatus: ReviewStatus;
  acknowledgements?: AcknowledgedFinding[];
  submittedBy?: number;
  returnReason?: string;
  paidOn?: string;
  paymentReference?: string;
}

/** Moves the claim to its next review status, only from one of `from`; answers whether it moved. */
export async function setReviewStatus(
  m: EntityManager,
  id: number,
  from: readonly ReviewStatus[],
  change: ReviewChange,
): Promise<boolean> {
  const submitting = change.reviewStatus === 'SUBMITTED';
  const r: [unknown[], number] = await m.query(
    `UPDATE claims SET review_status = $3,
            acknowledgements = CASE WHEN $4::boolean THEN $5::jsonb ELSE acknowledgements END,
            submitted_at = CASE WHEN $4::boolean THEN now() ELSE submitted_at END,
            submitted_by = CASE WHEN $4::boolean THEN $6::int ELSE submitted_by END,
            return_reason = COALESCE($7, return_reason),
            paid_on = COALESCE($8::date, paid_on),
            payment_reference = COALESCE($9, payment_reference)
      WHERE id = $1 AND review_status = ANY($2)`,
    [
      id,
      from,
      change.reviewStatus,
      submitting,
      submitting ? JSON.stringify(change.acknowledgements ?? []) : null,
      change.submittedBy ?? null,
      change.returnReason ?? null,
      change.paidOn ?? null,
      change.paymentReference ?? null,
    ],
  );
  return r[1] > 0;
}

export interface NewClaimEvent {
  claimId: number;
  action: ClaimEventAction;
  actorUserId: number;
  reason?: string | null;
  acknowledgements?: AcknowledgedFinding[] | null;
  paidOn?: string | null;
  paymentReference?: string | null;
}

export async function insertClaimEvent(m: Db, e: NewClaimEvent): Promise<number> {
  const [{ id }]: { id: number }[] = await m.query(
    `INSERT INTO claim_events (claim_id, action, actor_user_id, reason, acknowledgements, paid_on, payment_reference)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      e.claimId,
      e.action,
      e.actorUserId,
      e.reason ?? null,
      e.acknowledgements ? JSON.stringify(e.acknowledgements) : null,
      e.paidOn ?? null,
      e.paymentReference ?? null,
    ],
  );
  return id;
}

/** GET /api/claims/{id}/history: one entry of the claim's review history. */
export interface ClaimEventView {
  id: number;
  action: ClaimEventAction;
  /** The person (display name, else username). */
  actor: string;
  actorRole: string;
  at: Date;
  reason: string | null;
  acknowledgements: AcknowledgedFinding[] | null;
  paidOn: string | null;
  paymentReference: string | null;
}

/** The claim's history, oldest first. */
export async function claimEvents(db: Db, claimId: number): Promise<ClaimEventView[]> {
  const rows: {
    id: number;
    action: ClaimEventAction;
    actor: string;
    actor_role: string;
    at: Date;
    reason: string | null;
    acknowledgements: AcknowledgedFinding[] | null;
    paid_on: string | null;
    payment_reference: string | null;
  }[] = await db.query(
    `SELECT e.id, e.action, COALESCE(u.display_name, u.username) AS actor, u.role AS actor_role, e.at, e.reason,
            e.acknowledgements, e.paid_on::text AS paid_on, e.payment_reference
       FROM claim_events e JOIN users u ON u.id = e.actor_user_id
      WHERE e.claim_id = $1 ORDER BY e.id`,
    [claimId],
  );
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    actor: r.actor,
    actorRole: r.actor_role,
    at: r.at,
    reason: r.reason,
    acknowledgements: r.acknowledgements,
    paidOn: r.paid_on,
    paymentReference: r.payment_reference,
  }));
}
