import { randomUUID } from 'node:crypto';
import { addDays, todayLocal } from '../src/common/local-date';
import { makeIdNumber } from '../src/subsidy/id-number';
import { CanteenFixture, createCanteen, createDiner, createUser, DinerFixture, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// SPEC §4 "Offline", §6: meals an offline till recorded, sent later with `offline: true`, the original servedAt,
// when the till lost the server and the subsidy it quoted. The server decides; a lower subsidy is an offline
// conflict the operator settles. Real PostgreSQL and Redis.

const HOUR = 3_600_000;
jest.setTimeout(60_000);

const yearsAgo = (years: number): string => {
  const d = todayLocal();
  const md = d.slice(5) === '02-29' ? '02-28' : d.slice(5);
  return `${Number(d.slice(0, 4)) - years}-${md}`;
};

describe('Offline meals and offline conflicts (real PostgreSQL)', () => {
  let t: TestApp;
  let canteen: CanteenFixture;
  let other: CanteenFixture;
  let cashier: UserFixture;
  let operator: UserFixture;
  let otherOperator: UserFixture;

  const record = (token: string, canteenId: number, body: Record<string, unknown>, key: string = randomUUID()) =>
    t
      .http()
      .post(`/api/canteens/${canteenId}/meals`)
      .set('Authorization', token)
      .set('Idempotency-Key', key)
      .send(body);

  /** A lunch served `agoMs` ago by a till offline since `offlineAgoMs` ago that quoted `provisional`. */
  const offlineLunch = (idNumber: string, provisional: number, agoMs = HOUR, offlineAgoMs = 2 * HOUR) => ({
    idNumber,
    mealPeriod: 'LUNCH',
    verification: 'ID_CARD_READER',
    servedAt: new Date(Date.now() - agoMs).toISOString(),
    confirmOutsideHours: true,
    offline: true,
    offlineSince: new Date(Date.now() - offlineAgoMs).toISOString(),
    provisionalSubsidyFen: provisional,
  });
  const conflictsOf = async (canteenId: number): Promise<Record<string, unknown>[]> =>
    t.db.query(`SELECT * FROM offline_conflicts WHERE canteen_id = $1 ORDER BY id`, [canteenId]);

  beforeAll(async () => {
    t = await startTestApp();
    canteen = await createCanteen(t.db, { name: '东关国际幸福食堂', prices: { LUNCH: 1200 } });
    other = await createCanteen(t.db, { name: '馨泰颐养中心幸福食堂', prices: { LUNCH: 1000 } });
    cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
    otherOperator = await createUser(t, 'OPERATOR', { canteenIds: [other.id] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('records an offline meal at its original servedAt, flagged offline, with no conflict when the quote held', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(82) });
    const body = offlineLunch(diner.idNumber, 400);
    const res = await record(cashier.token, canteen.id, body).expect(201);
    expect(res.body).toMatchObject({ subsidyFen: 400, payableFen: 800, offline: true, tier: '80_PLUS' });
    const [row] = await t.db.query(`SELECT offline, served_at FROM meals WHERE id = $1`, [res.body.id]);
    expect(row.offline).toBe(true);
    expect(row.served_at.toISOString()).toBe(body.servedAt);
    expect(await t.db.query(`SELECT id FROM offline_conflicts WHERE meal_id = $1`, [res.body.id])).toEqual([]);
    const list = await t
      .http()
      .get(`/api/canteens/${canteen.id}/meals?offline=true&date=${res.body.mealDate}`)
      .set('Authorization', operator.token)
      .expect(200);
    expect(list.body.items.map((m: { id: string }) => m.id)).toContain(res.body.id);
    const online = await t
      .http()
      .get(`/api/canteens/${canteen.id}/meals?offline=false&date=${res.body.mealDate}`)
      .set('Authorization', operator.token)
      .expect(200);
    expect(online.body.items.map((m: { id: string }) => m.id)).not.toContain(res.body.id);
  });

  it('makes a conflict when the diner was already subsidised elsewhere that day, with the amount under-collected', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(75) });
    const otherCashier = await createUser(t, 'CASHIER', { canteenIds: [other.id] });
    // Online at the other canteen first: the day's subsidy is used.
    await record(otherCashier.token, other.id, {
      idNumber: diner.idNumber,
      mealPeriod: 'LUNCH',
      verification: 'ID_CARD_READER',
    }).expect(201);
    const res = await record(cashier.token, canteen.id, offlineLunch(diner.idNumber, 200, 10 * 60_000)).expect(201);
    expect(res.body).toMatchObject({ subsidyFen: 0, payableFen: 1200, reason: 'ALREADY_SUBSIDISED', offline: true });
    const [c] = await t.db.query(`SELECT * FROM offline_conflicts WHERE meal_id = $1`, [res.body.id]);
    expect(c).toMatchObject({
      provisional_subsidy_fen: 200,
      subsidy_fen: 0,
      under_collected_fen: 200,
      reason: 'ALREADY_SUBSIDISED',
      id_number_hmac: null,
      settled_at: null,
    });
    expect(c.id_number_masked).toBe(`371502********${diner.idNumber.slice(14)}`);
    const list = await t
      .http()
      .get(`/api/canteens/${canteen.id}/offline-conflicts?settled=false`)
      .set('Authorization', operator.token)
      .expect(200);
    const mine = list.body.items.find((x: { mealId: string }) => x.mealId === res.body.id);
    expect(mine).toMatchObject({
      diner: { id: diner.id, name: diner.name },
      underCollectedFen: 200,
      provisionalSubsidyFen: 200,
      subsidyFen: 0,
      settled: null,
      mealVoided: false,
    });
  });

  it('makes a conflict for a diner no longer eligible', async () => {
    const diner = await createDiner(t, {
      birthDate: yearsAgo(85),
      status: 'MOVED_AWAY',
      statusEffectiveFrom: addDays(todayLocal(), -30),
    });
    const res = await record(cashier.token, canteen.id, offlineLunch(diner.idNumber, 400)).expect(201);
    expect(res.body).toMatchObject({ subsidyFen: 0, reason: 'NOT_ELIGIBLE' });
    const [c] = await t.db.query(`SELECT under_collected_fen, reason FROM offline_conflicts WHERE meal_id = $1`, [
      res.body.id,
    ]);
    expect(c).toEqual({ under_collected_fen: 400, reason: 'NOT_ELIGIBLE' });
  });

  it('keeps an unregistered diner’s meal as a conflict row (masked and keyed hash only), answered 202, once', async () => {
    const idNumber = makeIdNumber('371502', yearsAgo(78), 913);
    const key = randomUUID();
    const body = offlineLunch(idNumber, 200);
    const first = await record(cashier.token, canteen.id, body, key).expect(202);
    expect(first.body).toMatchObject({
      mealId: null,
      diner: null,
      reason: 'NOT_REGISTERED',
      underCollectedFen: 200,
      priceFen: 1200,
      maskedIdNumber: `371502********${idNumber.slice(14)}`,
    });
    const again = await record(cashier.token, canteen.id, body, key).expect(202);
    expect(again.body).toEqual(first.body);
    const rows = await t.db.query(`SELECT * FROM offline_conflicts WHERE idempotency_key = $1`, [key]);
    expect(rows).toHaveLength(1);
    expect(rows[0].id_number_hmac).toBeInstanceOf(Buffer);
    // Nothing stores the plain number: not the conflict, not the audit log.
    expect(JSON.stringify(rows[0])).not.toContain(idNumber);
    const audit = await t.db.query(`SELECT details::text AS d FROM audit_log WHERE entity_type = 'offline_conflict'`);
    expect(audit.length).toBeGreaterThan(0);
    for (const a of audit) expect(a.d).not.toContain(idNumber);
    expect(await t.db.query(`SELECT id FROM meals WHERE idempotency_key = $1`, [key])).toEqual([]);
  });

  it('keeps offlineSince in every RFC 3339 form to the millisecond (finer digits truncated, any case, any offset)', async () => {
    // Two hours ago at a millisecond of .123; the meal an hour ago. Each form keeps its conflict's offline_since.
    const base = new Date(Math.floor((Date.now() - 2 * HOUR) / 1000) * 1000 + 123);
    const utc = base.toISOString().slice(0, 19); // 'YYYY-MM-DDTHH:MM:SS' in UTC
    const shanghai = new Date(base.getTime() + 8 * HOUR).toISOString().slice(0, 19);
    const second = new Date(base.getTime() - 123).toISOString();
    const forms: [string, string][] = [
      [`${utc}Z`, second], // no fraction
      [`${utc}.123456Z`, base.toISOString()], // Python, Java
      [`${utc}.123999999Z`, base.toISOString()], // Go's RFC3339Nano: truncated, not rounded
      [`${utc.replace('T', 't')}.123z`, base.toISOString()],
      [`${shanghai}.123+08:00`, base.toISOString()],
      [`${shanghai.replace('T', 't')}.123456789+08:00`, base.toISOString()],
    ];
    let seq = 600;
    for (const [offlineSince, stored] of forms) {
      const idNumber = makeIdNumber('110105', yearsAgo(80), ++seq);
      const res = await record(cashier.token, canteen.id, { ...offlineLunch(idNumber, 400), offlineSince });
      expect([offlineSince, res.status]).toEqual([offlineSince, 202]);
      const [row] = await t.db.query(`SELECT offline_since FROM offline_conflicts WHERE id = $1`, [res.body.id]);
      expect([offlineSince, (row.offline_since as Date).toISOString()]).toEqual([offlineSince, stored]);
    }
  });

  it('refuses an unregistered diner without a provisional subsidy as online (nothing under-collected)', async () => {
    const idNumber = makeIdNumber('371502', yearsAgo(60), 915);
    const res = await record(cashier.token, canteen.id, offlineLunch(idNumber, 0)).expect(404);
    expect(res.body.code).toBe('DINER_NOT_FOUND');
  });

  it('records exactly once when the sending is cut off midway and retried (copies at once, then again)', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(75) });
    const otherCashier = await createUser(t, 'CASHIER', { canteenIds: [other.id] });
    await record(otherCashier.token, other.id, {
      idNumber: diner.idNumber,
      mealPeriod: 'LUNCH',
      verification: 'MANUAL_ENTRY',
    }).expect(201);
    const key = randomUUID();
    const body = offlineLunch(diner.idNumber, 200, 20 * 60_000);
    // A send whose answer is lost: the client gives up after a few milliseconds, whatever the server did.
    await record(cashier.token, canteen.id, body, key)
      .timeout(3)
      .then(
        () => undefined,
        () => undefined,
      );
    const answers = await Promise.all([1, 2, 3, 4].map(() => record(cashier.token, canteen.id, body, key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    const last = await record(cashier.token, canteen.id, body, key).expect(201);
    expect(new Set([...answers, last].map((a) => a.body.id)).size).toBe(1);
    expect(await t.db.query(`SELECT id FROM meals WHERE idempotency_key = $1`, [key])).toHaveLength(1);
    expect(await t.db.query(`SELECT id FROM offline_conflicts WHERE idempotency_key = $1`, [key])).toHaveLength(1);
    // The same key with another quote is another request.
    const reused = await record(cashier.token, canteen.id, { ...body, provisionalSubsidyFen: 0 }, key).expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  describe('the window, counted from when the till went offline', () => {
    it('accepts a cashier’s meal of a till offline for less than 24 hours', async () => {
      const diner = await createDiner(t, { birthDate: yearsAgo(75) });
      await record(cashier.token, canteen.id, offlineLunch(diner.idNumber, 200, 22 * HOUR, 23 * HOUR)).expect(201);
    });

    it('refuses a cashier’s meal once the till has been offline for more than 24 hours, even a recent one', async () => {
      const diner = await createDiner(t, { birthDate: yearsAgo(75) });
      const res = await record(cashier.token, canteen.id, offlineLunch(diner.idNumber, 200, HOUR, 25 * HOUR)).expect(
        400,
      );
      expect(res.body.code).toBe('OFFLINE_WINDOW_EXPIRED');
      expect(res.body.message).toMatch(/24 小时/);
      expect(await t.db.query(`SELECT id FROM meals WHERE diner_id = $1`, [diner.id])).toEqual([]);
    });

    it('gives an operator 7 days from when the till went offline', async () => {
      const diner = await createDiner(t, { birthDate: yearsAgo(75) });
      await record(operator.token, canteen.id, offlineLunch(diner.idNumber, 200, 3 * 24 * HOUR, 6 * 24 * HOUR)).expect(
        201,
      );
      const res = await record(
        operator.token,
        canteen.id,
        offlineLunch(diner.idNumber, 200, 2 * 24 * HOUR, 8 * 24 * HOUR),
      ).expect(400);
      expect(res.body.code).toBe('OFFLINE_WINDOW_EXPIRED');
    });

    it('refuses a meal served before the till went offline, or in the future', async () => {
      const diner = await createDiner(t, { birthDate: yearsAgo(75) });
      const before = await record(cashier.token, canteen.id, offlineLunch(diner.idNumber, 200, 3 * HOUR, 2 * HOUR));
      expect([before.status, before.body.code]).toEqual([400, 'OFFLINE_FIELDS_INVALID']);
      const future = await record(cashier.token, canteen.id, offlineLunch(diner.idNumber, 200, -HOUR, 2 * HOUR));
      expect([future.status, future.body.code]).toEqual([400, 'SERVED_AT_OUT_OF_RANGE']);
    });
  });

  describe('refused offline input, with stable codes and nothing written', () => {
    let diner: DinerFixture;
    beforeAll(async () => {
      diner = await createDiner(t, { birthDate: yearsAgo(75), cardNo: `OFF-${Date.now()}` });
    });
    const cases: [string, () => Record<string, unknown>, string][] = [
      [
        'offline without offlineSince',
        () => ({ ...offlineLunch(diner.idNumber, 200), offlineSince: undefined }),
        'OFFLINE_FIELDS_INVALID',
      ],
      [
        'offline without servedAt',
        () => ({ ...offlineLunch(diner.idNumber, 200), servedAt: undefined }),
        'OFFLINE_FIELDS_INVALID',
      ],
      [
        'a provisional subsidy without offline',
        () => ({ ...offlineLunch(diner.idNumber, 200), offline: undefined }),
        'OFFLINE_FIELDS_INVALID',
      ],
      ['a provisional subsidy above the price', () => offlineLunch(diner.idNumber, 1300), 'OFFLINE_FIELDS_INVALID'],
      [
        'a meal card offline',
        () => ({ ...offlineLunch('', 200), idNumber: undefined, cardNo: 'OFF-1', verification: 'MEAL_CARD' }),
        'OFFLINE_ID_NUMBER_REQUIRED',
      ],
      [
        'offlineSince not an instant',
        () => ({ ...offlineLunch(diner.idNumber, 200), offlineSince: '2025-13-01T00:00:00Z' }),
        'OFFLINE_FIELDS_INVALID',
      ],
    ];
    it.each(cases)('%s', async (_name, body, code) => {
      const res = await record(cashier.token, canteen.id, body()).expect(400);
      expect(res.body.code).toBe(code);
      expect(typeof res.body.message).toBe('string');
      expect(await t.db.query(`SELECT id FROM meals WHERE diner_id = $1`, [diner.id])).toEqual([]);
    });
  });

  describe('settling', () => {
    let conflictId: string;
    beforeAll(async () => {
      const idNumber = makeIdNumber('371502', yearsAgo(81), 917);
      const res = await record(cashier.token, canteen.id, offlineLunch(idNumber, 400)).expect(202);
      conflictId = res.body.id;
    });

    it('refuses cashiers, finance and reviewers, and operators of another canteen', async () => {
      for (const role of ['CASHIER', 'FINANCE', 'REVIEWER'] as const) {
        const u = role === 'CASHIER' ? cashier : await createUser(t, role);
        const res = await t
          .http()
          .post(`/api/offline-conflicts/${conflictId}/settle`)
          .set('Authorization', u.token)
          .send({ note: '已补收' })
          .expect(403);
        expect(res.body.code).toBe('ROLE_FORBIDDEN');
      }
      const res = await t
        .http()
        .post(`/api/offline-conflicts/${conflictId}/settle`)
        .set('Authorization', otherOperator.token)
        .send({ note: '已补收' })
        .expect(404);
      expect(res.body.code).toBe('OFFLINE_CONFLICT_NOT_FOUND');
      const list = await t
        .http()
        .get(`/api/canteens/${canteen.id}/offline-conflicts`)
        .set('Authorization', otherOperator.token)
        .expect(403);
      expect(list.body.code).toBe('CANTEEN_FORBIDDEN');
      const byCashier = await t
        .http()
        .get(`/api/canteens/${canteen.id}/offline-conflicts`)
        .set('Authorization', cashier.token)
        .expect(403);
      expect(byCashier.body.code).toBe('ROLE_FORBIDDEN');
    });

    it('refuses a blank note', async () => {
      const res = await t
        .http()
        .post(`/api/offline-conflicts/${conflictId}/settle`)
        .set('Authorization', operator.token)
        .send({ note: '   ' })
        .expect(400);
      expect(res.body.code).toBe('SETTLE_NOTE_REQUIRED');
    });

    it('settles once with a note, audited, and moves it to the settled list', async () => {
      const res = await t
        .http()
        .post(`/api/offline-conflicts/${conflictId}/settle`)
        .set('Authorization', operator.token)
        .send({ note: '老人已登记，已补收 ¥4.00' })
        .expect(200);
      expect(res.body.settled).toMatchObject({
        by: operator.id,
        byUsername: operator.username,
        note: '老人已登记，已补收 ¥4.00',
      });
      const again = await t
        .http()
        .post(`/api/offline-conflicts/${conflictId}/settle`)
        .set('Authorization', operator.token)
        .send({ note: '再来一次' })
        .expect(409);
      expect(again.body.code).toBe('OFFLINE_CONFLICT_ALREADY_SETTLED');
      const [a] = await t.db.query(
        `SELECT actor_user_id, details FROM audit_log WHERE action = 'OFFLINE_CONFLICT_SETTLED' AND entity_id = $1`,
        [conflictId],
      );
      expect(a).toMatchObject({ actor_user_id: operator.id, details: { note: '老人已登记，已补收 ¥4.00' } });
      const open = await t
        .http()
        .get(`/api/canteens/${canteen.id}/offline-conflicts?settled=false`)
        .set('Authorization', operator.token)
        .expect(200);
      expect(open.body.items.map((c: { id: string }) => c.id)).not.toContain(conflictId);
      const settled = await t
        .http()
        .get(`/api/canteens/${canteen.id}/offline-conflicts?settled=true`)
        .set('Authorization', operator.token)
        .expect(200);
      expect(settled.body.items.map((c: { id: string }) => c.id)).toContain(conflictId);
      expect(await conflictsOf(canteen.id)).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: conflictId })]),
      );
    });

    it('answers 404 for an unknown conflict and 400 for a bad settled filter', async () => {
      const res = await t
        .http()
        .post(`/api/offline-conflicts/987654321/settle`)
        .set('Authorization', operator.token)
        .send({ note: 'x' })
        .expect(404);
      expect(res.body.code).toBe('OFFLINE_CONFLICT_NOT_FOUND');
      await t
        .http()
        .get(`/api/canteens/${canteen.id}/offline-conflicts?settled=maybe`)
        .set('Authorization', operator.token)
        .expect(400);
    });
  });
});
