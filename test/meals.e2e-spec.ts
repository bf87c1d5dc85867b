import { randomUUID } from 'node:crypto';
import { addDays, localDateOf, monthOf, startOfLocalDay, todayLocal } from '../src/common/local-date';
import {
  CanteenFixture,
  createCanteen,
  createDiner,
  createUser,
  DinerFixture,
  insertMeal,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { monthLockKey } from '../src/meals/meals.service';
import { insertMonthLock } from '../src/meals/month-lock.queries';

const HOUR = 3_600_000;

// Birth dates relative to today, so the ages hold whatever day the suite runs.
const yearsAgo = (years: number, extraDays = 0): string => {
  const d = addDays(todayLocal(), -extraDays);
  const md = d.slice(5) === '02-29' ? '02-28' : d.slice(5);
  return `${Number(d.slice(0, 4)) - years}-${md}`;
};

describe('Meals at the till (real PostgreSQL)', () => {
  let t: TestApp;
  let canteen: CanteenFixture;
  let cashier: UserFixture;
  let operator: UserFixture;

  const record = (
    token: string,
    canteenId: number,
    body: Record<string, unknown>,
    key: string | null = randomUUID(),
  ) => {
    const req = t.http().post(`/api/canteens/${canteenId}/meals`).set('Authorization', token);
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const mealCount = async (where = 'true', params: unknown[] = []): Promise<number> => {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM meals WHERE ${where}`, params);
    return n;
  };
  const lunch = (diner: DinerFixture, extra: Record<string, unknown> = {}) => ({
    idNumber: diner.idNumber,
    mealPeriod: 'LUNCH',
    verification: 'ID_CARD_READER',
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp();
    canteen = await createCanteen(t.db, { name: '东关国际幸福食堂', prices: { LUNCH: 1200 } });
    cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('records a meal with its full snapshot and answers exactly the SPEC §6 shape', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(75), name: '王秀英' });
    const res = await record(cashier.token, canteen.id, lunch(diner)).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      mealDate: todayLocal(),
      mealPeriod: 'LUNCH',
      diner: { id: diner.id, name: '王秀英', maskedIdNumber: `371502********${diner.idNumber.slice(14)}`, age: 75 },
      tier: '70_79',
      priceFen: 1200,
      subsidyFen: 200,
      payableFen: 1000,
      reason: 'TIER_70_79',
      outsideHours: false,
      offline: false,
    });
    const [row] = await t.db.query(
      `SELECT canteen_id, diner_id, meal_date::text AS meal_date, age, tier, price_fen, subsidy_fen, payable_fen,
              reason, policy_version_id, verification, cashier_user_id, subsidy_slot, served_at
         FROM meals WHERE id = $1`,
      [res.body.id],
    );
    expect(row).toMatchObject({
      canteen_id: canteen.id,
      diner_id: diner.id,
      meal_date: todayLocal(),
      age: 75,
      tier: '70_79',
      price_fen: 1200,
      subsidy_fen: 200,
      payable_fen: 1000,
      reason: 'TIER_70_79',
      policy_version_id: 1,
      verification: 'ID_CARD_READER',
      cashier_user_id: cashier.id,
      subsidy_slot: 'DAY',
    });
    expect(Math.abs(new Date(row.served_at).getTime() - Date.now())).toBeLessThan(60_000);
    const audit = await t.db.query(
      `SELECT actor_user_id, details FROM audit_log WHERE action = 'MEAL_RECORDED'
      AND entity_id = $1`,
      [res.body.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_user_id).toBe(cashier.id);
    expect(JSON.stringify(audit[0].details)).not.toContain(diner.idNumber.slice(6, 14));

    const list = await t
      .http()
      .get(`/api/canteens/${canteen.id}/meals`)
      .set('Authorization', cashier.token)
      .expect(200);
    expect(list.body.items.find((m: { id: string }) => m.id === res.body.id)).toMatchObject({
      diner: { name: '王秀英' },
      subsidyFen: 200,
      voided: null,
    });
    expect(list.body.totals).toMatchObject({ count: expect.any(Number), subsidyFen: expect.any(Number) });
  });

  it('finds a diner by meal card, and pays 80+ the larger tier capped at the price', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(86), cardNo: `CARD-${randomUUID().slice(0, 8)}` });
    const [{ card_no: cardNo }] = await t.db.query(`SELECT card_no FROM diners WHERE id = $1`, [diner.id]);
    const res = await record(cashier.token, canteen.id, {
      cardNo,
      mealPeriod: 'LUNCH',
      priceFen: 300,
      verification: 'MEAL_CARD',
    }).expect(201);
    expect(res.body).toMatchObject({ tier: '80_PLUS', priceFen: 300, subsidyFen: 300, payableFen: 0 });
  });

  it('quotes without writing: tier, money and the warnings a cashier must see', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(81), name: '李桂兰' });
    const young = await createDiner(t, { birthDate: yearsAgo(65) });
    const suspended = await createDiner(t, {
      birthDate: yearsAgo(72),
      status: 'SUSPENDED',
      statusEffectiveFrom: addDays(todayLocal(), -10),
    });
    const before = await mealCount();
    const q = (params: Record<string, string>) =>
      t.http().get(`/api/canteens/${canteen.id}/meals/quote`).query(params).set('Authorization', cashier.token);

    const fresh = await q({ idNumber: diner.idNumber, mealPeriod: 'LUNCH' }).expect(200);
    expect(fresh.body).toMatchObject({
      diner: { id: diner.id, name: '李桂兰', age: 81 },
      tier: '80_PLUS',
      priceFen: 1200,
      subsidyFen: 400,
      payableFen: 800,
      reason: 'TIER_80_PLUS',
      warnings: [],
    });
    expect(JSON.stringify(fresh.body)).not.toContain(diner.idNumber);

    const other = await createCanteen(t.db, { name: '馨泰颐养中心幸福食堂' });
    const otherCashier = await createUser(t, 'CASHIER', { canteenIds: [other.id] });
    await record(otherCashier.token, other.id, lunch(diner)).expect(201);
    const after = await q({ idNumber: diner.idNumber, mealPeriod: 'LUNCH' }).expect(200);
    expect(after.body).toMatchObject({ subsidyFen: 0, payableFen: 1200, reason: 'ALREADY_SUBSIDISED' });
    expect(after.body.warnings).toEqual([
      expect.objectContaining({ code: 'ALREADY_SUBSIDISED', canteenName: '馨泰颐养中心幸福食堂' }),
    ]);
    expect(after.body.warnings[0].message).toContain('馨泰颐养中心幸福食堂');

    const under = await q({ idNumber: young.idNumber, mealPeriod: 'LUNCH', priceFen: '800' }).expect(200);
    expect(under.body).toMatchObject({ priceFen: 800, subsidyFen: 0, reason: 'UNDER_AGE' });
    expect(under.body.warnings.map((w: { code: string }) => w.code)).toEqual(['UNDER_AGE']);

    const notEligible = await q({ idNumber: suspended.idNumber, mealPeriod: 'LUNCH' }).expect(200);
    expect(notEligible.body).toMatchObject({ subsidyFen: 0, reason: 'NOT_ELIGIBLE' });
    expect(notEligible.body.warnings).toEqual([expect.objectContaining({ code: 'NOT_ELIGIBLE', status: 'SUSPENDED' })]);

    const unknown = await q({ idNumber: '11010519491231002X', mealPeriod: 'LUNCH' }).expect(404);
    expect(unknown.body.code).toBe('DINER_NOT_FOUND');
    const bad = await q({ idNumber: '110105194912310021', mealPeriod: 'LUNCH' }).expect(400);
    expect(bad.body.code).toBe('ID_CHECKSUM');
    const noBreakfast = await createCanteen(t.db, { prices: { BREAKFAST: null as unknown as number } });
    const op = await createUser(t, 'OPERATOR', { canteenIds: [noBreakfast.id] });
    const noPrice = await t
      .http()
      .get(`/api/canteens/${noBreakfast.id}/meals/quote`)
      .query({ idNumber: diner.idNumber, mealPeriod: 'BREAKFAST' })
      .set('Authorization', op.token)
      .expect(400);
    expect(noPrice.body.code).toBe('NO_PRICE_FOR_PERIOD');
    expect(await mealCount()).toBe(before + 1);
  });

  it('answers 20 concurrent copies of one request with one meal and identical answers', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(78) });
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => record(cashier.token, canteen.id, lunch(diner), key)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const first = answers[0].body;
    for (const a of answers) expect(a.body).toEqual(first);
    expect(first).toMatchObject({ subsidyFen: 200, reason: 'TIER_70_79' });
    expect(await mealCount('diner_id = $1', [diner.id])).toBe(1);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'MEAL_RECORDED' AND entity_id = $1`,
      [first.id],
    );
    expect(n).toBe(1);
    // A later retry, too, gets the same answer.
    const later = await record(cashier.token, canteen.id, lunch(diner), key).expect(201);
    expect(later.body).toEqual(first);
  });

  it('refuses the same key with a different body with 422 and writes nothing', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(74) });
    const key = randomUUID();
    await record(cashier.token, canteen.id, lunch(diner), key).expect(201);
    const res = await record(cashier.token, canteen.id, lunch(diner, { priceFen: 1500 }), key).expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String) });
    expect(await mealCount('diner_id = $1', [diner.id])).toBe(1);
  });

  it('subsidises exactly one of 10 tills racing for one diner on one day; the rest pay full price', async () => {
    const canteens = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createCanteen(t.db, { name: `并发食堂${i}`, prices: { LUNCH: 1000 } })),
    );
    const op = await createUser(t, 'OPERATOR', { canteenIds: canteens.map((c) => c.id) });
    const diner = await createDiner(t, { birthDate: yearsAgo(82) });
    const answers = await Promise.all(canteens.map((c) => record(op.token, c.id, lunch(diner))));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    const subsidised = answers.filter((a) => a.body.subsidyFen > 0);
    expect(subsidised).toHaveLength(1);
    expect(subsidised[0].body).toMatchObject({ subsidyFen: 400, payableFen: 600, reason: 'TIER_80_PLUS' });
    for (const a of answers.filter((x) => x.body.subsidyFen === 0)) {
      expect(a.body).toMatchObject({ tier: '80_PLUS', priceFen: 1000, payableFen: 1000, reason: 'ALREADY_SUBSIDISED' });
    }
    expect(await mealCount('diner_id = $1', [diner.id])).toBe(10);
    expect(await mealCount('diner_id = $1 AND subsidy_fen > 0', [diner.id])).toBe(1);
  });

  it('frees the day’s subsidy when the subsidised meal is voided', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(71) });
    const first = await record(cashier.token, canteen.id, lunch(diner)).expect(201);
    const second = await record(cashier.token, canteen.id, lunch(diner, { mealPeriod: 'LUNCH' })).expect(201);
    expect(second.body.reason).toBe('ALREADY_SUBSIDISED');
    const voided = await t
      .http()
      .post(`/api/meals/${first.body.id}/void`)
      .set('Authorization', cashier.token)
      .send({ reason: '录错人了' })
      .expect(200);
    expect(voided.body).toMatchObject({
      id: first.body.id,
      voided: { by: cashier.id, reason: '录错人了', at: expect.any(String) },
    });
    const third = await record(cashier.token, canteen.id, lunch(diner)).expect(201);
    expect(third.body).toMatchObject({ subsidyFen: 200, reason: 'TIER_70_79' });
    const again = await t
      .http()
      .post(`/api/meals/${first.body.id}/void`)
      .set('Authorization', cashier.token)
      .send({ reason: '再作废一次' })
      .expect(409);
    expect(again.body.code).toBe('MEAL_ALREADY_VOIDED');
    const list = await t.http().get(`/api/canteens/${canteen.id}/meals`).set('Authorization', cashier.token);
    const mine = list.body.items.filter((m: { diner: { id: number } }) => m.diner.id === diner.id);
    expect(mine).toHaveLength(3);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'MEAL_VOIDED'
      AND entity_id = $1`,
      [first.body.id],
    );
    expect(n).toBe(1);
  });

  it('lets a cashier void only own meals of today, an operator any meal of its canteens, finance none', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(76) });
    const otherCashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const elsewhere = await createCanteen(t.db);
    const otherOperator = await createUser(t, 'OPERATOR', { canteenIds: [elsewhere.id] });
    const finance = await createUser(t, 'FINANCE');
    const byOther = await record(otherCashier.token, canteen.id, lunch(diner)).expect(201);
    const yesterday = addDays(todayLocal(), -1);
    const old = await insertMeal(t.db, {
      canteen,
      dinerId: diner.id,
      cashierUserId: cashier.id,
      servedAt: new Date(startOfLocalDay(yesterday).getTime() + 12 * HOUR),
      mealDate: yesterday,
      priceFen: 1200,
      subsidyFen: 200,
      age: 76,
      tier: '70_79',
      reason: 'TIER_70_79',
    });
    const voidAs = (token: string, id: string) =>
      t.http().post(`/api/meals/${id}/void`).set('Authorization', token).send({ reason: '测试作废' });

    expect((await voidAs(cashier.token, byOther.body.id).expect(403)).body.code).toBe('VOID_FORBIDDEN');
    expect((await voidAs(cashier.token, old).expect(403)).body.code).toBe('VOID_FORBIDDEN');
    expect((await voidAs(otherOperator.token, old).expect(404)).body.code).toBe('MEAL_NOT_FOUND');
    expect((await voidAs(finance.token, old).expect(403)).body.code).toBe('ROLE_FORBIDDEN');
    expect((await voidAs(cashier.token, 'abc').expect(404)).body.code).toBe('MEAL_NOT_FOUND');
    expect((await voidAs(cashier.token, '999999999').expect(404)).body.code).toBe('MEAL_NOT_FOUND');
    const blank = await t
      .http()
      .post(`/api/meals/${old}/void`)
      .set('Authorization', operator.token)
      .send({ reason: '  ' })
      .expect(400);
    expect(blank.body.code).toBe('VOID_REASON_REQUIRED');
    expect(await mealCount('diner_id = $1 AND voided_at IS NOT NULL', [diner.id])).toBe(0);

    await voidAs(otherCashier.token, byOther.body.id).expect(200);
    await voidAs(operator.token, old).expect(200);
    expect(await mealCount('diner_id = $1 AND voided_at IS NOT NULL', [diner.id])).toBe(2);
  });

  describe('back-dating windows', () => {
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const tryAt = async (user: UserFixture, offsetMs: number, status: number) => {
      const diner = await createDiner(t, { birthDate: yearsAgo(73) });
      return record(user.token, canteen.id, lunch(diner, { servedAt: at(offsetMs) })).expect(status);
    };

    it('lets a cashier back-date 24 hours but not 25', async () => {
      const ok = await tryAt(cashier, -23.9 * HOUR, 201);
      expect(ok.body.mealDate).toBe(localDateOf(new Date(Date.now() - 23.9 * HOUR)));
      const refused = await tryAt(cashier, -25 * HOUR, 400);
      expect(refused.body.code).toBe('SERVED_AT_OUT_OF_RANGE');
      expect(refused.body.message).toMatch(/24 小时/);
    });

    it('lets an operator back-date 7 days but not 8', async () => {
      await tryAt(operator, -6.9 * 24 * HOUR, 201);
      const refused = await tryAt(operator, -8 * 24 * HOUR, 400);
      expect(refused.body.code).toBe('SERVED_AT_OUT_OF_RANGE');
    });

    it('allows 5 minutes of clock skew into the future and no more', async () => {
      await tryAt(cashier, 4 * 60_000, 201);
      const refused = await tryAt(cashier, 6 * 60_000, 400);
      expect(refused.body).toMatchObject({ code: 'SERVED_AT_OUT_OF_RANGE', message: expect.stringMatching(/时间/) });
    });
  });

  describe('servedAt in every RFC 3339 form', () => {
    // An hour ago, at a millisecond of .123, written the ways client libraries write it; the forms with fewer digits
    // name the instants .000, .100 and .120 of the same second.
    const base = new Date(Math.floor((Date.now() - HOUR) / 1000) * 1000 + 123);
    const utc = base.toISOString().slice(0, 19); // 'YYYY-MM-DDTHH:MM:SS' in UTC
    const shanghai = new Date(base.getTime() + 8 * HOUR).toISOString().slice(0, 19);
    const forms = [
      `${utc}.123Z`,
      `${utc}.123456+00:00`, // Python, Java
      `${utc}.123456789Z`, // Go's RFC3339Nano
      `${shanghai}.1239+08:00`,
      `${shanghai.replace('T', 't')}.123000+08:00`,
      `${utc.replace('T', 't')}.123999999z`,
      `${utc}.123456-00:00`,
    ];
    const at = (ms: number): Date => new Date(base.getTime() - 123 + ms);
    const shortForms: [string, Date][] = [
      [`${utc}Z`, at(0)],
      [`${shanghai}+08:00`, at(0)],
      [`${utc}.1Z`, at(100)],
      [`${shanghai.replace('T', 't')}.1+08:00`, at(100)],
      [`${utc}.12z`, at(120)],
      [`${utc}.12-00:00`, at(120)],
    ];

    it('records the same instant, to the millisecond, however many digits and whatever case', async () => {
      for (const [servedAt, instant] of [...forms.map((f): [string, Date] => [f, base]), ...shortForms]) {
        const diner = await createDiner(t, { birthDate: yearsAgo(74) });
        const res = await record(operator.token, canteen.id, lunch(diner, { servedAt }));
        expect([servedAt, res.status]).toEqual([servedAt, 201]);
        const [row] = await t.db.query('SELECT served_at FROM meals WHERE id = $1', [res.body.id]);
        expect([servedAt, (row.served_at as Date).toISOString()]).toEqual([servedAt, instant.toISOString()]);
        expect(res.body.mealDate).toBe(localDateOf(instant));
      }
    });

    it('replays a key sent again with the same instant written with other digits, and refuses another instant', async () => {
      const diner = await createDiner(t, { birthDate: yearsAgo(74) });
      const key = randomUUID();
      const first = await record(operator.token, canteen.id, lunch(diner, { servedAt: forms[0] }), key).expect(201);
      for (const servedAt of forms.slice(1)) {
        const again = await record(operator.token, canteen.id, lunch(diner, { servedAt }), key);
        expect([servedAt, again.status, again.body]).toEqual([servedAt, 201, first.body]);
      }
      const other = await record(operator.token, canteen.id, lunch(diner, { servedAt: `${utc}.124Z` }), key);
      expect([other.status, other.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
      expect(await mealCount('diner_id = $1', [diner.id])).toBe(1);
    });

    it('refuses what RFC 3339 does not allow, or a time without an offset', async () => {
      const diner = await createDiner(t, { birthDate: yearsAgo(74) });
      for (const servedAt of [`${utc}`, `${utc}.Z`, `${utc}.1234567890Z`, `${utc}+0800`, `${utc.replace('T', ' ')}Z`]) {
        const res = await record(operator.token, canteen.id, lunch(diner, { servedAt }));
        expect([servedAt, res.status, res.body.code]).toEqual([servedAt, 400, 'VALIDATION_FAILED']);
      }
      expect(await mealCount('diner_id = $1', [diner.id])).toBe(0);
    });
  });

  it('gives the subsidy from the first second of the 70th birthday, not the second before', async () => {
    // Two days ago (three if that was 29 February, which 70 years earlier may not have had).
    const twoDaysAgo = addDays(todayLocal(), -2);
    const birthday = twoDaysAgo.endsWith('-02-29') ? addDays(todayLocal(), -3) : twoDaysAgo;
    const diner = await createDiner(t, { birthDate: `${Number(birthday.slice(0, 4)) - 70}${birthday.slice(4)}` });
    const midnight = startOfLocalDay(birthday).getTime();
    const before = await record(
      operator.token,
      canteen.id,
      lunch(diner, { mealPeriod: 'DINNER', servedAt: new Date(midnight - 30_000).toISOString() }),
    ).expect(201);
    expect(before.body).toMatchObject({ mealDate: addDays(birthday, -1), subsidyFen: 0, reason: 'UNDER_AGE' });
    expect(before.body.diner.age).toBe(69);
    const on = await record(
      operator.token,
      canteen.id,
      lunch(diner, { mealPeriod: 'BREAKFAST', servedAt: new Date(midnight + 30_000).toISOString() }),
    ).expect(201);
    expect(on.body).toMatchObject({ mealDate: birthday, subsidyFen: 200, reason: 'TIER_70_79' });
    expect(on.body.diner.age).toBe(70);
  });

  it('refuses bad requests with 400 and a stable code, writing nothing', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(77) });
    const before = await mealCount();
    const cases: [Record<string, unknown>, string, string | null][] = [
      [lunch(diner, { tip: 1 }), 'UNKNOWN_FIELD', randomUUID()],
      [lunch(diner, { priceFen: -1 }), 'VALIDATION_FAILED', randomUUID()],
      [lunch(diner, { priceFen: 12.5 }), 'VALIDATION_FAILED', randomUUID()],
      [lunch(diner, { priceFen: '1200' }), 'VALIDATION_FAILED', randomUUID()],
      [lunch(diner, { mealPeriod: 'SUPPER' }), 'VALIDATION_FAILED', randomUUID()],
      [lunch(diner, { verification: 'FACE' }), 'VALIDATION_FAILED', randomUUID()],
      [lunch(diner, { servedAt: 'yesterday' }), 'VALIDATION_FAILED', randomUUID()],
      // A day that does not exist is refused, not rolled over into the next month.
      [lunch(diner, { servedAt: '2025-02-30T12:00:00+08:00' }), 'SERVED_AT_INVALID', randomUUID()],
      [lunch(diner, { servedAt: `${todayLocal()}T24:00:00+08:00` }), 'SERVED_AT_INVALID', randomUUID()],
      [lunch(diner, { idNumber: '37150219' }), 'ID_FORMAT', randomUUID()],
      [lunch(diner, { idNumber: '371502195002301234' }), 'ID_BIRTHDATE', randomUUID()],
      [{ mealPeriod: 'LUNCH', verification: 'MANUAL_ENTRY' }, 'DINER_IDENTITY_REQUIRED', randomUUID()],
      [lunch(diner), 'IDEMPOTENCY_KEY_MISSING', null],
    ];
    for (const [body, code, key] of cases) {
      const res = await record(cashier.token, canteen.id, body, key);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code });
      expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
    }
    const unknown = await record(cashier.token, canteen.id, lunch(diner, { idNumber: '11010519491231002X' }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('DINER_NOT_FOUND');
    expect(await mealCount()).toBe(before);
  });

  it('keeps users to their own canteens and finance away from the till', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(79) });
    const elsewhere = await createCanteen(t.db);
    const res = await record(cashier.token, elsewhere.id, lunch(diner)).expect(403);
    expect(res.body.code).toBe('CANTEEN_FORBIDDEN');
    const finance = await createUser(t, 'FINANCE');
    expect((await record(finance.token, canteen.id, lunch(diner)).expect(403)).body.code).toBe('ROLE_FORBIDDEN');
    expect((await record(cashier.token, 999999, lunch(diner)).expect(404)).body.code).toBe('CANTEEN_NOT_FOUND');
    expect(await mealCount('diner_id = $1', [diner.id])).toBe(0);
  });

  it('gives the till its canteens with prices and the period by the clock', async () => {
    const res = await t.http().get('/api/till').set('Authorization', cashier.token).expect(200);
    expect(res.body.today).toBe(todayLocal());
    expect(res.body.canteens).toEqual([
      expect.objectContaining({
        id: canteen.id,
        name: '东关国际幸福食堂',
        prices: { BREAKFAST: 500, LUNCH: 1200, DINNER: 1000 },
        currentPeriod: expect.stringMatching(/^(BREAKFAST|LUNCH|DINNER)$/),
      }),
    ]);
  });

  describe('month locks', () => {
    let locked: CanteenFixture;
    let lockCashier: UserFixture;
    let lockOperator: UserFixture;
    let finance: UserFixture;

    beforeAll(async () => {
      locked = await createCanteen(t.db, { name: '锁月测试食堂' });
      lockCashier = await createUser(t, 'CASHIER', { canteenIds: [locked.id] });
      lockOperator = await createUser(t, 'OPERATOR', { canteenIds: [locked.id] });
      finance = await createUser(t, 'FINANCE');
    });

    const lockMonth = (token: string, month: string, body: Record<string, unknown>) =>
      t.http().post(`/api/months/${month}/lock`).set('Authorization', token).send(body);
    const unlockMonth = (token: string, month: string, body: Record<string, unknown>) =>
      t.http().post(`/api/months/${month}/unlock`).set('Authorization', token).send(body);

    it('refuses new, back-dated and voided meals in a locked month, and takes them again once unlocked', async () => {
      const diner = await createDiner(t, { birthDate: yearsAgo(80) });
      const month = monthOf(todayLocal());
      const earlierKey = randomUUID();
      const earlier = await record(lockCashier.token, locked.id, lunch(diner), earlierKey).expect(201);
      const threeDaysAgo = new Date(Date.now() - 3 * 24 * HOUR);
      const backMonth = monthOf(localDateOf(threeDaysAgo));

      await lockMonth(finance.token, month, { canteenId: locked.id }).expect(200);
      if (backMonth !== month) await lockMonth(finance.token, backMonth, { canteenId: locked.id }).expect(200);
      const again = await lockMonth(finance.token, month, { canteenId: locked.id }).expect(409);
      expect(again.body.code).toBe('MONTH_ALREADY_LOCKED');

      const before = await mealCount('canteen_id = $1', [locked.id]);
      const fresh = await record(lockCashier.token, locked.id, lunch(diner, { mealPeriod: 'DINNER' })).expect(409);
      expect(fresh.body).toMatchObject({ code: 'MONTH_LOCKED', message: expect.stringContaining('锁定') });
      const back = await record(
        lockOperator.token,
        locked.id,
        lunch(diner, { servedAt: threeDaysAgo.toISOString() }),
      ).expect(409);
      expect(back.body.code).toBe('MONTH_LOCKED');
      const voided = await t
        .http()
        .post(`/api/meals/${earlier.body.id}/void`)
        .set('Authorization', lockOperator.token)
        .send({ reason: '锁月后作废' })
        .expect(409);
      expect(voided.body.code).toBe('MONTH_LOCKED');
      expect(await mealCount('canteen_id = $1', [locked.id])).toBe(before);
      expect(await mealCount('id = $1 AND voided_at IS NULL', [earlier.body.id])).toBe(1);

      // A retry of a meal recorded before the lock still answers with that meal.
      const replay = await record(lockCashier.token, locked.id, lunch(diner), earlierKey).expect(201);
      expect(replay.body).toEqual(earlier.body);
      const locks = await t.http().get(`/api/months/${month}/locks`).set('Authorization', finance.token).expect(200);
      expect(locks.body.items).toEqual([
        expect.objectContaining({ canteenId: locked.id, active: true, canteenName: '锁月测试食堂' }),
      ]);

      const admin = await t.adminToken();
      expect(
        (await unlockMonth(finance.token, month, { canteenId: locked.id, reason: '更正' }).expect(403)).body.code,
      ).toBe('ROLE_FORBIDDEN');
      expect((await unlockMonth(admin, month, { canteenId: locked.id }).expect(400)).body.code).toBe(
        'VALIDATION_FAILED',
      );
      const unlocked = await unlockMonth(admin, month, { canteenId: locked.id, reason: '申报表需更正' }).expect(200);
      expect(unlocked.body).toMatchObject({ active: false, unlockReason: '申报表需更正' });
      if (backMonth !== month)
        await unlockMonth(admin, backMonth, { canteenId: locked.id, reason: '更正' }).expect(200);
      await record(lockCashier.token, locked.id, lunch(diner, { mealPeriod: 'DINNER' })).expect(201);
      const audit = await t.db.query(
        `SELECT action FROM audit_log WHERE action IN ('MONTH_LOCKED', 'MONTH_UNLOCKED') ORDER BY id`,
      );
      expect(audit.map((a: { action: string }) => a.action)).toEqual(
        backMonth === month
          ? ['MONTH_LOCKED', 'MONTH_UNLOCKED']
          : ['MONTH_LOCKED', 'MONTH_LOCKED', 'MONTH_UNLOCKED', 'MONTH_UNLOCKED'],
      );
    });

    it('refuses a meal whose insert waited while the month was being locked, and records it if the lock is dropped', async () => {
      const raceCanteen = await createCanteen(t.db, { name: '锁月竞态食堂' });
      const raceCashier = await createUser(t, 'CASHIER', { canteenIds: [raceCanteen.id] });
      const month = monthOf(todayLocal());
      const waitingInserts = async (): Promise<number> => {
        const [{ n }] = await t.db.query(
          // Only this file's database: other test runs share the server and take advisory locks of their own.
          `SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        return n;
      };
      // Plays MonthLocksService.lock on its own connection: exclusive lock, the lock row, then commit or not.
      const race = async (commit: boolean) => {
        const locker = t.db.createQueryRunner();
        await locker.connect();
        try {
          await locker.startTransaction();
          await locker.query(`SELECT pg_advisory_xact_lock(hashtext($1))::text`, [
            monthLockKey(raceCanteen.subdistrictId, month),
          ]);
          const diner = await createDiner(t, { birthDate: yearsAgo(82) });
          const pending = record(raceCashier.token, raceCanteen.id, lunch(diner)).then((r) => r);
          // The meal has passed its read (no lock yet) and waits in the trigger for the advisory lock.
          for (let i = 0; i < 200 && (await waitingInserts()) === 0; i++) await new Promise((r) => setTimeout(r, 10));
          expect(await waitingInserts()).toBe(1);
          await insertMonthLock(locker.manager, {
            subdistrictId: raceCanteen.subdistrictId,
            canteenId: raceCanteen.id,
            month,
            lockedBy: finance.id,
          });
          if (commit) await locker.commitTransaction();
          else await locker.rollbackTransaction();
          return { res: await pending, diner };
        } finally {
          await locker.release();
        }
      };

      const dropped = await race(false);
      expect(dropped.res.status).toBe(201);
      expect(dropped.res.body.subsidyFen).toBe(400);

      const refused = await race(true);
      expect(refused.res.status).toBe(409);
      expect(refused.res.body.code).toBe('MONTH_LOCKED');
      expect(await mealCount('diner_id = $1', [refused.diner.id])).toBe(0);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'MEAL_RECORDED' AND canteen_id = $1`,
        [raceCanteen.id],
      );
      expect(n).toBe(1);
    });

    it('locks a whole sub-district for finance only, and answers bad months and roles plainly', async () => {
      const nextYear = `${Number(todayLocal().slice(0, 4)) + 1}-01`;
      expect((await lockMonth(lockOperator.token, nextYear, {}).expect(403)).body.code).toBe('ROLE_FORBIDDEN');
      expect((await lockMonth(finance.token, '2025-13', {}).expect(400)).body.code).toBe('INVALID_MONTH');
      await lockMonth(finance.token, nextYear, {}).expect(200);
      const covered = await lockMonth(finance.token, nextYear, { canteenId: locked.id }).expect(409);
      expect(covered.body.code).toBe('MONTH_ALREADY_LOCKED');
      const notLocked = await unlockMonth(await t.adminToken(), nextYear, { canteenId: locked.id, reason: 'x' });
      expect(notLocked.status).toBe(404);
      expect(notLocked.body.code).toBe('MONTH_NOT_LOCKED');
    });
  });
});
