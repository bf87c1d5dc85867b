import { randomUUID } from 'node:crypto';
import { makeIdNumber } from '../src/subsidy/id-number';
import {
  CanteenFixture,
  createCanteen,
  createDistrict,
  createSubdistrictIn,
  createUser,
  firstDistrictId,
  firstSubdistrictId,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// Issue 17: one register for a city of several districts. 东昌府区 (柳园街道, 古楼街道) and a second district
// (湖西街道); a diner registered once is found at every canteen, subsidised once a day across the city, and each
// meal is claimed by the sub-district of the canteen where it was eaten.
describe('One register for the city (real PostgreSQL)', () => {
  let t: TestApp;
  let districtA: number;
  let districtB: number;
  let subA1: number;
  let subA2: number;
  let subB1: number;
  let canteenA1: CanteenFixture;
  let canteenA2: CanteenFixture;
  let canteenB1: CanteenFixture;
  let cashierA1: UserFixture;
  let cashierB1: UserFixture;
  let operatorA2: UserFixture;
  let operatorB1: UserFixture;
  let financeA2: UserFixture;
  let multiSite: UserFixture;

  const idOf = (birth: string, seq: number): string => makeIdNumber('371502', birth, seq);
  const register = (token: string, body: Record<string, unknown>) =>
    t.http().post('/api/diners').set('authorization', token).send(body);
  const record = (token: string, canteenId: number, body: Record<string, unknown>) =>
    t
      .http()
      .post(`/api/canteens/${canteenId}/meals`)
      .set('authorization', token)
      .set('Idempotency-Key', randomUUID())
      .send({ mealPeriod: 'LUNCH', verification: 'ID_CARD_READER', ...body });
  const listIds = async (token: string, query: Record<string, string> = {}): Promise<number[]> => {
    const res = await t.http().get('/api/diners').query(query).set('authorization', token).expect(200);
    return (res.body.items as { id: number }[]).map((d) => d.id);
  };

  beforeAll(async () => {
    t = await startTestApp();
    districtA = await firstDistrictId(t.db);
    subA1 = await firstSubdistrictId(t.db);
    subA2 = await createSubdistrictIn(t.db, districtA, '古楼街道');
    districtB = await createDistrict(t.db, '茌平区');
    subB1 = await createSubdistrictIn(t.db, districtB, '振兴街道');
    canteenA1 = await createCanteen(t.db, { subdistrictId: subA1, name: '东关国际幸福食堂', prices: { LUNCH: 1000 } });
    canteenA2 = await createCanteen(t.db, { subdistrictId: subA2, name: '古楼幸福食堂', prices: { LUNCH: 1000 } });
    canteenB1 = await createCanteen(t.db, { subdistrictId: subB1, name: '振兴幸福食堂', prices: { LUNCH: 1000 } });
    cashierA1 = await createUser(t, 'CASHIER', { canteenIds: [canteenA1.id], subdistrictId: subA1 });
    cashierB1 = await createUser(t, 'CASHIER', { canteenIds: [canteenB1.id], subdistrictId: subB1 });
    operatorA2 = await createUser(t, 'OPERATOR', { canteenIds: [canteenA2.id], subdistrictId: subA2 });
    operatorB1 = await createUser(t, 'OPERATOR', { canteenIds: [canteenB1.id], subdistrictId: subB1 });
    financeA2 = await createUser(t, 'FINANCE', { subdistrictId: subA2 });
    multiSite = await createUser(t, 'OPERATOR', { canteenIds: [canteenA1.id], subdistrictId: subA1 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a second registration anywhere in the city with the existing diner (409 DINER_EXISTS)', async () => {
    const idNumber = idOf('1950-01-15', 101);
    const first = await register(cashierA1.token, { name: '王秀英', idNumber, canteenId: canteenA1.id }).expect(201);
    expect(first.body.subdistrictId).toBe(subA1);
    // In another district, by another cashier: the same person is not registered twice.
    const again = await register(cashierB1.token, { name: '王秀英', idNumber, canteenId: canteenB1.id }).expect(409);
    expect(again.body).toMatchObject({
      code: 'DINER_EXISTS',
      details: {
        dinerId: first.body.id,
        diner: { id: first.body.id, name: '王秀英', subdistrictId: subA1, maskedIdNumber: first.body.maskedIdNumber },
      },
    });
    expect(JSON.stringify(again.body)).not.toContain(idNumber);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM diners WHERE name = '王秀英'`);
    expect(n).toBe(1);
  });

  it('finds a diner of one district at a canteen of another, and the meal is claimed where it was eaten', async () => {
    const idNumber = idOf('1948-06-01', 103);
    const diner = await register(cashierA1.token, { name: '李桂兰', idNumber, canteenId: canteenA1.id }).expect(201);
    const quote = await t
      .http()
      .get(`/api/canteens/${canteenB1.id}/meals/quote`)
      .query({ idNumber, mealPeriod: 'LUNCH' })
      .set('authorization', cashierB1.token)
      .expect(200);
    expect(quote.body).toMatchObject({ diner: { id: diner.body.id }, subsidyFen: 200 });
    const meal = await record(cashierB1.token, canteenB1.id, { idNumber }).expect(201);
    expect(meal.body).toMatchObject({ diner: { id: diner.body.id }, subsidyFen: 200, reason: 'TIER_70_79' });
    const [row] = await t.db.query(`SELECT subdistrict_id, diner_id FROM meals WHERE id = $1`, [meal.body.id]);
    // Claimed by the sub-district of the canteen (振兴街道), not the diner's home (柳园街道).
    expect(row).toEqual({ subdistrict_id: subB1, diner_id: diner.body.id });
  });

  it('lists in an operator’s register its sub-district’s diners and those who ate at its canteens, no one else', async () => {
    const idNumber = idOf('1945-09-09', 105);
    const diner = await register(cashierA1.token, { name: '赵德明', idNumber, canteenId: canteenA1.id }).expect(201);
    const id = diner.body.id as number;
    expect(await listIds(operatorB1.token)).not.toContain(id);
    await t.http().get(`/api/diners/${id}`).set('authorization', operatorB1.token).expect(404);
    await record(cashierB1.token, canteenB1.id, { idNumber }).expect(201);
    // Having eaten at 振兴幸福食堂, the diner is in that canteen's register…
    expect(await listIds(operatorB1.token)).toContain(id);
    await t.http().get(`/api/diners/${id}`).set('authorization', operatorB1.token).expect(200);
    // …but only the home sub-district changes the diner's details.
    const patch = await t
      .http()
      .patch(`/api/diners/${id}`)
      .set('authorization', operatorB1.token)
      .send({ phone: '0635-8234567' })
      .expect(403);
    expect(patch.body.code).toBe('SUBDISTRICT_FORBIDDEN');
    // 古楼街道 (same district, never eaten there) does not see the diner, by list, name or id.
    expect(await listIds(operatorA2.token)).not.toContain(id);
    expect(await listIds(financeA2.token, { q: '赵德明' })).not.toContain(id);
    await t.http().get(`/api/diners/${id}`).set('authorization', financeA2.token).expect(404);
    // The full ID number finds any diner of the city.
    expect(await listIds(operatorA2.token, { idNumber })).toEqual([id]);
    // A card number alone does not reach across.
    await t
      .http()
      .patch(`/api/diners/${id}`)
      .set('authorization', multiSite.token)
      .send({ cardNo: 'CITY-0001' })
      .expect(200);
    expect(await listIds(multiSite.token, { cardNo: 'CITY-0001' })).toEqual([id]);
    expect(await listIds(operatorA2.token, { cardNo: 'CITY-0001' })).toEqual([]);
    // Nor does the paged register of 古楼街道, by name or card.
    for (const q of ['赵德明', 'CITY-0001']) {
      const reg = await t.http().get('/api/diners/register').query({ q }).set('authorization', operatorA2.token);
      expect(reg.status).toBe(200);
      expect((reg.body.items as { id: number }[]).map((d) => d.id)).not.toContain(id);
    }
  });

  it('keeps meal-card numbers unique across the city and finds the card at any canteen', async () => {
    const idNumber = idOf('1951-02-02', 107);
    await register(cashierA1.token, { name: '孙玉珍', idNumber, canteenId: canteenA1.id, cardNo: 'LC-777' }).expect(
      201,
    );
    const taken = await register(cashierB1.token, {
      name: '周建华',
      idNumber: idOf('1952-03-03', 109),
      canteenId: canteenB1.id,
      cardNo: 'LC-777',
    }).expect(409);
    expect(taken.body.code).toBe('CARD_NO_TAKEN');
    const meal = await record(cashierB1.token, canteenB1.id, { cardNo: 'LC-777', verification: 'MEAL_CARD' }).expect(
      201,
    );
    expect(meal.body.diner.name).toBe('孙玉珍');
  });

  it('subsidises a diner once a day across districts: 10 tills at once in two districts, one subsidy', async () => {
    const idNumber = idOf('1940-04-04', 111);
    await register(cashierA1.token, { name: '钱老汉', idNumber, canteenId: canteenA1.id }).expect(201);
    const racers = [cashierA1, cashierB1];
    const canteens = [canteenA1, canteenB1];
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => record(racers[i % 2].token, canteens[i % 2].id, { idNumber })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    const subsidised = answers.filter((a) => a.body.subsidyFen > 0);
    expect(subsidised).toHaveLength(1);
    for (const a of answers.filter((x) => x.body.subsidyFen === 0)) expect(a.body.reason).toBe('ALREADY_SUBSIDISED');
    const [{ n, districts }] = await t.db.query(
      `SELECT count(*) FILTER (WHERE m.subsidy_fen > 0)::int AS n, count(DISTINCT s.district_id)::int AS districts
         FROM meals m JOIN subdistricts s ON s.id = m.subdistrict_id JOIN diners d ON d.id = m.diner_id
        WHERE d.name = '钱老汉'`,
    );
    expect({ n, districts }).toEqual({ n: 1, districts: 2 });
  });

  it('refuses, in the database, a second current registration of one ID number', async () => {
    const [row] = await t.db.query(`SELECT * FROM diners WHERE name = '王秀英'`);
    await expect(
      t.db.query(
        `INSERT INTO diners (subdistrict_id, name, id_number_enc, id_number_hmac, id_number_masked, birth_date, sex)
         VALUES ($1, '王秀英', $2, $3, $4, $5, $6)`,
        [subB1, row.id_number_enc, row.id_number_hmac, row.id_number_masked, row.birth_date, row.sex],
      ),
    ).rejects.toMatchObject({ constraint: 'diners_id_number_hmac_key' });
  });
});
