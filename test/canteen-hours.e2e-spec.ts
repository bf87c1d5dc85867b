import { createCanteen, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// Issue 16 (价格与时段): overlapping meal hours are refused with a stable code and change nothing; hours that touch
// are accepted; prices and hours are saved together.
describe('PATCH /api/canteens/{id} periodHours', () => {
  let t: TestApp;
  let operator: UserFixture;
  let canteenId: number;

  beforeAll(async () => {
    t = await startTestApp();
    canteenId = (await createCanteen(t.db)).id;
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteenId] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const patch = (body: object) =>
    t.http().patch(`/api/canteens/${canteenId}`).set('Authorization', operator.token).send(body);
  const stored = async () =>
    (
      (await t.db.query(`SELECT period_hours, lunch_price_fen FROM canteens WHERE id = $1`, [canteenId])) as {
        period_hours: unknown;
        lunch_price_fen: number;
      }[]
    )[0];

  it('refuses hours that overlap another period and keeps the canteen as it was', async () => {
    const before = await stored();
    const res = await patch({ prices: { LUNCH: 1500 }, periodHours: { LUNCH: ['09:00', '13:00'] } }).expect(400);
    expect(res.body).toMatchObject({ code: 'PERIOD_HOURS_OVERLAP', message: expect.stringContaining('早餐') });
    expect(await stored()).toEqual(before);
  });

  it('accepts hours that touch, with the prices', async () => {
    const res = await patch({
      prices: { LUNCH: 1500 },
      periodHours: { BREAKFAST: ['06:00', '10:00'], LUNCH: ['10:00', '14:00'], DINNER: ['17:00', '19:30'] },
    }).expect(200);
    expect(res.body.periodHours).toEqual({
      BREAKFAST: ['06:00', '10:00'],
      LUNCH: ['10:00', '14:00'],
      DINNER: ['17:00', '19:30'],
    });
    expect(await stored()).toEqual({ period_hours: res.body.periodHours, lunch_price_fen: 1500 });
  });
});
