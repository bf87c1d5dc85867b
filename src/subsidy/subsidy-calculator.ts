// The subsidy of one meal: policy version by meal date, tier by 周岁 on the meal date,
// subsidy = min(tier amount, price), payable = price − subsidy, never negative.
import { compareLocalDates, LocalDate } from '../common/local-date';
import { isFen } from '../common/money';
import { ageOn } from './age';

export type LimitMode = 'PER_DAY' | 'PER_PERIOD';

export interface PolicyTier {
  minAge: number;
  maxAge: number | null;
  amountFen: number;
}

export interface PolicyVersion {
  id: number;
  effectiveFrom: LocalDate;
  tiers: PolicyTier[];
  limitMode: LimitMode;
}

/** 'NONE' or a policy tier's code. */
export type TierCode = string;

export type SubsidyReason =
  | 'UNDER_AGE'
  | 'NOT_ELIGIBLE'
  | 'ALREADY_SUBSIDISED'
  | 'NO_POLICY'
  // The tier paid: `TIER_${tierCode}` (TIER_70_79, TIER_80_PLUS in the first policy, any tier of a later one).
  | `TIER_${string}`;

export type DinerStatus = 'ACTIVE' | 'SUSPENDED' | 'MOVED_AWAY' | 'DECEASED';

export interface SubsidyInput {
  policy: PolicyVersion | null;
  birthDate: LocalDate;
  mealDate: LocalDate;
  priceFen: number;
  /** Registered and active on the meal date (see isEligibleOn). Defaults to true. */
  eligible?: boolean;
  /** The diner already has a subsidised meal counting against the limit. Defaults to false. */
  alreadySubsidised?: boolean;
}

export interface SubsidyResult {
  age: number;
  /** 'NONE' or the tier code the diner's age falls in, e.g. '70_79', '80_PLUS'. */
  tier: TierCode;
  subsidyFen: number;
  payableFen: number;
  reason: SubsidyReason;
  policyVersionId: number | null;
}

// The rates Liuyuan sub-district started with: 70–79 ¥2 per meal, 80 and over ¥4 per meal.
export const DEFAULT_POLICY_TIERS: PolicyTier[] = Object.freeze([
  Object.freeze({ minAge: 70, maxAge: 79, amountFen: 200 }),
  Object.freeze({ minAge: 80, maxAge: null, amountFen: 400 }),
]) as PolicyTier[];
export const DEFAULT_POLICY_EFFECTIVE_FROM: LocalDate = '2022-08-01';

export function tierCode(t: PolicyTier): string {
  return t.maxAge === null ? `${t.minAge}_PLUS` : `${t.minAge}_${t.maxAge}`;
}

/** The first tier whose age range holds `age`, or null. */
export function findTier(tiers: readonly PolicyTier[], age: number): PolicyTier | null {
  return tiers.find((t) => age >= t.minAge && (t.maxAge === null || age <= t.maxAge)) ?? null;
}

/** Problems with a set of tiers, in zh-CN, for the admin who edits policy; empty when the tiers are usable. */
export function validatePolicyTiers(tiers: readonly PolicyTier[]): string[] {
  const problems: string[] = [];
  for (const t of tiers) {
    const label = tierCode(t);
    if (!Number.isInteger(t.minAge) || t.minAge < 0 || t.minAge > 150) {
      problems.push(`档次 ${label}：起始年龄应为 0–150 的整数`);
    }
    if (t.maxAge !== null && (!Number.isInteger(t.maxAge) || t.maxAge < t.minAge || t.maxAge > 150)) {
      problems.push(`档次 ${label}：截止年龄应为不小于起始年龄、不超过 150 的整数`);
    }
    if (!isFen(t.amountFen) || t.amountFen === 0) {
      problems.push(`档次 ${label}：补贴金额应为正整数（分）`);
    }
  }
  const sorted = [...tiers].sort((a, b) => a.minAge - b.minAge);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev.maxAge === null || prev.maxAge >= cur.minAge) {
      problems.push(`档次 ${tierCode(prev)} 与 ${tierCode(cur)} 的年龄范围重叠`);
    }
  }
  return problems;
}

/** The version with the latest effectiveFrom on or before the meal date; ties go to the higher id. */
export function selectPolicyVersion(versions: readonly PolicyVersion[], mealDate: LocalDate): PolicyVersion | null {
  let best: PolicyVersion | null = null;
  for (const v of versions) {
    if (compareLocalDates(v.effectiveFrom, mealDate) > 0) continue;
    if (best === null) {
      best = v;
      continue;
    }
    const byDate = compareLocalDates(v.effectiveFrom, best.effectiveFrom);
    if (byDate > 0 || (byDate === 0 && v.id > best.id)) best = v;
  }
  return best;
}

/**
 * Precedence of reasons: NO_POLICY, NOT_ELIGIBLE, UNDER_AGE, ALREADY_SUBSIDISED, then the tier. Whenever no
 * subsidy is paid the meal is recorded at full price. NOT_ELIGIBLE and ALREADY_SUBSIDISED still report the tier
 * the diner's age falls in.
 */
export function evaluateSubsidy(input: SubsidyInput): SubsidyResult {
  const { policy, birthDate, mealDate, priceFen, eligible = true, alreadySubsidised = false } = input;
  if (!isFen(priceFen)) throw new RangeError(`Price must be a non-negative integer of fen: ${String(priceFen)}`);
  const age = ageOn(birthDate, mealDate);
  const fullPrice = (tier: TierCode, reason: SubsidyReason): SubsidyResult => ({
    age,
    tier,
    subsidyFen: 0,
    payableFen: priceFen,
    reason,
    policyVersionId: policy?.id ?? null,
  });

  if (policy === null) return fullPrice('NONE', 'NO_POLICY');
  if (compareLocalDates(policy.effectiveFrom, mealDate) > 0) {
    throw new RangeError(`Policy version ${policy.id} is effective from ${policy.effectiveFrom}, after ${mealDate}`);
  }
  const tier = findTier(policy.tiers, age);
  const code = tier === null ? 'NONE' : tierCode(tier);
  if (!eligible) return fullPrice(code, 'NOT_ELIGIBLE');
  if (tier === null) return fullPrice('NONE', 'UNDER_AGE');
  if (alreadySubsidised) return fullPrice(code, 'ALREADY_SUBSIDISED');
  if (!isFen(tier.amountFen))
    throw new RangeError(`Tier ${code} amount must be integer fen: ${String(tier.amountFen)}`);

  const subsidyFen = Math.min(tier.amountFen, priceFen);
  return {
    age,
    tier: code,
    subsidyFen,
    payableFen: priceFen - subsidyFen,
    reason: `TIER_${code}`,
    policyVersionId: policy.id,
  };
}

/**
 * ACTIVE is eligible. Any other status (suspended, moved away, deceased) takes effect on its effective date:
 * meals before it are still eligible; without an effective date the diner is never eligible.
 */
export function isEligibleOn(status: DinerStatus, statusEffectiveFrom: LocalDate | null, mealDate: LocalDate): boolean {
  if (status === 'ACTIVE') return true;
  if (statusEffectiveFrom === null) return false;
  return compareLocalDates(mealDate, statusEffectiveFrom) < 0;
}
