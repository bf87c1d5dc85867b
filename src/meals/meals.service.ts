import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { auditDetails, AuditService } from '../audit/audit.service';
import { canReachCanteen, reachableCanteen } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { AppError, badRequest, conflict, forbidden, notFound } from '../common/app-error';
import { MEAL_PERIOD_LABELS, MEAL_PERIODS, MealPeriod, PeriodHours } from '../common/enums';
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
import { PiiCipher } from '../common/pii-cipher';
import { PolicyService } from '../policy/policy.service';
import { IdNumberError, maskIdNumber, parseIdNumber } from '../subsidy/id-number';
import { evaluateSubsidy, isEligibleOn, SubsidyResult } from '../subsidy/subsidy-calculator';
import {
  CanteenRow,
  DinerBrief,
  DinerFields,
  DinerKeyColumn,
  findCanteen,
  findMeal,
  findMealByKey,
  findMealsOfDay,
  MealListFilter,
  sumMealsOfDay,
  findQuoteLookup,
  findRecordLookup,
  findTillCanteens,
  FoundDiner,
  insertMealAudited,
  insertOfflineMealAudited,
  insertMealExplanation,
  lockMealForExplanation,
  lockMealForVoid,
  markMealVoided,
  MealListItem,
  priceOf,
  RecordLookupRow,
  pricesOf,
  RecordedMeal,
  toListItem,
  toRecorded,
} from './meal.queries';
import { canonicalMealRequest, isOutsideHours, offlineProblem, periodAt, servedAtProblem } from './meal-rules';
import {
  findConflict,
  findConflictByKey,
  insertUnregisteredConflict,
  OfflineConflictView,
} from './offline-conflict.queries';
import { parseInstant } from '../common/instant';
import { mealMonthLocked } from './month-lock.queries';
import { MealTotals, totalsFromSums } from './meal-totals';
import { ListMealsQuery, QuoteMealQuery, RecordMealDto } from './meals.dto';
import { QuoteWarning, quoteWarnings } from './quote-warnings';
import { subsidySlot } from './subsidy-slot';

export type { DinerBrief, MealListItem, RecordedMeal } from './meal.queries';
export type { OfflineConflictView } from './offline-conflict.queries';
export type { MealTotals } from './meal-totals';
export type { QuoteWarning } from './quote-warnings';
export { monthLockKey } from './month-lock-key';

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
  /** Now is outside the period's hours: recording needs `confirmOutsideHours: true`. */
  outsideHours: boolean;
  warnings: QuoteWarning[];
}

export interface TillCanteen {
  id: number;
  name: string;
  prices: Partial<Record<MealPeriod, number>>;
  periodHours: PeriodHours;
  currentPeriod: MealPeriod | null;
}

const outsideHoursMessage = (hours: PeriodHours, period: MealPeriod, hhmm: string): string =>
  `${hhmm} 不在本食堂${MEAL_PERIOD_LABELS[period]}时段（${hours[period][0]}–${hours[period][1]}）内，` +
  `确需记录请再次确认（记录将标为“时段外”）`;

/** The canteen row of a look-up, once it exists and is within the caller's reach (404 / 403 otherwise). */
const reachable = <T extends CanteenRow>(user: AuthUser, row: T | undefined): T => {
  reachableCanteen(user, row && { id: row.id, subdistrictId: row.subdistrict_id });
  return row as T;
};

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
  column: DinerKeyColumn;
  value: Buffer | string;
  idNumber: string | null;
}

/** GET /api/canteens/{id}/meals: a page of a day's filtered meals and totals over all of them. */
export interface MealList {
  date: LocalDate;
  items: MealListItem[];
  totals: MealTotals;
  /** Meals matching the filters, voided ones included (the pager's total). */
  total: number;
  page: number;
  /** null: the whole day in one answer. */
  pageSize: number | null;
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
   * SPEC §4 "Offline", §6: an offline till's fields, all or none (with `servedAt`); null for a meal recorded online.
   */
  private offlineFields(body: RecordMealDto): { since: Date; provisionalSubsidyFen: number } | null {
    const given = [body.offlineSince, body.provisionalSubsidyFen].filter((v) => v !== undefined).length;
    if (body.offline !== true) {
      if (given > 0) {
        throw badRequest(
          'OFFLINE_FIELDS_INVALID',
          'offlineSince 和 provisionalSubsidyFen 只用于离线记录（offline: true）',
        );
      }
      return null;
    }
    if (given < 2 || body.servedAt === undefined) {
      throw badRequest('OFFLINE_FIELDS_INVALID', '离线记录须同时提供 servedAt、offlineSince 和 provisionalSubsidyFen');
    }
    const since = parseInstant(body.offlineSince ?? '');
    if (since === null) throw badRequest('OFFLINE_FIELDS_INVALID', 'offlineSince 不是有效的时间');
    if (body.cardNo !== undefined && body.cardNo.trim() !== '') {
      throw badRequest('OFFLINE_ID_NUMBER_REQUIRED', '离线记录须用身份证号码识别老人，离线时无法识别就餐卡');
    }
    return { since, provisionalSubsidyFen: body.provisionalSubsidyFen ?? 0 };
  }

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
  ): Promise<RecordedMeal | OfflineConflictView> {
    const key = idempotencyKey?.trim() ?? '';
    if (key === '') {
      throw badRequest('IDEMPOTENCY_KEY_MISSING', '缺少请求头 Idempotency-Key，无法保证同一笔就餐只记录一次');
    }
    if (key.length > 128) throw badRequest('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key 过长（最多 128 个字符）');
    const now = new Date();
    const offline = this.offlineFields(body);
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
          ...(offline === null ? {} : { offline }),
        }),
      )
      .toString('hex');
    const policy = await this.policy.policyFor(mealDate);
    const slot = subsidySlot(policy, body.mealPeriod);

    const lookup = await findRecordLookup(this.db, dinerKey.column, {
      canteenId,
      month,
      dinerKey: dinerKey.value,
      idempotencyKey: key,
      mealDate,
      slot,
    });
    const row = reachable(user, lookup);
    if (row.existing_id !== null) return this.replay(row.existing_id, row.existing_hash, requestHash);
    if (offline !== null) {
      // An unregistered diner's offline meal has no meal row: its replay finds the conflict row of the key.
      const kept = await findConflictByKey(this.db, row.id, key);
      // A copy sent at the same moment may have written meal and conflict (one statement) after this request looked
      // for the meal: a conflict with a meal replays that meal (201), as the look-up would have now.
      if (kept?.meal_id) return this.replay(kept.meal_id, kept.request_hash, requestHash);
      if (kept) return this.replayConflict(kept.id, kept.request_hash, requestHash);
      const offProblem = offlineProblem(user.role, servedAt, offline.since, now);
      if (offProblem !== null) throw badRequest(offProblem.code, offProblem.message);
    } else {
      const problem = servedAtProblem(user.role, servedAt, now);
      if (problem !== null) throw badRequest('SERVED_AT_OUT_OF_RANGE', problem);
    }
    if (row.locked) throw monthLocked(month);
    if (!row.active) throw conflict('CANTEEN_INACTIVE', '该食堂已停用，不能记录就餐');
    // SPEC §4: a meal served outside its period's hours needs the cashier's explicit second confirmation.
    const servedHhmm = localTimeOf(servedAt);
    const outsideHours = isOutsideHours(row.period_hours, body.mealPeriod, servedHhmm);
    if (row.diner_id === null && offline !== null && dinerKey.idNumber !== null) {
      return this.keepUnregistered(user, row, key, requestHash, body, ip, {
        idNumber: dinerKey.idNumber,
        hmac: dinerKey.value as Buffer,
        servedAt,
        mealDate,
        offline,
        outsideHours,
      });
    }
    const diner = this.foundDiner(row);
    if (outsideHours && body.confirmOutsideHours !== true) {
      throw conflict('MEAL_OUTSIDE_HOURS', outsideHoursMessage(row.period_hours, body.mealPeriod, servedHhmm));
    }
    if (compareLocalDates(mealDate, diner.birth_date) < 0) {
      throw badRequest('SERVED_AT_OUT_OF_RANGE', '就餐日期早于身份证上的出生日期');
    }
    const priceFen = body.priceFen ?? this.canteenPrice(row, body.mealPeriod);
    if (offline !== null && offline.provisionalSubsidyFen > priceFen) {
      throw badRequest('OFFLINE_FIELDS_INVALID', '离线报价的补贴（provisionalSubsidyFen）不能超过餐价');
    }
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
        ...(offline === null
          ? {}
          : { offline: true, offlineSince: offline.since.toISOString(), provisional: offline.provisionalSubsidyFen }),
      };
      const meal = {
        subdistrictId: row.subdistrict_id,
        canteenId: row.id,
        dinerId: diner.diner_id,
        mealDate,
        mealPeriod: body.mealPeriod,
        servedAt,
        priceFen,
        // The subsidy's outcome as computed: age, tier, subsidy, payable, reason, policy version.
        ...s,
        subsidySlot: slot,
        verification: body.verification,
        cashierUserId: user.id,
        idempotencyKey: key,
        requestHash,
        outsideHours,
        offline: offline !== null,
      };
      const audit = { actorUsername: user.username, ip, details: auditDetails(details) };
      try {
        if (offline === null) return await insertMealAudited(this.db, meal, audit);
        // SPEC §4: the server's subsidy below the till's provisional one is an offline conflict, written with the meal.
        const conflictPart = {
          idNumberMasked: diner.id_number_masked,
          offlineSince: offline.since,
          provisionalSubsidyFen: offline.provisionalSubsidyFen,
          underCollectedFen: Math.max(0, offline.provisionalSubsidyFen - s.subsidyFen),
        };
        return await insertOfflineMealAudited(this.db, meal, conflictPart, audit);
      } catch (e) {
        return refuseLockedMonth(month)(e);
      }
    };

    let result = evaluate(row.subsidised);
    let id = await insert(result);
    if (id === null) {
      // Either a copy of this request won (same key) or another till subsidised this diner first.
      const existing = await findMealByKey(this.db, row.id, key);
      if (existing) return this.replay(existing.id, existing.request_hash, requestHash);
      if (result.subsidyFen === 0) throw new Error('meal insert conflicted on no known unique index');
      result = evaluate(true);
      id = await insert(result);
      if (id === null) {
        const again = await findMealByKey(this.db, row.id, key);
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
      outsideHours,
      offline: offline !== null,
    };
  }

  /**
   * SPEC §4 "Offline": the till subsidised someone the register does not know. A meal needs a diner, so the meal is
   * kept as an offline conflict row (masked number and keyed hash only) for the operator to settle, answered 202.
   * With no provisional subsidy nothing was under-collected: refused as online (DINER_NOT_FOUND).
   */
  private async keepUnregistered(
    user: AuthUser,
    row: RecordLookupRow,
    key: string,
    requestHash: string,
    body: RecordMealDto,
    ip: string | null,
    m: {
      idNumber: string;
      hmac: Buffer;
      servedAt: Date;
      mealDate: LocalDate;
      offline: { since: Date; provisionalSubsidyFen: number };
      outsideHours: boolean;
    },
  ): Promise<OfflineConflictView> {
    if (m.outsideHours && body.confirmOutsideHours !== true) {
      const hhmm = localTimeOf(m.servedAt);
      throw conflict('MEAL_OUTSIDE_HOURS', outsideHoursMessage(row.period_hours, body.mealPeriod, hhmm));
    }
    const priceFen = body.priceFen ?? this.canteenPrice(row, body.mealPeriod);
    if (m.offline.provisionalSubsidyFen > priceFen) {
      throw badRequest('OFFLINE_FIELDS_INVALID', '离线报价的补贴（provisionalSubsidyFen）不能超过餐价');
    }
    if (m.offline.provisionalSubsidyFen === 0) this.foundDiner(row);
    const masked = maskIdNumber(m.idNumber);
    const id = await insertUnregisteredConflict(
      this.db,
      {
        subdistrictId: row.subdistrict_id,
        canteenId: row.id,
        idNumberHmac: m.hmac,
        idNumberMasked: masked,
        mealDate: m.mealDate,
        mealPeriod: body.mealPeriod,
        servedAt: m.servedAt,
        offlineSince: m.offline.since,
        priceFen,
        provisionalSubsidyFen: m.offline.provisionalSubsidyFen,
        cashierUserId: user.id,
        idempotencyKey: key,
        requestHash,
      },
      {
        actorUsername: user.username,
        ip,
        details: auditDetails({
          maskedIdNumber: masked,
          mealDate: m.mealDate,
          mealPeriod: body.mealPeriod,
          priceFen,
          provisionalSubsidyFen: m.offline.provisionalSubsidyFen,
          servedAt: m.servedAt.toISOString(),
          offlineSince: m.offline.since.toISOString(),
        }),
      },
    );
    if (id === null) {
      const again = await findConflictByKey(this.db, row.id, key);
      if (!again) throw new Error('offline conflict insert conflicted on no known unique index');
      return this.replayConflict(again.id, again.request_hash, requestHash);
    }
    return this.replayConflict(id, requestHash, requestHash);
  }

  private async replayConflict(id: string, storedHash: string, requestHash: string): Promise<OfflineConflictView> {
    if (storedHash !== requestHash) {
      throw new AppError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'IDEMPOTENCY_KEY_REUSED',
        '该 Idempotency-Key 已用于另一笔不同的就餐记录，请为新的就餐生成新的 Key',
      );
    }
    const found = await findConflict(this.db, id);
    if (!found) throw new Error(`offline conflict ${id} of a replay is gone`);
    return found;
  }

  /** What recording now would give, with warnings; nothing is written. */
  async quote(user: AuthUser, canteenId: number, q: QuoteMealQuery): Promise<MealQuote> {
    const now = new Date();
    const mealDate = todayLocal(now);
    const hhmm = localTimeOf(now);
    const dinerKey = this.dinerKey(q.idNumber, q.cardNo, mealDate);
    const policy = await this.policy.policyFor(mealDate);
    const slot = subsidySlot(policy, q.mealPeriod);
    const lookup = await findQuoteLookup(this.db, dinerKey.column, {
      canteenId,
      dinerKey: dinerKey.value,
      mealDate,
      slot,
    });
    const row = reachable(user, lookup);
    const diner = this.foundDiner(row);
    const priceFen = q.priceFen ?? this.canteenPrice(row, q.mealPeriod);
    const outsideHours = isOutsideHours(row.period_hours, q.mealPeriod, hhmm);
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
      outsideHours,
      warnings: [
        ...(outsideHours
          ? [{ code: 'OUTSIDE_HOURS' as const, message: outsideHoursMessage(row.period_hours, q.mealPeriod, hhmm) }]
          : []),
        ...quoteWarnings({
          result,
          diner: { status: diner.status, statusEffectiveFrom: diner.status_effective_from },
          policy,
          period: q.mealPeriod,
          subsidised:
            row.subsidised_at === null ? null : { at: row.subsidised_at, canteenName: row.subsidised_canteen },
        }),
      ],
    };
  }

  /** SPEC §3: a wrong meal is voided, never deleted; a voided meal counts nowhere and frees the day's subsidy. */
  async void(user: AuthUser, mealId: string, reasonRaw: string, ip: string | null): Promise<MealListItem> {
    const reason = reasonRaw.trim();
    if (reason === '') throw badRequest('VOID_REASON_REQUIRED', '请填写作废原因');
    return this.db.transaction(async (m) => {
      const meal = await lockMealForVoid(m, mealId);
      if (!meal || !canReachCanteen(user, { id: meal.canteen_id, subdistrictId: meal.subdistrict_id })) {
        throw notFound('MEAL_NOT_FOUND', '该就餐记录不存在');
      }
      if (user.role === 'CASHIER' && (meal.cashier_user_id !== user.id || meal.meal_date !== todayLocal())) {
        throw forbidden('收银员只能作废自己当天记录的就餐，其他请联系站点管理员', 'VOID_FORBIDDEN');
      }
      if (meal.voided_at !== null) throw conflict('MEAL_ALREADY_VOIDED', '该就餐记录已作废');
      // A locked month is refused by the trigger meals_void_month_not_locked, as new meals are.
      const updated = await markMealVoided(m, meal.id, user.id, reason).catch(
        refuseLockedMonth(monthOf(meal.meal_date)),
      );
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

  /**
   * SPEC §5: an operator explains a subsidised meal eaten while the diner's status (not active) was in effect, so the
   * meal stands: the claim's DINER_INACTIVE_AT_MEAL no longer blocks on it; DINER_INACTIVE_EXPLAINED shows it to
   * finance and the reviewer with the note. Once per meal; not in a locked month (the claim was built without it).
   */
  async explain(user: AuthUser, mealId: string, noteRaw: string, ip: string | null): Promise<MealListItem> {
    const note = noteRaw.trim();
    if (note === '') throw badRequest('EXPLANATION_NOTE_REQUIRED', '请填写说明');
    return this.db.transaction(async (m) => {
      const meal = await lockMealForExplanation(m, mealId);
      if (!meal || !canReachCanteen(user, { id: meal.canteen_id, subdistrictId: meal.subdistrict_id })) {
        throw notFound('MEAL_NOT_FOUND', '该就餐记录不存在');
      }
      if (meal.voided_at !== null) throw conflict('MEAL_ALREADY_VOIDED', '该就餐记录已作废');
      if (!meal.inactive_at_meal) {
        throw conflict('MEAL_NOT_FLAGGED', '老人在就餐日的状态为正常（或该餐没有补贴），无需说明');
      }
      if (meal.explained) throw conflict('MEAL_ALREADY_EXPLAINED', '该就餐记录已说明过');
      const month = monthOf(meal.meal_date);
      if (await mealMonthLocked(m, meal.subdistrict_id, meal.canteen_id, month)) {
        throw conflict('MONTH_LOCKED', `${month} 已锁定结算，不能再说明该月的就餐记录`);
      }
      await insertMealExplanation(m, {
        mealId: meal.id,
        subdistrictId: meal.subdistrict_id,
        canteenId: meal.canteen_id,
        note,
        by: user.id,
      });
      await this.audit.record(
        {
          actor: user,
          action: 'MEAL_EXPLAINED',
          entityType: 'meal',
          entityId: meal.id,
          subdistrictId: meal.subdistrict_id,
          canteenId: meal.canteen_id,
          ip,
          details: { note, mealDate: meal.meal_date },
        },
        m,
      );
      const row = await findMeal(m, meal.id);
      return toListItem(row!);
    });
  }

  /**
   * The meals of one day at one canteen, newest first, narrowed by the filters, with totals of the filtered meals
   * that count (not voided) over every page. Without `pageSize` the whole day (the till's list).
   */
  async list(user: AuthUser, canteenId: number, q: ListMealsQuery = {}): Promise<MealList> {
    const day = q.date ?? todayLocal();
    if (!isDateInRange(day)) throw badRequest('INVALID_DATE', '日期无效，应为 YYYY-MM-DD 格式的真实日期');
    const canteen = reachable(user, await findCanteen(this.db, canteenId));
    const filter: MealListFilter = {
      mealPeriod: q.mealPeriod,
      tier: q.tier,
      cashierId: q.cashierId,
      voided: q.voided,
      outsideHours: q.outsideHours,
      offline: q.offline,
    };
    const page = q.page ?? 1;
    const paging = q.pageSize === undefined ? undefined : { limit: q.pageSize, offset: (page - 1) * q.pageSize };
    const [rows, sums] = await Promise.all([
      findMealsOfDay(this.db, canteen.id, day, filter, paging),
      sumMealsOfDay(this.db, canteen.id, day, filter),
    ]);
    const totals = totalsFromSums(
      sums.map((g) => ({
        tier: g.tier,
        voided: g.voided,
        subsidised: g.subsidised,
        count: g.count,
        priceFen: Number(g.price_fen),
        subsidyFen: Number(g.subsidy_fen),
        payableFen: Number(g.payable_fen),
      })),
    );
    return {
      date: day,
      items: rows.map(toListItem),
      totals,
      total: totals.count + totals.voidedCount,
      page,
      pageSize: q.pageSize ?? null,
    };
  }

  /** What the till page needs to start: the caller's canteens with prices and hours, the period by the clock. */
  async till(user: AuthUser): Promise<{ today: LocalDate; now: string; canteens: TillCanteen[] }> {
    const now = new Date();
    const rows = await findTillCanteens(this.db, user);
    const hhmm = localTimeOf(now);
    return {
      today: todayLocal(now),
      now: now.toISOString(),
      canteens: rows.map((c) => {
        const prices = pricesOf(c);
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

  private foundDiner(row: DinerFields): FoundDiner {
    if (row.diner_id === null) {
      throw notFound('DINER_NOT_FOUND', '未找到该老人的登记信息，请先登记（姓名和身份证号码）');
    }
    return row as FoundDiner;
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

  private async replay(id: string, storedHash: string | null, requestHash: string): Promise<RecordedMeal> {
    if (storedHash !== requestHash) {
      throw new AppError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'IDEMPOTENCY_KEY_REUSED',
        '该 Idempotency-Key 已用于另一笔不同的就餐记录，请为新的就餐生成新的 Key',
      );
    }
    const row = await findMeal(this.db, id);
    if (!row) throw new Error(`meal ${id} of a replay is gone`);
    return toRecorded(row);
  }
}
