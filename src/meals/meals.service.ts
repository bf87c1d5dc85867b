import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { auditDetails, AuditService } from '../audit/audit.service';
import { assertCanReachCanteen, canReachCanteen } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { AppError, badRequest, conflict, forbidden, notFound } from '../common/app-error';
import {
  DINER_STATUS_LABELS,
  MEAL_PERIOD_LABELS,
  MEAL_PERIODS,
  MealPeriod,
  PeriodHours,
  Verification,
} from '../common/enums';
import {
  compareLocalDates,
  isDateInRange,
  LocalDate,
  localDateOf,
  localTimeOf,
  monthLabel,
  monthOf,
  todayLocal,
} from '../common/local-date';
import { formatYuan } from '../common/money';
import { PiiCipher } from '../common/pii-cipher';
import { prepared } from '../database/prepared';
import { PolicyService } from '../policy/policy.service';
import { IdNumberError, parseIdNumber } from '../subsidy/id-number';
import {
  DinerStatus,
  evaluateSubsidy,
  isEligibleOn,
  PolicyVersion,
  SubsidyResult,
} from '../subsidy/subsidy-calculator';
import { canonicalMealRequest, parseInstant, periodAt, servedAtProblem } from './meal-rules';
import { QuoteMealQuery, RecordMealDto } from './meals.dto';

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
}

export interface DinerBrief {
  id: number;
  name: string;
  maskedIdNumber: string;
  age: number;
}

export interface QuoteWarning {
  code: 'UNDER_AGE' | 'NOT_ELIGIBLE' | 'ALREADY_SUBSIDISED' | 'NO_POLICY';
  message: string;
  status?: DinerStatus;
  statusEffectiveFrom?: LocalDate | null;
  canteenName?: string;
  servedAt?: string;
}

export interface MealQuote {
  diner: DinerBrief;
  mealDate: LocalDate;
  mealPeriod: MealPeriod;
  tier: string;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
  reason: string;
  policyVersionId: number | null;
  warnings: QuoteWarning[];
}

/** A meal as the till's list and the void answer show it. */
export interface MealListItem extends RecordedMeal {
  canteenId: number;
  servedAt: string;
  verification: Verification;
  cashier: { id: number; username: string };
  voided: { at: string; by: number; reason: string } | null;
}

export interface MealTotals {
  count: number;
  subsidisedCount: number;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
  voidedCount: number;
  byTier: Record<string, { count: number; subsidyFen: number }>;
}

export interface TillCanteen {
  id: number;
  name: string;
  prices: Partial<Record<MealPeriod, number>>;
  periodHours: PeriodHours;
  currentPeriod: MealPeriod | null;
}

interface CanteenRow {
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
interface DinerFields {
  diner_id: number | null;
  diner_name: string | null;
  id_number_masked: string;
  birth_date: string;
  status: DinerStatus;
  status_effective_from: string | null;
}

type Diner = DinerFields & { diner_id: number; diner_name: string };

/** The one read of a recording: canteen, month lock, an earlier meal of this key, the diner, today's subsidy. */
interface RecordLookupRow extends CanteenRow, DinerFields {
  locked: boolean;
  existing_id: string | null;
  existing_hash: string | null;
  subsidised: boolean;
}

interface MealRow {
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
  voided_at: Date | null;
  voided_by: number | null;
  void_reason: string | null;
  diner_id: number;
  diner_name: string;
  id_number_masked: string;
}

const CANTEEN_COLUMNS = `c.id, c.subdistrict_id, c.name, c.active, c.breakfast_price_fen, c.lunch_price_fen,
  c.dinner_price_fen, c.period_hours`;

const MEAL_COLUMNS = `m.id, m.canteen_id, m.meal_date::text AS meal_date, m.meal_period, m.served_at, m.price_fen,
  m.subsidy_fen, m.payable_fen, m.age, m.tier, m.reason, m.verification, m.cashier_user_id, u.username AS cashier_username,
  m.voided_at, m.voided_by, m.void_reason, d.id AS diner_id, d.name AS diner_name, d.id_number_masked`;

const MEAL_FROM = `meals m JOIN diners d ON d.id = m.diner_id JOIN users u ON u.id = m.cashier_user_id`;

/**
 * The key of the advisory lock that orders meal writes against month locks: meals and voids take it shared,
 * locking a month takes it exclusive, so no meal commits into a month that was locked while it was written.
 */
export const monthLockKey = (subdistrictId: number, month: string): string => `month_lock:${subdistrictId}:${month}`;

export const MEAL_ID_PATTERN = /^[1-9]\d{0,17}$/;

const priceOf = (c: CanteenRow, period: MealPeriod): number | null =>
  period === 'BREAKFAST' ? c.breakfast_price_fen : period === 'LUNCH' ? c.lunch_price_fen : c.dinner_price_fen;

const toListItem = (r: MealRow): MealListItem => ({
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
  verification: r.verification,
  cashier: { id: r.cashier_user_id, username: r.cashier_username },
  voided:
    r.voided_at === null ? null : { at: r.voided_at.toISOString(), by: r.voided_by ?? 0, reason: r.void_reason ?? '' },
});

const toRecorded = (r: MealRow): RecordedMeal => ({
  id: String(r.id),
  mealDate: r.meal_date,
  mealPeriod: r.meal_period,
  diner: { id: r.diner_id, name: r.diner_name, maskedIdNumber: r.id_number_masked, age: r.age },
  tier: r.tier,
  priceFen: r.price_fen,
  subsidyFen: r.subsidy_fen,
  payableFen: r.payable_fen,
  reason: r.reason,
});

/** The canteen row of a look-up by id, once it is known to exist and to be within the caller's reach. */
function reachableCanteen<T extends CanteenRow>(user: AuthUser, row: T | undefined): T {
  if (!row) throw notFound('CANTEEN_NOT_FOUND', '该食堂不存在');
  assertCanReachCanteen(user, { id: row.id, subdistrictId: row.subdistrict_id });
  return row;
}

const monthLocked = (month: string): AppError =>
  conflict('MONTH_LOCKED', `${monthLabel(month)}已锁定结算，不能再新增或作废就餐记录`);

/**
 * Rethrows a database error, as MONTH_LOCKED when the month-lock trigger raised it (migrations
 * MealsMonthLockTrigger, MealsVoidMonthLock). pg errors carry `constraint`; TypeORM's wrap them as `driverError`.
 */
const refuseLockedMonth =
  (month: string) =>
  (e: unknown): never => {
    const err = e as { constraint?: string; driverError?: { constraint?: string } };
    if ((err.driverError?.constraint ?? err.constraint) === 'meals_month_not_locked') throw monthLocked(month);
    throw e;
  };

/** A diner identified by ID number (found through its keyed hash) or by meal-card number. */
interface DinerKey {
  column: 'id_number_hmac' | 'card_no';
  value: Buffer | string;
  idNumber: string | null;
}

@Injectable()
export class MealsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly cipher: PiiCipher,
    private readonly policy: PolicyService,
  ) {}

  /**
   * SPEC §3/§6: records one meal exactly once, in two statements (the till's hot path; docs/PERFORMANCE.md): one
   * read (canteen, month lock, an earlier meal of this key, the diner, the day's subsidy so far), then one INSERT of
   * the meal with its audit entry. The database holds the rules that races could break: the idempotency key and
   * the daily limit are unique indexes (meals_idempotency_key, meals_one_subsidy_per_slot), the month lock a
   * trigger. If another till subsidised this diner in between, the meal is recorded at full price with
   * ALREADY_SUBSIDISED.
   */
  async record(
    user: AuthUser,
    canteenId: number,
    idempotencyKey: string | undefined,
    body: RecordMealDto,
    ip: string | null,
  ): Promise<RecordedMeal> {
    const key = idempotencyKey?.trim() ?? '';
    if (key === '') {
      throw badRequest('IDEMPOTENCY_KEY_MISSING', '缺少请求头 Idempotency-Key，无法保证同一笔就餐只记录一次');
    }
    if (key.length > 128) throw badRequest('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key 过长（最多 128 个字符）');
    const now = new Date();
    const dinerKey = this.dinerKey(body.idNumber, body.cardNo, todayLocal(now));
    const servedAt = body.servedAt === undefined ? now : parseInstant(body.servedAt);
    if (servedAt === null) throw badRequest('SERVED_AT_INVALID', '就餐时间不是有效的时间（请检查日期和时刻）');
    const mealDate = localDateOf(servedAt);
    const month = monthOf(mealDate);
    const requestHash = this.cipher
      .hmac(
        canonicalMealRequest({
          canteenId,
          idNumber: dinerKey.idNumber,
          cardNo: dinerKey.idNumber === null ? (body.cardNo ?? null) : null,
          mealPeriod: body.mealPeriod,
          priceFen: body.priceFen ?? null,
          verification: body.verification,
          servedAt: body.servedAt ?? null,
        }),
      )
      .toString('hex');
    const policy = await this.policy.policyFor(mealDate);
    const slot = policy?.limitMode === 'PER_PERIOD' ? body.mealPeriod : 'DAY';

    const [lookup]: RecordLookupRow[] = await prepared(
      this.db,
      `meal_record_lookup_${dinerKey.column}`,
      `SELECT ${CANTEEN_COLUMNS},
              EXISTS (SELECT 1 FROM month_locks l WHERE l.subdistrict_id = c.subdistrict_id AND l.month = $2
                         AND l.unlocked_at IS NULL AND (l.canteen_id IS NULL OR l.canteen_id = c.id)) AS locked,
              e.id AS existing_id, e.request_hash AS existing_hash,
              d.id AS diner_id, d.name AS diner_name, d.id_number_masked, d.birth_date::text AS birth_date, d.status,
              d.status_effective_from::text AS status_effective_from,
              EXISTS (SELECT 1 FROM meals s WHERE s.diner_id = d.id AND s.meal_date = $5 AND s.subsidy_slot = $6
                         AND s.subsidy_fen > 0 AND s.voided_at IS NULL) AS subsidised
         FROM canteens c
         LEFT JOIN diners d ON d.subdistrict_id = c.subdistrict_id AND d.${dinerKey.column} = $3
         LEFT JOIN meals e ON e.canteen_id = c.id AND e.idempotency_key = $4
        WHERE c.id = $1`,
      [canteenId, month, dinerKey.value, key, mealDate, slot],
    );
    const row = reachableCanteen(user, lookup);
    if (row.existing_id !== null) return this.replay(row.existing_id, row.existing_hash, requestHash);

    const problem = servedAtProblem(user.role, servedAt, now);
    if (problem !== null) throw badRequest('SERVED_AT_OUT_OF_RANGE', problem);
    if (row.locked) throw monthLocked(month);
    if (!row.active) throw conflict('CANTEEN_INACTIVE', '该食堂已停用，不能记录就餐');
    const diner = this.foundDiner(row);
    if (compareLocalDates(mealDate, diner.birth_date) < 0) {
      throw badRequest('SERVED_AT_OUT_OF_RANGE', '就餐日期早于身份证上的出生日期');
    }
    const priceFen = body.priceFen ?? this.canteenPrice(row, body.mealPeriod);
    const eligible = isEligibleOn(diner.status, diner.status_effective_from, mealDate);
    const evaluate = (alreadySubsidised: boolean): SubsidyResult =>
      evaluateSubsidy({ policy, birthDate: diner.birth_date, mealDate, priceFen, eligible, alreadySubsidised });

    // One statement, so one atomic transaction: the meal and its audit entry, or neither. The month lock is
    // re-checked by the trigger meals_month_not_locked under the month's shared advisory lock (migration
    // MealsMonthLockTrigger); the checks above only give the early, plain answer.
    const insert = async (s: SubsidyResult): Promise<string | null> => {
      const details = {
        dinerId: diner.diner_id,
        mealDate,
        mealPeriod: body.mealPeriod,
        priceFen,
        subsidyFen: s.subsidyFen,
        reason: s.reason,
        verification: body.verification,
        ...(body.servedAt === undefined ? {} : { servedAt: servedAt.toISOString() }),
      };
      try {
        const inserted: { id: string }[] = await prepared(
          this.db,
          'meal_insert_audited',
          `WITH m AS (
             INSERT INTO meals (subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen,
                 subsidy_fen, payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification,
                 cashier_user_id, idempotency_key, request_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
             ON CONFLICT DO NOTHING RETURNING id
           ), a AS (
             INSERT INTO audit_log (actor_user_id, actor_username, action, entity_type, entity_id, subdistrict_id,
                 canteen_id, ip, details)
             SELECT $16, $19, 'MEAL_RECORDED', 'meal', m.id::text, $1, $2, $20, $21 FROM m
           )
           SELECT id FROM m`,
          [
            row.subdistrict_id,
            row.id,
            diner.diner_id,
            mealDate,
            body.mealPeriod,
            servedAt,
            priceFen,
            s.subsidyFen,
            s.payableFen,
            s.age,
            s.tier,
            s.reason,
            s.policyVersionId,
            slot,
            body.verification,
            user.id,
            key,
            requestHash,
            user.username,
            ip,
            auditDetails(details),
          ],
        );
        return inserted[0]?.id ?? null;
      } catch (e) {
        return refuseLockedMonth(month)(e);
      }
    };

    let result = evaluate(row.subsidised);
    let id = await insert(result);
    if (id === null) {
      // Either a copy of this request won (same key) or another till subsidised this diner first.
      const existing = await this.byKey(row.id, key);
      if (existing) return this.replay(existing.id, existing.request_hash, requestHash);
      if (result.subsidyFen === 0) throw new Error('meal insert conflicted on no known unique index');
      result = evaluate(true);
      id = await insert(result);
      if (id === null) {
        const again = await this.byKey(row.id, key);
        if (!again) throw new Error('meal insert conflicted on no known unique index');
        return this.replay(again.id, again.request_hash, requestHash);
      }
    }
    return {
      id: String(id),
      mealDate,
      mealPeriod: body.mealPeriod,
      diner: { id: diner.diner_id, name: diner.diner_name, maskedIdNumber: diner.id_number_masked, age: result.age },
      tier: result.tier,
      priceFen,
      subsidyFen: result.subsidyFen,
      payableFen: result.payableFen,
      reason: result.reason,
    };
  }

  /** What recording now would give, with warnings; nothing is written. */
  async quote(user: AuthUser, canteenId: number, q: QuoteMealQuery): Promise<MealQuote> {
    const now = new Date();
    const mealDate = todayLocal(now);
    const dinerKey = this.dinerKey(q.idNumber, q.cardNo, mealDate);
    const policy = await this.policy.policyFor(mealDate);
    const slot = policy?.limitMode === 'PER_PERIOD' ? q.mealPeriod : 'DAY';
    const [lookup]: (CanteenRow & DinerFields & { subsidised_at: Date | null; subsidised_canteen: string | null })[] =
      await prepared(
        this.db,
        `meal_quote_lookup_${dinerKey.column}`,
        `SELECT ${CANTEEN_COLUMNS},
                d.id AS diner_id, d.name AS diner_name, d.id_number_masked, d.birth_date::text AS birth_date, d.status,
                d.status_effective_from::text AS status_effective_from,
                s.served_at AS subsidised_at, s.canteen_name AS subsidised_canteen
           FROM canteens c
           LEFT JOIN diners d ON d.subdistrict_id = c.subdistrict_id AND d.${dinerKey.column} = $2
           LEFT JOIN LATERAL (
             SELECT m.served_at, mc.name AS canteen_name FROM meals m JOIN canteens mc ON mc.id = m.canteen_id
              WHERE m.diner_id = d.id AND m.meal_date = $3 AND m.subsidy_slot = $4
                AND m.subsidy_fen > 0 AND m.voided_at IS NULL
              LIMIT 1) s ON true
          WHERE c.id = $1`,
        [canteenId, dinerKey.value, mealDate, slot],
      );
    const row = reachableCanteen(user, lookup);
    const diner = this.foundDiner(row);
    const priceFen = q.priceFen ?? this.canteenPrice(row, q.mealPeriod);
    const eligible = isEligibleOn(diner.status, diner.status_effective_from, mealDate);
    const result = evaluateSubsidy({
      policy,
      birthDate: diner.birth_date,
      mealDate,
      priceFen,
      eligible,
      alreadySubsidised: row.subsidised_at !== null,
    });
    return {
      diner: { id: diner.diner_id, name: diner.diner_name, maskedIdNumber: diner.id_number_masked, age: result.age },
      mealDate,
      mealPeriod: q.mealPeriod,
      tier: result.tier,
      priceFen,
      subsidyFen: result.subsidyFen,
      payableFen: result.payableFen,
      reason: result.reason,
      policyVersionId: result.policyVersionId,
      warnings: this.warnings(result, diner, policy, row.subsidised_at, row.subsidised_canteen, q.mealPeriod),
    };
  }

  /** SPEC §3: a wrong meal is voided, never deleted; a voided meal counts nowhere and frees the day's subsidy. */
  async void(user: AuthUser, mealIdRaw: string, reasonRaw: string, ip: string | null): Promise<MealListItem> {
    const reason = reasonRaw.trim();
    if (reason === '') throw badRequest('VOID_REASON_REQUIRED', '请填写作废原因');
    if (!MEAL_ID_PATTERN.test(mealIdRaw)) throw notFound('MEAL_NOT_FOUND', '该就餐记录不存在');
    return this.db.transaction(async (m) => {
      const [meal]: {
        id: string;
        subdistrict_id: number;
        canteen_id: number;
        cashier_user_id: number;
        meal_date: string;
        voided_at: Date | null;
      }[] = await m.query(
        `SELECT id, subdistrict_id, canteen_id, cashier_user_id, meal_date::text AS meal_date, voided_at
           FROM meals WHERE id = $1 FOR UPDATE`,
        [mealIdRaw],
      );
      if (!meal || !canReachCanteen(user, { id: meal.canteen_id, subdistrictId: meal.subdistrict_id })) {
        throw notFound('MEAL_NOT_FOUND', '该就餐记录不存在');
      }
      if (user.role === 'CASHIER' && (meal.cashier_user_id !== user.id || meal.meal_date !== todayLocal())) {
        throw forbidden('收银员只能作废自己当天记录的就餐，其他请联系站点管理员', 'VOID_FORBIDDEN');
      }
      if (meal.voided_at !== null) throw conflict('MEAL_ALREADY_VOIDED', '该就餐记录已作废');
      // A locked month is refused by the trigger meals_void_month_not_locked, as new meals are.
      const [updated]: MealRow[] = await m
        .query(
          `WITH v AS (UPDATE meals SET voided_at = now(), voided_by = $2, void_reason = $3 WHERE id = $1 RETURNING *)
           SELECT ${MEAL_COLUMNS} FROM v m JOIN diners d ON d.id = m.diner_id JOIN users u ON u.id = m.cashier_user_id`,
          [meal.id, user.id, reason],
        )
        .catch(refuseLockedMonth(monthOf(meal.meal_date)));
      await this.audit.record(
        {
          actor: user,
          action: 'MEAL_VOIDED',
          entityType: 'meal',
          entityId: meal.id,
          subdistrictId: meal.subdistrict_id,
          canteenId: meal.canteen_id,
          ip,
          details: { reason, mealDate: meal.meal_date, subsidyFen: updated.subsidy_fen },
        },
        m,
      );
      return toListItem(updated);
    });
  }

  /** The meals of one day at one canteen, newest first, with totals of the meals that count (not voided). */
  async list(
    user: AuthUser,
    canteenId: number,
    date: string | undefined,
  ): Promise<{ date: LocalDate; meals: MealListItem[]; totals: MealTotals }> {
    const day = date ?? todayLocal();
    if (!isDateInRange(day)) throw badRequest('INVALID_DATE', '日期无效，应为 YYYY-MM-DD 格式的真实日期');
    const [row]: CanteenRow[] = await prepared(
      this.db,
      'canteen_by_id',
      `SELECT ${CANTEEN_COLUMNS} FROM canteens c WHERE c.id = $1`,
      [canteenId],
    );
    const canteen = reachableCanteen(user, row);
    const rows: MealRow[] = await this.db.query(
      `SELECT ${MEAL_COLUMNS} FROM ${MEAL_FROM} WHERE m.canteen_id = $1 AND m.meal_date = $2
        ORDER BY m.served_at DESC, m.id DESC`,
      [canteen.id, day],
    );
    const meals = rows.map(toListItem);
    const totals: MealTotals = {
      count: 0,
      subsidisedCount: 0,
      priceFen: 0,
      subsidyFen: 0,
      payableFen: 0,
      voidedCount: 0,
      byTier: {},
    };
    for (const meal of meals) {
      if (meal.voided) {
        totals.voidedCount++;
        continue;
      }
      totals.count++;
      totals.priceFen += meal.priceFen;
      totals.subsidyFen += meal.subsidyFen;
      totals.payableFen += meal.payableFen;
      if (meal.subsidyFen > 0) {
        totals.subsidisedCount++;
        const tier = (totals.byTier[meal.tier] ??= { count: 0, subsidyFen: 0 });
        tier.count++;
        tier.subsidyFen += meal.subsidyFen;
      }
    }
    return { date: day, meals, totals };
  }

  /** What the till page needs to start: the caller's canteens with prices and hours, the period by the clock. */
  async till(user: AuthUser): Promise<{ today: LocalDate; now: string; canteens: TillCanteen[] }> {
    const now = new Date();
    const rows: CanteenRow[] =
      user.role === 'ADMIN'
        ? await this.db.query(`SELECT ${CANTEEN_COLUMNS} FROM canteens c WHERE c.active ORDER BY c.id`)
        : user.role === 'FINANCE'
          ? await this.db.query(
              `SELECT ${CANTEEN_COLUMNS} FROM canteens c WHERE c.active AND c.subdistrict_id = $1 ORDER BY c.id`,
              [user.subdistrictId],
            )
          : await this.db.query(
              `SELECT ${CANTEEN_COLUMNS} FROM canteens c
                WHERE c.active AND c.subdistrict_id = $1 AND c.id = ANY($2::int[]) ORDER BY c.id`,
              [user.subdistrictId, user.canteenIds],
            );
    const hhmm = localTimeOf(now);
    return {
      today: todayLocal(now),
      now: now.toISOString(),
      canteens: rows.map((c) => {
        const prices: Partial<Record<MealPeriod, number>> = {};
        for (const p of MEAL_PERIODS) {
          const price = priceOf(c, p);
          if (price !== null) prices[p] = price;
        }
        const available = MEAL_PERIODS.filter((p) => prices[p] !== undefined);
        return {
          id: c.id,
          name: c.name,
          prices,
          periodHours: c.period_hours,
          currentPeriod: periodAt(c.period_hours, hhmm, available),
        };
      }),
    };
  }

  private dinerKey(idNumber: string | undefined, cardNo: string | undefined, today: LocalDate): DinerKey {
    const hasId = idNumber !== undefined && idNumber.trim() !== '';
    const hasCard = cardNo !== undefined && cardNo.trim() !== '';
    if (hasId === hasCard) {
      throw badRequest('DINER_IDENTITY_REQUIRED', '请提供身份证号码或就餐卡号（二选一）');
    }
    if (hasCard) return { column: 'card_no', value: (cardNo ?? '').trim(), idNumber: null };
    try {
      const parsed = parseIdNumber(idNumber ?? '', today);
      return { column: 'id_number_hmac', value: this.cipher.hmac(parsed.idNumber), idNumber: parsed.idNumber };
    } catch (e) {
      if (e instanceof IdNumberError) throw badRequest(e.code, e.message);
      throw e;
    }
  }

  private foundDiner(row: DinerFields): Diner {
    if (row.diner_id === null) {
      throw notFound('DINER_NOT_FOUND', '未找到该老人的登记信息，请先登记（姓名和身份证号码）');
    }
    return row as Diner;
  }

  private canteenPrice(canteen: CanteenRow, period: MealPeriod): number {
    const price = priceOf(canteen, period);
    if (price === null) {
      throw badRequest(
        'NO_PRICE_FOR_PERIOD',
        `本食堂未设置${MEAL_PERIOD_LABELS[period]}价格，请选择其他餐次或联系站点管理员`,
      );
    }
    return price;
  }

  private async byKey(canteenId: number, key: string): Promise<{ id: string; request_hash: string } | undefined> {
    const rows: { id: string; request_hash: string }[] = await prepared(
      this.db,
      'meal_by_key',
      `SELECT id, request_hash FROM meals WHERE canteen_id = $1 AND idempotency_key = $2`,
      [canteenId, key],
    );
    return rows[0];
  }

  private async replay(id: string, storedHash: string | null, requestHash: string): Promise<RecordedMeal> {
    if (storedHash !== requestHash) {
      throw new AppError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'IDEMPOTENCY_KEY_REUSED',
        '该 Idempotency-Key 已用于另一笔不同的就餐记录，请为新的就餐生成新的 Key',
      );
    }
    const [row]: MealRow[] = await this.db.query(`SELECT ${MEAL_COLUMNS} FROM ${MEAL_FROM} WHERE m.id = $1`, [id]);
    return toRecorded(row);
  }

  private warnings(
    result: SubsidyResult,
    diner: DinerFields,
    policy: PolicyVersion | null,
    subsidisedAt: Date | null,
    subsidisedCanteen: string | null,
    period: MealPeriod,
  ): QuoteWarning[] {
    const out: QuoteWarning[] = [];
    if (policy === null) out.push({ code: 'NO_POLICY', message: '该日期没有适用的补贴政策，按原价收费' });
    if (diner.status !== 'ACTIVE' && result.reason === 'NOT_ELIGIBLE') {
      out.push({
        code: 'NOT_ELIGIBLE',
        status: diner.status,
        statusEffectiveFrom: diner.status_effective_from,
        message: `该老人状态为“${DINER_STATUS_LABELS[diner.status]}”${
          diner.status_effective_from ? `（${diner.status_effective_from} 起）` : ''
        }，不享受补贴，按原价收费`,
      });
    }
    if (result.tier === 'NONE' && policy !== null) {
      out.push({ code: 'UNDER_AGE', message: `该老人 ${result.age} 周岁，未满补贴年龄，按原价收费` });
    }
    if (subsidisedAt !== null) {
      const time = localTimeOf(subsidisedAt);
      out.push({
        code: 'ALREADY_SUBSIDISED',
        canteenName: subsidisedCanteen ?? '',
        servedAt: subsidisedAt.toISOString(),
        message: `该老人今天${policy?.limitMode === 'PER_PERIOD' ? MEAL_PERIOD_LABELS[period] : ''}已于 ${time} 在${
          subsidisedCanteen ?? '其他食堂'
        }享受过补贴，本餐按原价 ${formatYuan(result.payableFen)} 元收费`,
      });
    }
    return out;
  }
}
