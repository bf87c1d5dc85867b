import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { AppError, badRequest, conflict, notFound } from '../common/app-error';
import {
  addDays,
  compareLocalDates,
  isValidLocalDate,
  LocalDate,
  todayLocal,
  isDateInRange,
} from '../common/local-date';
import {
  LimitMode,
  PolicyTier,
  PolicyVersion,
  selectPolicyVersion,
  validatePolicyTiers,
} from '../subsidy/subsidy-calculator';
import { isUniqueViolation, PG_FOREIGN_KEY_VIOLATION, pgErrorFields } from '../database/pg-errors';
import {
  deletePolicyVersion,
  insertPolicyVersion,
  isPolicyVersionUsed,
  lockPolicyVersion,
  selectPolicyVersions,
  toPolicyVersion,
} from './policy.queries';

/** A version as the admin API shows it: the calculator's fields plus its derived end and its history. */
export interface PolicyVersionView extends PolicyVersion {
  /** The day before the next version starts; null for the latest. */
  effectiveTo: LocalDate | null;
  note: string | null;
  createdBy: number | null;
  createdAt: string;
}

export interface NewPolicyVersion {
  effectiveFrom: string;
  tiers: unknown;
  limitMode?: LimitMode;
  note?: string | null;
}

interface Cache {
  versions: PolicyVersion[];
  /** The Shanghai date when the cache was loaded: it answers for meal dates up to this one. */
  day: LocalDate;
  expiresAt: number;
}

const POLICY_CACHE_TTL_MS = 60_000;
const TIER_KEYS = ['minAge', 'maxAge', 'amountFen'];

/**
 * The subsidy policy: effective-dated versions in PostgreSQL, read by every meal and quote.
 *
 * Reads come from a small in-process cache. Why that is correct: a version may only be added (or deleted) while its
 * effectiveFrom is still in the future, i.e. on a day before it takes effect. So every version that applies to a
 * meal date on or before the day the cache was loaded was already committed when it was loaded; writes made since
 * (here or in another API process) only concern later dates. Hence the cache answers `policyFor` only for dates up
 * to its load day, is dropped at Shanghai midnight, after 60 s and on every local write, and anything later (a
 * quote for a future date, a till whose clock is a few minutes ahead) is read from the database.
 */
@Injectable()
export class PolicyService {
  private cache: Cache | null = null;
  private loading: Promise<Cache> | null = null;
  // Bumped by every local write, so a load that started before the write never fills the cache.
  private generation = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** All versions in effective order (the calculator's type). Cached; see the class comment. */
  async versions(): Promise<PolicyVersion[]> {
    return (await this.cached()).versions;
  }

  /** The version that applies to a meal on that local date, or null before the first one. */
  async policyFor(mealDate: LocalDate): Promise<PolicyVersion | null> {
    if (!isValidLocalDate(mealDate)) throw new RangeError(`Invalid meal date: '${mealDate}'`);
    const cache = await this.cached();
    if (compareLocalDates(mealDate, cache.day) <= 0) return selectPolicyVersion(cache.versions, mealDate);
    const rows = await selectPolicyVersions(this.db);
    return selectPolicyVersion(rows.map(toPolicyVersion), mealDate);
  }

  /** Every version with its derived end date, fresh from the database (for the admin). */
  async list(): Promise<PolicyVersionView[]> {
    const rows = await selectPolicyVersions(this.db);
    return rows.map((r, i) => ({
      ...toPolicyVersion(r),
      effectiveTo: i + 1 < rows.length ? addDays(rows[i + 1].effective_from, -1) : null,
      note: r.note,
      createdBy: r.created_by,
      createdAt: r.created_at.toISOString(),
    }));
  }

  /** Adds a version effective from a future date (SPEC §3: later changes never alter recorded meals). */
  async add(input: NewPolicyVersion, actor: AuthUser, ip: string | null): Promise<PolicyVersionView> {
    const effectiveFrom = input.effectiveFrom;
    if (!isDateInRange(effectiveFrom)) {
      throw badRequest('INVALID_DATE', '生效日期应为有效日期，格式 YYYY-MM-DD');
    }
    const today = todayLocal();
    if (compareLocalDates(effectiveFrom, today) <= 0) {
      throw badRequest(
        'POLICY_EFFECTIVE_DATE',
        `新政策只能从明天（${addDays(today, 1)}）或以后生效，不能改变今天及以前的就餐补贴`,
      );
    }
    const tiers = parseTiers(input.tiers);
    const limitMode = input.limitMode ?? 'PER_DAY';
    const note = input.note?.trim() || null;

    let id: number;
    try {
      id = await this.db.transaction(async (m) => {
        const newId = await insertPolicyVersion(m, { effectiveFrom, limitMode, tiers, note, createdBy: actor.id });
        await this.audit.record(
          {
            actor,
            action: 'POLICY_VERSION_ADDED',
            entityType: 'subsidy_policy_version',
            entityId: newId,
            subdistrictId: actor.subdistrictId,
            ip,
            details: { effectiveFrom, limitMode, tiers, note },
          },
          m,
        );
        return newId;
      });
    } catch (e) {
      if (isUniqueViolation(e, 'subsidy_policy_versions_effective_from_key')) {
        throw conflict('POLICY_VERSION_EXISTS', `${effectiveFrom} 起生效的政策版本已存在`);
      }
      throw e;
    } finally {
      this.invalidate();
    }
    return this.view(id);
  }

  /** Withdraws a version that has not taken effect and that no meal used; anything else stays forever. */
  async remove(id: number, actor: AuthUser, ip: string | null): Promise<void> {
    try {
      await this.db.transaction(async (m) => {
        const row = await lockPolicyVersion(m, id);
        if (!row) throw notFound('POLICY_VERSION_NOT_FOUND', '该政策版本不存在');
        if (compareLocalDates(row.effective_from, todayLocal()) <= 0) {
          throw inUse(`该政策版本已于 ${row.effective_from} 生效，不能删除；如需调整请新增一个以后生效的版本`);
        }
        if (await isPolicyVersionUsed(m, id)) throw inUse('该政策版本已被就餐记录使用，不能删除');
        await deletePolicyVersion(m, id);
        await this.audit.record(
          {
            actor,
            action: 'POLICY_VERSION_DELETED',
            entityType: 'subsidy_policy_version',
            entityId: id,
            subdistrictId: actor.subdistrictId,
            ip,
            details: { effectiveFrom: row.effective_from, limitMode: row.limit_mode, tiers: row.tiers },
          },
          m,
        );
      });
    } catch (e) {
      // A meal recorded against it between our check and the delete: the foreign key refuses.
      if (pgErrorFields(e)?.code === PG_FOREIGN_KEY_VIOLATION) throw inUse('该政策版本已被就餐记录使用，不能删除');
      throw e;
    } finally {
      this.invalidate();
    }
  }

  private async view(id: number): Promise<PolicyVersionView> {
    const found = (await this.list()).find((v) => v.id === id);
    if (!found) throw notFound('POLICY_VERSION_NOT_FOUND', '该政策版本不存在');
    return found;
  }

  private invalidate(): void {
    this.generation++;
    this.cache = null;
    this.loading = null;
  }

  private async cached(): Promise<Cache> {
    const now = Date.now();
    const c = this.cache;
    if (c && now < c.expiresAt && c.day === todayLocal(new Date(now))) return c;
    // One load at a time: a burst of requests after expiry shares one query.
    if (!this.loading) {
      const loading = this.load().finally(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  private async load(): Promise<Cache> {
    const generation = this.generation;
    // The day is taken before the read: the cache then never claims a day later than what it read covers.
    const day = todayLocal();
    const rows = await selectPolicyVersions(this.db);
    const cache = { versions: rows.map(toPolicyVersion), day, expiresAt: Date.now() + POLICY_CACHE_TTL_MS };
    if (generation === this.generation) this.cache = cache;
    return cache;
  }
}

const inUse = (message: string): AppError => new AppError(HttpStatus.CONFLICT, 'POLICY_VERSION_IN_USE', message);

/** Tiers as sent by a client: exactly { minAge, maxAge|null, amountFen } each, then the calculator's rules. */
export function parseTiers(raw: unknown): PolicyTier[] {
  const invalid = (problems: string[]): AppError =>
    badRequest('POLICY_TIERS_INVALID', `补贴档次设置有误：${problems.join('；')}`, { problems });
  if (!Array.isArray(raw) || raw.length === 0) throw invalid(['至少需要一个档次']);
  if (raw.length > 20) throw invalid(['档次过多（最多 20 个）']);
  const tiers: PolicyTier[] = [];
  for (const [i, t] of raw.entries()) {
    const label = `第 ${i + 1} 个档次`;
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw invalid([`${label}应为对象`]);
    const o = t as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !TIER_KEYS.includes(k));
    if (extra.length > 0) throw invalid([`${label}含有不允许的字段：${extra.join('、')}`]);
    const { minAge, maxAge = null, amountFen } = o;
    if (
      typeof minAge !== 'number' ||
      typeof amountFen !== 'number' ||
      (maxAge !== null && typeof maxAge !== 'number')
    ) {
      throw invalid([`${label}的 minAge、amountFen 应为数字，maxAge 应为数字或 null`]);
    }
    tiers.push({ minAge, maxAge, amountFen });
  }
  const problems = validatePolicyTiers(tiers);
  if (problems.length > 0) throw invalid(problems);
  return [...tiers].sort((a, b) => a.minAge - b.minAge);
}
