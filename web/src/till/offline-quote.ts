// SPEC §4 "Offline": the quote the till makes itself while the server cannot be reached — the birth date from the ID
// number, the last known policy and price. A chunk of its own (it carries the ID-number rules and their messages),
// loaded in the background once the till is open, so the till's first load stays small.
import type { MealPeriod } from '@server/common/enums';
import { isOutsideHours, type ServingHours } from '@server/meals/meal-rules';
import { tryParseIdNumber } from '@server/subsidy/id-number';
import { evaluateSubsidy, selectPolicyVersion, type PolicyVersion } from '@server/subsidy/subsidy-calculator';
import type { MealQuote } from '../api/http';

export interface OfflineQuoteInput {
  idNumber: string;
  masked: string;
  period: MealPeriod;
  /** The canteen's price of the period, or null when it does not serve it. */
  priceFen: number | null;
  periodHours: ServingHours;
  /** Shanghai date and 'HH:MM' now. */
  day: string;
  hhmm: string;
  policies: PolicyVersion[];
}

/** The provisional quote, or a zh-CN sentence saying why there is none. */
export function offlineQuoteOf(i: OfflineQuoteInput): MealQuote | string {
  const parsed = tryParseIdNumber(i.idNumber, i.day);
  if (!parsed.ok) return parsed.message;
  if (i.priceFen === null) return '本食堂未设置该餐次价格，无法离线记录';
  const policy = selectPolicyVersion(i.policies, i.day);
  const r = evaluateSubsidy({ policy, birthDate: parsed.value.birthDate, mealDate: i.day, priceFen: i.priceFen });
  return {
    diner: { id: 0, name: '（离线，未核对姓名）', maskedIdNumber: i.masked, age: r.age },
    mealDate: i.day,
    mealPeriod: i.period,
    tier: r.tier,
    priceFen: i.priceFen,
    subsidyFen: r.subsidyFen,
    payableFen: r.payableFen,
    reason: r.reason,
    policyVersionId: r.policyVersionId,
    outsideHours: isOutsideHours(i.periodHours, i.period, i.hhmm),
    warnings: [],
  };
}
