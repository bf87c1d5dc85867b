// The statistics feature's SQL (SPEC §5 统计, §6 GET /api/stats/daily): aggregates over meals, never a row per meal
// to the application. Every statement keeps to the caller's reach and the filters through statsWhere, and leaves
// voided meals out (they count nowhere). Sums, tiers, periods, hours and months are read from the rollups
// meal_stats_days and meal_stats_diner_months (migration MealStatsRollups: kept in step with meals by triggers in the
// same transaction, so never stale); only the distinct diners of single days and of ranges that are not whole months
// are counted over meals itself, through meals_stats_idx (an index-only scan).
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Bind, positional, reachSql } from '../auth/access';
import { MealPeriod } from '../common/enums';
import { addDays, LocalDate } from '../common/local-date';

type Db = DataSource | EntityManager;

/**
 * What the caller narrowed the statistics to, already checked against its reach (StatsService.scope). A new
 * filter is one field here and one line in statsWhere (and canteenWhere).
 */
export interface StatsFilter {
  canteenId?: number;
  subdistrictId?: number;
  districtId?: number;
}

export interface DateRange {
  from: LocalDate;
  to: LocalDate;
}

/** The figures every statistics row carries. */
export interface StatsFigures {
  meals: number;
  subsidisedMeals: number;
  subsidyFen: number;
  distinctDiners: number;
}

/** The reach and filters over a table of meals or a rollup aliased `alias` (columns subdistrict_id, canteen_id). */
function scopeWhere(user: AuthUser, filter: StatsFilter, bind: Bind, alias: string): string {
  const parts = [reachSql(user, { subdistrict: `${alias}.subdistrict_id`, canteen: `${alias}.canteen_id` }, bind)];
  if (filter.districtId !== undefined) parts.push(inDistrict(`${alias}.subdistrict_id`, filter.districtId, bind));
  if (filter.subdistrictId !== undefined) parts.push(`${alias}.subdistrict_id = ${bind(filter.subdistrictId)}::int`);
  if (filter.canteenId !== undefined) parts.push(`${alias}.canteen_id = ${bind(filter.canteenId)}::int`);
  return parts.join(' AND ');
}

/**
 * The WHERE of every statistics query over `meals m`: not voided, within the dates, within the caller's reach
 * (src/auth/access.ts) and the filters. With scopeWhere, the one place filters become SQL.
 */
export function statsWhere(user: AuthUser, range: DateRange, filter: StatsFilter, bind: Bind): string {
  return [
    'm.voided_at IS NULL',
    `m.meal_date BETWEEN ${bind(range.from)}::date AND ${bind(range.to)}::date`,
    scopeWhere(user, filter, bind, 'm'),
  ].join(' AND ');
}

/** The same over the daily rollup `meal_stats_days d`. */
function daysWhere(user: AuthUser, range: DateRange, filter: StatsFilter, bind: Bind): string {
  return [
    `d.meal_date BETWEEN ${bind(range.from)}::date AND ${bind(range.to)}::date`,
    scopeWhere(user, filter, bind, 'd'),
  ].join(' AND ');
}

/** The same over the per-diner monthly rollup `meal_stats_diner_months r`; rows emptied by voids left out. */
function dinerMonthsWhere(user: AuthUser, months: MonthRange, filter: StatsFilter, bind: Bind): string {
  return [
    'r.meals > 0',
    `r.month BETWEEN ${bind(months.first)}::date AND ${bind(months.last)}::date`,
    scopeWhere(user, filter, bind, 'r'),
  ].join(' AND ');
}

/** First days of the first and the last month of a range made of whole months. */
interface MonthRange {
  first: LocalDate;
  last: LocalDate;
}

/** The months of a range that starts on a month's first day and ends on a month's last, or undefined. */
export function wholeMonths(range: DateRange): MonthRange | undefined {
  if (!range.from.endsWith('-01') || addDays(range.to, 1).slice(8) !== '01' || range.from > range.to) return undefined;
  return { first: range.from, last: `${range.to.slice(0, 7)}-01` };
}

function mustBeWholeMonths(range: DateRange): MonthRange {
  const months = wholeMonths(range);
  if (months === undefined) throw new Error(`statistics by month need whole months, not ${range.from}..${range.to}`);
  return months;
}

const inDistrict = (column: string, districtId: number, bind: Bind): string =>
  `${column} IN (SELECT id FROM subdistricts WHERE district_id = ${bind(districtId)}::int)`;

/** The same reach and filters over `canteens c`, for listing canteens that had no meal. */
function canteenWhere(user: AuthUser, filter: StatsFilter, bind: Bind): string {
  const parts = [reachSql(user, { subdistrict: 'c.subdistrict_id', canteen: 'c.id' }, bind)];
  if (filter.districtId !== undefined) parts.push(inDistrict('c.subdistrict_id', filter.districtId, bind));
  if (filter.subdistrictId !== undefined) parts.push(`c.subdistrict_id = ${bind(filter.subdistrictId)}::int`);
  if (filter.canteenId !== undefined) parts.push(`c.id = ${bind(filter.canteenId)}::int`);
  return parts.join(' AND ');
}

// sum() of int is bigint (text from pg): a city's year of subsidies is far below 2^53 fen, so Number() is exact.
interface FigureRow {
  meals: number;
  subsidised_meals: number;
  subsidy_fen: string;
  distinct_diners: number;
}

const figures = (r: FigureRow): StatsFigures => ({
  meals: r.meals,
  subsidisedMeals: r.subsidised_meals,
  subsidyFen: Number(r.subsidy_fen),
  distinctDiners: r.distinct_diners,
});

/**
 * Runs one statistics statement in a transaction of its own with 64 MB of work_mem and JIT off (SET LOCAL: this
 * statement only). A city's month grouped per diner is ~100k groups: with the default 4 MB PostgreSQL sorts them on
 * disk instead of hashing in memory (1.1 s against 0.47 s for the admin's month on the bench), and compiling the
 * plan (JIT) costs more than it saves on statements that run well under a second.
 */
async function statsQuery<T>(db: Db, sql: string, params: unknown[]): Promise<T> {
  return db.transaction(async (m) => {
    await m.query(`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`);
    return m.query<T>(sql, params);
  });
}

export const ZERO: StatsFigures = { meals: 0, subsidisedMeals: 0, subsidyFen: 0, distinctDiners: 0 };

export interface DailyRow extends StatsFigures {
  date: LocalDate;
  /** Meals (not voided) by the tier they were recorded with, 'NONE' included: the values add up to `meals`. */
  byTier: Record<string, number>;
}

export interface DailyStats {
  days: DailyRow[];
  /** The whole range; distinctDiners counts a diner once over the range (not the sum of the days). */
  totals: StatsFigures & { byTier: Record<string, number> };
}

interface DayTierRow {
  date: string;
  tier: string;
  meals: number;
  subsidised_meals: number;
  subsidy_fen: string;
}

/**
 * Per day of the range (every day, zeros included) and over the whole range. Three statements at once: sums by day
 * and tier from the daily rollup; distinct diners by day over meals (the index is in meal-date order, so each day's
 * diners are sorted alone); distinct diners of the range from the per-diner monthly rollup when the range is whole
 * months, else over meals (hash aggregate by diner).
 */
export async function dailyStats(db: Db, user: AuthUser, range: DateRange, filter: StatsFilter): Promise<DailyStats> {
  // One parameter list per statement: each binds only what it uses.
  const sums = [] as unknown[];
  const perDay = [] as unknown[];
  const overall = [] as unknown[];
  const months = wholeMonths(range);
  const mealsWhere = (params: unknown[]): string => statsWhere(user, range, filter, positional(params));
  const [sumRows, perDayRows, [overallRow]] = await Promise.all([
    statsQuery<DayTierRow[]>(
      db,
      `SELECT d.meal_date::text AS date, d.tier, sum(d.meals)::int AS meals,
              sum(d.subsidised_meals)::int AS subsidised_meals, sum(d.subsidy_fen) AS subsidy_fen
         FROM meal_stats_days d WHERE ${daysWhere(user, range, filter, positional(sums))}
        GROUP BY d.meal_date, d.tier HAVING sum(d.meals) > 0`,
      sums,
    ),
    statsQuery<{ date: string; diners: number }[]>(
      db,
      `SELECT m.meal_date::text AS date, count(DISTINCT m.diner_id)::int AS diners
         FROM meals m WHERE ${mealsWhere(perDay)} GROUP BY m.meal_date`,
      perDay,
    ),
    statsQuery<{ diners: number }[]>(
      db,
      months !== undefined
        ? `SELECT count(*)::int AS diners FROM (SELECT r.diner_id FROM meal_stats_diner_months r
             WHERE ${dinerMonthsWhere(user, months, filter, positional(overall))} GROUP BY 1) d`
        : `SELECT count(*)::int AS diners FROM (SELECT m.diner_id FROM meals m WHERE ${mealsWhere(overall)} GROUP BY 1) d`,
      overall,
    ),
  ]);
  const days = new Map<string, DailyRow>();
  for (let d = range.from; d <= range.to; d = addDays(d, 1)) days.set(d, { date: d, ...ZERO, byTier: {} });
  const totals: DailyStats['totals'] = { ...ZERO, byTier: {} };
  for (const r of sumRows) {
    const day = days.get(r.date)!;
    const fen = Number(r.subsidy_fen);
    day.byTier[r.tier] = r.meals;
    day.meals += r.meals;
    day.subsidisedMeals += r.subsidised_meals;
    day.subsidyFen += fen;
    totals.byTier[r.tier] = (totals.byTier[r.tier] ?? 0) + r.meals;
    totals.meals += r.meals;
    totals.subsidisedMeals += r.subsidised_meals;
    totals.subsidyFen += fen;
  }
  for (const r of perDayRows) days.get(r.date)!.distinctDiners = r.diners;
  totals.distinctDiners = overallRow.diners;
  return { days: [...days.values()], totals };
}

export interface MonthRow extends StatsFigures {
  /** 'YYYY-MM'. distinctDiners: distinct within the month. */
  month: string;
}

// Sums of each diner within a group first, then the groups: the diners of a group are its rows, so distinct diners
// need no sort.
const PER_DINER = `sum(r.meals) AS meals, sum(r.subsidised_meals) AS subsidised, sum(r.subsidy_fen) AS fen`;
const FROM_PER_DINER = `COALESCE(sum(x.meals), 0)::int AS meals, COALESCE(sum(x.subsidised), 0)::int AS subsidised_meals,
  COALESCE(sum(x.fen), 0)::bigint AS subsidy_fen`;

/**
 * Per calendar month of a range of whole months (months without meals left out; the caller fills them), from the
 * per-diner monthly rollup: a city's year is ~10^5 rows, not 2·10^6 meals.
 */
export async function monthlyStats(db: Db, user: AuthUser, range: DateRange, filter: StatsFilter): Promise<MonthRow[]> {
  const params: unknown[] = [];
  const where = dinerMonthsWhere(user, mustBeWholeMonths(range), filter, positional(params));
  const rows = await statsQuery<(FigureRow & { month: string })[]>(
    db,
    `SELECT to_char(x.month, 'YYYY-MM') AS month, ${FROM_PER_DINER}, count(*)::int AS distinct_diners
       FROM (SELECT r.month, r.diner_id, ${PER_DINER}
               FROM meal_stats_diner_months r WHERE ${where} GROUP BY 1, 2) x
      GROUP BY x.month ORDER BY x.month`,
    params,
  );
  return rows.map((r) => ({ month: r.month, ...figures(r) }));
}

export interface TierRow extends StatsFigures {
  tier: string;
}

export interface PeriodRow extends StatsFigures {
  mealPeriod: MealPeriod;
}

export interface CanteenStatsRow extends StatsFigures {
  canteenId: number;
  canteenName: string;
  subdistrictId: number;
}

export interface Breakdown {
  /** The whole range, distinct diners counted once. */
  totals: StatsFigures;
  byTier: TierRow[];
  byPeriod: PeriodRow[];
  /** Every canteen within reach and filters that is active or had meals, by meals (most first), then id. */
  byCanteen: CanteenStatsRow[];
}

interface BreakdownRow extends FigureRow {
  tier: string | null;
  meal_period: MealPeriod | null;
  canteen_id: number | null;
}

/** Totals, tiers, meal periods and canteens of a range of whole months, in one read of the per-diner rollup. */
export async function breakdownStats(
  db: Db,
  user: AuthUser,
  range: DateRange,
  filter: StatsFilter,
): Promise<Breakdown> {
  const params: unknown[] = [];
  const bind = positional(params);
  const where = dinerMonthsWhere(user, mustBeWholeMonths(range), filter, bind);
  // Each diner's figures per tier, period and canteen first (the rollup's rows, summed over months and sub-districts);
  // the grouping sets then count distinct diners over those rows.
  const rows = await statsQuery<BreakdownRow[]>(
    db,
    `SELECT x.tier, x.meal_period, x.canteen_id, ${FROM_PER_DINER}, count(DISTINCT x.diner_id)::int AS distinct_diners
       FROM (SELECT r.tier, r.meal_period, r.canteen_id, r.diner_id, ${PER_DINER}
               FROM meal_stats_diner_months r WHERE ${where} GROUP BY 1, 2, 3, 4) x
      GROUP BY GROUPING SETS ((x.tier), (x.meal_period), (x.canteen_id), ())`,
    params,
  );
  const canteenParams: unknown[] = [];
  const canteens: { id: number; name: string; subdistrict_id: number; active: boolean }[] = await db.query(
    `SELECT c.id, c.name, c.subdistrict_id, c.active FROM canteens c
      WHERE ${canteenWhere(user, filter, positional(canteenParams))} ORDER BY c.id`,
    canteenParams,
  );
  const result: Breakdown = { totals: { ...ZERO }, byTier: [], byPeriod: [], byCanteen: [] };
  const perCanteen = new Map<number, StatsFigures>();
  for (const r of rows) {
    if (r.tier !== null) result.byTier.push({ tier: r.tier, ...figures(r) });
    else if (r.meal_period !== null) result.byPeriod.push({ mealPeriod: r.meal_period, ...figures(r) });
    else if (r.canteen_id !== null) perCanteen.set(r.canteen_id, figures(r));
    else result.totals = figures(r);
  }
  result.byTier.sort((a, b) => a.tier.localeCompare(b.tier));
  const periodOrder: MealPeriod[] = ['BREAKFAST', 'LUNCH', 'DINNER'];
  result.byPeriod.sort((a, b) => periodOrder.indexOf(a.mealPeriod) - periodOrder.indexOf(b.mealPeriod));
  result.byCanteen = canteens
    .filter((c) => c.active || perCanteen.has(c.id))
    .map((c) => ({
      canteenId: c.id,
      canteenName: c.name,
      subdistrictId: c.subdistrict_id,
      ...(perCanteen.get(c.id) ?? ZERO),
    }))
    .sort((a, b) => b.meals - a.meals || a.canteenId - b.canteenId);
  return result;
}

export interface HourCell {
  /** ISO weekday in Asia/Shanghai: 1 Monday … 7 Sunday. */
  weekday: number;
  /** Hour of the day in Asia/Shanghai, 0..23. */
  hour: number;
  meals: number;
}

/** Meals by weekday and hour of `served_at` in Asia/Shanghai (cells without meals left out), from the daily rollup. */
export async function busiestHours(db: Db, user: AuthUser, range: DateRange, filter: StatsFilter): Promise<HourCell[]> {
  const params: unknown[] = [];
  const where = daysWhere(user, range, filter, positional(params));
  return statsQuery<HourCell[]>(
    db,
    `SELECT d.weekday::int AS weekday, d.hour::int AS hour, sum(d.meals)::int AS meals
       FROM meal_stats_days d WHERE ${where}
      GROUP BY 1, 2 HAVING sum(d.meals) > 0 ORDER BY 1, 2`,
    params,
  );
}

/** Whether a sub-district exists (an admin's filter naming none answers 404). */
/** A sub-district's name and district, or undefined when there is none. */
export async function subdistrictOf(db: Db, id: number): Promise<{ name: string; districtId: number } | undefined> {
  const [row]: { name: string; district_id: number }[] = await db.query(
    `SELECT name, district_id FROM subdistricts WHERE id = $1`,
    [id],
  );
  return row && { name: row.name, districtId: row.district_id };
}

export async function districtName(db: Db, id: number): Promise<string | undefined> {
  const [row]: { name: string }[] = await db.query(`SELECT name FROM districts WHERE id = $1`, [id]);
  return row?.name;
}
