import fc from 'fast-check';
import { CountedMeal, MealSums, mealTotals, totalsFromSums } from './meal-totals';

const meal = (o: Partial<CountedMeal> = {}): CountedMeal => {
  const m = { tier: '70_79', priceFen: 1200, subsidyFen: 200, voided: null, ...o };
  return { payableFen: m.priceFen - m.subsidyFen, ...m };
};

describe(mealTotals.name, () => {
  it('is all zeros for a day without meals', () => {
    expect(mealTotals([])).toEqual({
      count: 0,
      subsidisedCount: 0,
      priceFen: 0,
      subsidyFen: 0,
      payableFen: 0,
      voidedCount: 0,
      byTier: {},
    });
  });

  it('adds up the meals that count and groups the subsidised ones by tier', () => {
    const totals = mealTotals([
      meal(),
      meal({ tier: '80_PLUS', subsidyFen: 400 }),
      meal({ tier: '80_PLUS', subsidyFen: 400, priceFen: 1500 }),
      meal({ tier: 'NONE', subsidyFen: 0 }),
    ]);
    expect(totals).toEqual({
      count: 4,
      subsidisedCount: 3,
      priceFen: 5100,
      subsidyFen: 1000,
      payableFen: 4100,
      voidedCount: 0,
      byTier: { '70_79': { count: 1, subsidyFen: 200 }, '80_PLUS': { count: 2, subsidyFen: 800 } },
    });
  });

  it('counts a voided meal only as voided', () => {
    const totals = mealTotals([meal(), meal({ voided: { at: 'x' } })]);
    expect(totals.count).toBe(1);
    expect(totals.voidedCount).toBe(1);
    expect(totals.subsidyFen).toBe(200);
    expect(totals.byTier).toEqual({ '70_79': { count: 1, subsidyFen: 200 } });
  });

  it('keeps a full-price meal of a tier out of that tier (the daily limit was used elsewhere)', () => {
    expect(mealTotals([meal({ subsidyFen: 0 })]).byTier).toEqual({});
  });

  it('always has price = subsidy + payable, and tiers that add up to the subsidy', () => {
    const arb = fc.array(
      fc.record({
        tier: fc.constantFrom('NONE', '70_79', '80_PLUS', '90_PLUS'),
        priceFen: fc.integer({ min: 0, max: 5000 }),
        subsidy: fc.integer({ min: 0, max: 800 }),
        voided: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(arb, (xs) => {
        const meals = xs.map((x) =>
          meal({ tier: x.tier, priceFen: x.priceFen, subsidyFen: Math.min(x.subsidy, x.priceFen), voided: x.voided }),
        );
        const t = mealTotals(meals);
        expect(t.priceFen).toBe(t.subsidyFen + t.payableFen);
        expect(t.count + t.voidedCount).toBe(meals.length);
        const tiers = Object.values(t.byTier);
        expect(tiers.reduce((s, x) => s + x.subsidyFen, 0)).toBe(t.subsidyFen);
        expect(tiers.reduce((s, x) => s + x.count, 0)).toBe(t.subsidisedCount);
      }),
    );
  });
});

describe(totalsFromSums.name, () => {
  it('gives the same totals as mealTotals over the meals it summed', () => {
    const arb = fc.array(
      fc.record({
        tier: fc.constantFrom('NONE', '70_79', '80_PLUS'),
        priceFen: fc.integer({ min: 0, max: 5000 }),
        subsidy: fc.integer({ min: 0, max: 800 }),
        voided: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(arb, (xs) => {
        const meals = xs.map((x) =>
          meal({ tier: x.tier, priceFen: x.priceFen, subsidyFen: Math.min(x.subsidy, x.priceFen), voided: x.voided }),
        );
        // Grouped as the SQL groups them: tier, voided, subsidised.
        const groups = new Map<string, MealSums>();
        for (const m of meals) {
          const key = `${m.tier}/${Boolean(m.voided)}/${m.subsidyFen > 0}`;
          const g = groups.get(key) ?? {
            tier: m.tier,
            voided: Boolean(m.voided),
            subsidised: m.subsidyFen > 0,
            count: 0,
            priceFen: 0,
            subsidyFen: 0,
            payableFen: 0,
          };
          g.count++;
          g.priceFen += m.priceFen;
          g.subsidyFen += m.subsidyFen;
          g.payableFen += m.payableFen;
          groups.set(key, g);
        }
        expect(totalsFromSums([...groups.values()])).toEqual(mealTotals(meals));
      }),
    );
  });
});
