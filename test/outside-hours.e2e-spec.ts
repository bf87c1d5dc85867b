import { randomUUID } from 'node:crypto';
import { localTimeOf } from '../src/common/local-date';
import { createCanteen, createDiner, createUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// Issue 15 / SPEC §4: a meal recorded outside its period's hours needs an explicit second confirmation, and the
// server flags it, computed from the canteen's hours at servedAt (Asia/Shanghai), whichever client records it.
describe('Meals outside their period hours (real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  // Lunch hours that do not hold the current Shanghai time, whatever time the suite runs.
  const lunchElsewhere = (): [string, string] =>
    localTimeOf(new Date()) >= '12:00' ? ['00:00', '00:59'] : ['23:00', '23:59'];

  it('quotes the meal as outside hours, refuses it unconfirmed, records and flags it when confirmed', async () => {
    const canteen = await createCanteen(t.db, {
      periodHours: { BREAKFAST: ['00:00', '00:00'], LUNCH: lunchElsewhere(), DINNER: ['00:00', '00:00'] },
    });
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id], displayName: '张收银' });
    const diner = await createDiner(t, { birthDate: '1940-05-01' });
    const quote = await t
      .http()
      .get(`/api/canteens/${canteen.id}/meals/quote`)
      .query({ idNumber: diner.idNumber, mealPeriod: 'LUNCH' })
      .set('Authorization', cashier.token)
      .expect(200);
    expect(quote.body.outsideHours).toBe(true);
    expect(quote.body.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'OUTSIDE_HOURS', message: expect.stringContaining('午餐') }),
      ]),
    );

    const key = randomUUID();
    const record = (body: Record<string, unknown>) =>
      t
        .http()
        .post(`/api/canteens/${canteen.id}/meals`)
        .set('Authorization', cashier.token)
        .set('Idempotency-Key', key)
        .send({ idNumber: diner.idNumber, mealPeriod: 'LUNCH', verification: 'ID_CARD_READER', ...body });
    const refused = await record({}).expect(409);
    expect(refused.body.code).toBe('MEAL_OUTSIDE_HOURS');
    expect((await t.db.query(`SELECT count(*)::int AS n FROM meals WHERE canteen_id = $1`, [canteen.id]))[0].n).toBe(0);

    // The same key, now confirmed: recorded once, flagged, and a replay answers the same meal.
    const recorded = await record({ confirmOutsideHours: true }).expect(201);
    expect(recorded.body.outsideHours).toBe(true);
    expect((await record({ confirmOutsideHours: true }).expect(201)).body.id).toBe(recorded.body.id);
    const rows = await t.db.query(`SELECT outside_hours FROM meals WHERE canteen_id = $1`, [canteen.id]);
    expect(rows).toEqual([{ outside_hours: true }]);

    const list = await t
      .http()
      .get(`/api/canteens/${canteen.id}/meals`)
      .set('Authorization', cashier.token)
      .expect(200);
    expect(list.body.items[0]).toMatchObject({
      outsideHours: true,
      cashier: { id: cashier.id, username: cashier.username, name: '张收银' },
    });
  });

  it('neither warns nor asks inside the hours, and a confirmation there changes nothing', async () => {
    const canteen = await createCanteen(t.db);
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const diner = await createDiner(t, { birthDate: '1940-05-01' });
    const quote = await t
      .http()
      .get(`/api/canteens/${canteen.id}/meals/quote`)
      .query({ idNumber: diner.idNumber, mealPeriod: 'LUNCH' })
      .set('Authorization', cashier.token)
      .expect(200);
    expect(quote.body.outsideHours).toBe(false);
    expect(quote.body.warnings).toEqual([]);
    const res = await t
      .http()
      .post(`/api/canteens/${canteen.id}/meals`)
      .set('Authorization', cashier.token)
      .set('Idempotency-Key', randomUUID())
      .send({ idNumber: diner.idNumber, mealPeriod: 'LUNCH', verification: 'MANUAL_ENTRY', confirmOutsideHours: true })
      .expect(201);
    expect(res.body.outsideHours).toBe(false);
  });

  it('judges a back-dated meal by the hours at its servedAt', async () => {
    const canteen = await createCanteen(t.db, {
      periodHours: { BREAKFAST: ['06:00', '09:00'], LUNCH: ['11:00', '13:00'], DINNER: ['17:00', '19:00'] },
    });
    const operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
    const diner = await createDiner(t, { birthDate: '1940-05-01' });
    // Yesterday 12:00 and 15:00 in Shanghai: inside and outside lunch.
    const yesterday = new Date(Date.now() - 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const send = (servedAt: string, confirm: boolean) =>
      t
        .http()
        .post(`/api/canteens/${canteen.id}/meals`)
        .set('Authorization', operator.token)
        .set('Idempotency-Key', randomUUID())
        .send({
          idNumber: diner.idNumber,
          mealPeriod: 'LUNCH',
          verification: 'MANUAL_ENTRY',
          servedAt,
          ...(confirm ? { confirmOutsideHours: true } : {}),
        });
    expect((await send(`${yesterday}T12:00:00+08:00`, false).expect(201)).body.outsideHours).toBe(false);
    expect((await send(`${yesterday}T15:00:00+08:00`, false).expect(409)).body.code).toBe('MEAL_OUTSIDE_HOURS');
    expect((await send(`${yesterday}T15:00:00+08:00`, true).expect(201)).body.outsideHours).toBe(true);
  });
});
