import { MealPeriod } from '../src/common/enums';
import { CanteenFixture, createCanteen, createDiner, createUser, insertMeal, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// The operator's meal list (issue 16): any day of a canteen in reach, filtered by period, tier, cashier and voided,
// paged on the server, with totals (人次, 补贴人次, 补贴金额, 实收) over every page of the filtered meals.

interface Listed {
  date: string;
  items: { id: string; mealPeriod: MealPeriod; tier: string; cashier: { id: number }; voided: unknown }[];
  totals: {
    count: number;
    subsidisedCount: number;
    priceFen: number;
    subsidyFen: number;
    payableFen: number;
    voidedCount: number;
  };
  total: number;
  page: number;
  pageSize: number | null;
}

describe('GET /api/canteens/{id}/meals (filters, paging, totals)', () => {
  let t: TestApp;
  let canteen: CanteenFixture;
  let operator: UserFixture;
  let cashiers: UserFixture[];
  const DAY = '2025-03-14';
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    canteen = await createCanteen(t.db);
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
    cashiers = [
      await createUser(t, 'CASHIER', { canteenIds: [canteen.id] }),
      await createUser(t, 'CASHIER', { canteenIds: [canteen.id] }),
    ];
    const periods: MealPeriod[] = ['BREAKFAST', 'LUNCH', 'DINNER'];
    // 30 diners, one meal each: tiers by birth year, every 7th voided, every 5th at full price (already subsidised).
    for (let i = 0; i < 30; i++) {
      const old = i % 2 === 0;
      const diner = await createDiner(t, { birthDate: old ? '1940-01-01' : '1950-01-01' });
      const tier = old ? '80_PLUS' : '70_79';
      const full = i % 5 === 0;
      const subsidy = full ? 0 : old ? 400 : 200;
      ids.push(
        await insertMeal(t.db, {
          canteen,
          dinerId: diner.id,
          cashierUserId: cashiers[i % 2].id,
          servedAt: new Date(`${DAY}T${String(7 + (i % 12)).padStart(2, '0')}:${String(i).padStart(2, '0')}:00+08:00`),
          mealDate: DAY,
          period: periods[i % 3],
          priceFen: 1200,
          subsidyFen: subsidy,
          age: old ? 85 : 75,
          tier,
          reason: full ? 'ALREADY_SUBSIDISED' : `TIER_${tier}`,
          voided: i % 7 === 0 ? { by: operator.id, reason: '测试' } : null,
          outsideHours: i % 4 === 0,
        }),
      );
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = async (query: Record<string, string | number | boolean>): Promise<Listed> =>
    (
      await t
        .http()
        .get(`/api/canteens/${canteen.id}/meals`)
        .query({ date: DAY, ...query })
        .set('Authorization', operator.token)
        .expect(200)
    ).body as Listed;

  /** The same totals straight from the meals table. */
  async function expected(where: string, params: unknown[]): Promise<Listed['totals'] & { total: number }> {
    const [r]: Record<string, string>[] = await t.db.query(
      `SELECT count(*) FILTER (WHERE voided_at IS NULL) AS count,
              count(*) FILTER (WHERE voided_at IS NULL AND subsidy_fen > 0) AS subsidised,
              COALESCE(sum(price_fen) FILTER (WHERE voided_at IS NULL), 0) AS price,
              COALESCE(sum(subsidy_fen) FILTER (WHERE voided_at IS NULL), 0) AS subsidy,
              COALESCE(sum(payable_fen) FILTER (WHERE voided_at IS NULL), 0) AS payable,
              count(*) FILTER (WHERE voided_at IS NOT NULL) AS voided, count(*) AS total
         FROM meals WHERE canteen_id = $1 AND meal_date = $2 AND ${where}`,
      [canteen.id, DAY, ...params],
    );
    return {
      count: Number(r.count),
      subsidisedCount: Number(r.subsidised),
      priceFen: Number(r.price),
      subsidyFen: Number(r.subsidy),
      payableFen: Number(r.payable),
      voidedCount: Number(r.voided),
      total: Number(r.total),
    };
  }

  const totalsOf = (l: Listed) => ({ ...l.totals, total: l.total });
  const strip = ({ count, subsidisedCount, priceFen, subsidyFen, payableFen, voidedCount }: Listed['totals']) => ({
    count,
    subsidisedCount,
    priceFen,
    subsidyFen,
    payableFen,
    voidedCount,
  });

  it('answers the whole day without pageSize, as the till asks for it', async () => {
    const all = await list({});
    expect(all.items).toHaveLength(30);
    expect(all).toMatchObject({ date: DAY, total: 30, page: 1, pageSize: null });
    expect({ ...strip(all.totals), total: all.total }).toEqual(await expected('TRUE', []));
  });

  it('pages on the server with totals over every page', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const p = await list({ page, pageSize: 8 });
      expect(p).toMatchObject({ total: 30, page, pageSize: 8 });
      expect(p.items).toHaveLength(page < 4 ? 8 : 6);
      expect({ ...strip(p.totals), total: p.total }).toEqual(await expected('TRUE', []));
      seen.push(...p.items.map((m) => m.id));
    }
    expect(new Set(seen).size).toBe(30);
    expect([...seen].sort()).toEqual([...ids].sort());
    expect((await list({ page: 5, pageSize: 8 })).items).toEqual([]);
  });

  it.each([
    [{ mealPeriod: 'LUNCH' }, 'meal_period = $3', ['LUNCH']],
    [{ tier: '80_PLUS' }, 'tier = $3', ['80_PLUS']],
    [{ voided: true }, 'voided_at IS NOT NULL AND $3::int = 1', [1]],
    [{ voided: false }, 'voided_at IS NULL AND $3::int = 1', [1]],
    [
      { mealPeriod: 'DINNER', tier: '70_79', voided: false },
      "meal_period = 'DINNER' AND tier = $3 AND voided_at IS NULL",
      ['70_79'],
    ],
  ])('filters by %j, totals to the unit', async (query, where, params) => {
    const l = await list(query);
    expect(totalsOf({ ...l, totals: strip(l.totals) })).toEqual(await expected(where, params));
    expect(l.items).toHaveLength(l.total);
    for (const m of l.items) {
      if ('mealPeriod' in query) expect(m.mealPeriod).toBe(query.mealPeriod);
      if ('tier' in query) expect(m.tier).toBe(query.tier);
      if ('voided' in query) expect(m.voided !== null).toBe(query.voided);
    }
  });

  it('filters by cashier', async () => {
    const l = await list({ cashierId: cashiers[1].id });
    expect(l.items.every((m) => m.cashier.id === cashiers[1].id)).toBe(true);
    expect(totalsOf({ ...l, totals: strip(l.totals) })).toEqual(
      await expected('cashier_user_id = $3', [cashiers[1].id]),
    );
  });

  it('filters by outside hours, both ways', async () => {
    for (const outsideHours of [true, false]) {
      const l = await list({ outsideHours });
      expect(l.items.length).toBeGreaterThan(0);
      expect(totalsOf({ ...l, totals: strip(l.totals) })).toEqual(await expected('outside_hours = $3', [outsideHours]));
    }
  });

  it('refuses a page size over 200 and a filter of the wrong shape', async () => {
    for (const query of [
      { pageSize: 201 },
      { pageSize: 0 },
      { voided: 'yes' },
      { outsideHours: 'maybe' },
      { tier: '80+' },
      { mealPeriod: 'SUPPER' },
    ]) {
      const res = await t
        .http()
        .get(`/api/canteens/${canteen.id}/meals`)
        .query(query)
        .set('Authorization', operator.token)
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });
});
