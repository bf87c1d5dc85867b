// The till's day totals (SPEC §3): voided meals count nowhere but in voidedCount; tiers only for subsidised meals.

export interface MealTotals {
  count: number;
  subsidisedCount: number;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
  voidedCount: number;
  byTier: Record<string, { count: number; subsidyFen: number }>;
}

/** The fields of a meal the totals read. */
export interface CountedMeal {
  tier: string;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
  voided: unknown;
}

export function mealTotals(meals: readonly CountedMeal[]): MealTotals {
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
  return totals;
}

/** One group of a day's meals summed in SQL: same tier, voided or not, subsidised or not. */
export interface MealSums {
  tier: string;
  voided: boolean;
  subsidised: boolean;
  count: number;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
}

/** The same totals as mealTotals, from sums made by the database (a paged list does not hold every meal). */
export function totalsFromSums(groups: readonly MealSums[]): MealTotals {
  const totals = mealTotals([]);
  for (const g of groups) {
    if (g.voided) {
      totals.voidedCount += g.count;
      continue;
    }
    totals.count += g.count;
    totals.priceFen += g.priceFen;
    totals.subsidyFen += g.subsidyFen;
    totals.payableFen += g.payableFen;
    if (g.subsidised) {
      totals.subsidisedCount += g.count;
      const tier = (totals.byTier[g.tier] ??= { count: 0, subsidyFen: 0 });
      tier.count += g.count;
      tier.subsidyFen += g.subsidyFen;
    }
  }
  return totals;
}
