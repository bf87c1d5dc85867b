// SPEC §3 daily limit: one subsidised meal per diner per day, or per period when the policy says PER_PERIOD.
import { MealPeriod } from '../common/enums';
import { LimitMode } from '../subsidy/subsidy-calculator';

/** What `meals.subsidy_slot` holds: the unique index meals_one_subsidy_per_slot allows one subsidy per slot. */
export type SubsidySlot = MealPeriod | 'DAY';

/** The slot a meal's subsidy uses under the policy in force (no policy: the whole day, as PER_DAY). */
export function subsidySlot(policy: { limitMode: LimitMode } | null, period: MealPeriod): SubsidySlot {
  return policy?.limitMode === 'PER_PERIOD' ? period : 'DAY';
}
