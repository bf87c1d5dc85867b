import { randomUUID } from 'node:crypto';
import { addDays, todayLocal } from '../src/common/local-date';
import { CanteenFixture, createCanteen, createDiner, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { insertPolicyVersion } from '../src/policy/policy.queries';

// SPEC §3: a policy may limit the subsidy per meal period instead of per day. The admin API only adds versions
// from tomorrow on, so this suite writes one effective yesterday straight into its own database, before the app
// has read any policy.
describe('Daily limit per meal period (PER_PERIOD policy, real PostgreSQL)', () => {
  let t: TestApp;
  let east: CanteenFixture;
  let west: CanteenFixture;
  let eastCashier: UserFixture;
  let westCashier: UserFixture;
  let policyId: number;

  const record = (cashier: UserFixture, canteen: CanteenFixture, idNumber: string, mealPeriod: string) =>
    t
      .http()
      .post(`/api/canteens/${canteen.id}/meals`)
      .set('Authorization', cashier.token)
      .set('Idempotency-Key', randomUUID())
      .send({ idNumber, mealPeriod, verification: 'ID_CARD_READER' });

  const birthDateAged = (years: number): string => `${Number(todayLocal().slice(0, 4)) - years}-01-01`;

  beforeAll(async () => {
    t = await startTestApp();
    policyId = await insertPolicyVersion(t.db, {
      effectiveFrom: addDays(todayLocal(), -1),
      limitMode: 'PER_PERIOD',
      tiers: [
        { minAge: 70, maxAge: 79, amountFen: 200 },
        { minAge: 80, maxAge: null, amountFen: 400 },
      ],
      note: '每餐次补贴一次',
    });
    east = await createCanteen(t.db, { name: '东关幸福食堂' });
    west = await createCanteen(t.db, { name: '西关幸福食堂' });
    eastCashier = await createUser(t, 'CASHIER', { canteenIds: [east.id] });
    westCashier = await createUser(t, 'CASHIER', { canteenIds: [west.id] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('subsidises one meal per period: lunch and dinner both, a second lunch elsewhere at full price', async () => {
    const diner = await createDiner(t, { birthDate: birthDateAged(75) });
    const lunch = await record(eastCashier, east, diner.idNumber, 'LUNCH').expect(201);
    expect(lunch.body).toMatchObject({ subsidyFen: 200, payableFen: 1000, reason: 'TIER_70_79' });
    const dinner = await record(eastCashier, east, diner.idNumber, 'DINNER').expect(201);
    expect(dinner.body).toMatchObject({ subsidyFen: 200, payableFen: 800, reason: 'TIER_70_79' });

    const quote = await t
      .http()
      .get(`/api/canteens/${west.id}/meals/quote`)
      .query({ idNumber: diner.idNumber, mealPeriod: 'LUNCH' })
      .set('Authorization', westCashier.token)
      .expect(200);
    expect(quote.body.warnings).toEqual([
      expect.objectContaining({ code: 'ALREADY_SUBSIDISED', canteenName: '东关幸福食堂' }),
    ]);
    expect(quote.body.warnings[0].message).toContain('午餐');
    const breakfastQuote = await t
      .http()
      .get(`/api/canteens/${west.id}/meals/quote`)
      .query({ idNumber: diner.idNumber, mealPeriod: 'BREAKFAST' })
      .set('Authorization', westCashier.token)
      .expect(200);
    expect(breakfastQuote.body).toMatchObject({ subsidyFen: 200, warnings: [], policyVersionId: policyId });

    const secondLunch = await record(westCashier, west, diner.idNumber, 'LUNCH').expect(201);
    expect(secondLunch.body).toMatchObject({ subsidyFen: 0, payableFen: 1200, reason: 'ALREADY_SUBSIDISED' });

    const rows = await t.db.query(
      `SELECT meal_period, subsidy_slot, subsidy_fen, policy_version_id FROM meals WHERE diner_id = $1 ORDER BY id`,
      [diner.id],
    );
    expect(rows).toEqual([
      { meal_period: 'LUNCH', subsidy_slot: 'LUNCH', subsidy_fen: 200, policy_version_id: policyId },
      { meal_period: 'DINNER', subsidy_slot: 'DINNER', subsidy_fen: 200, policy_version_id: policyId },
      { meal_period: 'LUNCH', subsidy_slot: 'LUNCH', subsidy_fen: 0, policy_version_id: policyId },
    ]);
  });

  it('gives one dinner subsidy to one of 8 tills racing for the same diner', async () => {
    const diner = await createDiner(t, { birthDate: birthDateAged(85) });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0
          ? record(eastCashier, east, diner.idNumber, 'DINNER')
          : record(westCashier, west, diner.idNumber, 'DINNER'),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    const subsidies = answers.map((a) => a.body.subsidyFen).sort((a, b) => b - a);
    expect(subsidies).toEqual([400, 0, 0, 0, 0, 0, 0, 0]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM meals WHERE diner_id = $1 AND subsidy_fen > 0`, [
      diner.id,
    ]);
    expect(n).toBe(1);
  });
});
