import { makeIdNumber } from '../src/subsidy/id-number';
import { createCanteen, createSubdistrict, createUser, UserFixture } from './support/factories';
import { LogCapture, startTestApp, TestApp } from './support/test-app';

const ID_80 = makeIdNumber('371502', '1940-03-15', 124); // a woman (even sequence) of 80+
const ID_72 = makeIdNumber('371502', '1952-11-02', 457);

describe('Diner register (real PostgreSQL)', () => {
  const logs = new LogCapture();
  let t: TestApp;
  let cashier: UserFixture;
  let operator: UserFixture;
  let finance: UserFixture;
  let canteenId: number;

  beforeAll(async () => {
    t = await startTestApp({ logStream: logs, env: { LOG_LEVEL: 'info' } });
    const canteen = await createCanteen(t.db);
    canteenId = canteen.id;
    cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
    finance = await createUser(t, 'FINANCE');
  });
  afterAll(async () => {
    await t.close();
  });

  const register = (token: string, body: Record<string, unknown>) =>
    t.http().post('/api/diners').set('authorization', token).send(body);

  it('registers a diner, answers with the ID number masked only, and audits it', async () => {
    const before = logs.lines.length;
    // Typed as a clerk might: spaces and a full-width digit; stored normalised.
    const last = ID_80[17] === 'X' ? 'ｘ' : String.fromCharCode(0xff10 + Number(ID_80[17]));
    const typed = ` ${ID_80.slice(0, 6)} ${ID_80.slice(6, 17)}${last}`;
    const res = await register(cashier.token, { name: '王秀英', idNumber: typed, phone: '13800000001' }).expect(201);
    expect(res.body).toMatchObject({
      name: '王秀英',
      maskedIdNumber: `371502********${ID_80.slice(14)}`,
      sex: 'F',
      status: 'ACTIVE',
      registeredCanteenId: canteenId,
    });
    expect(res.body.age).toBeGreaterThanOrEqual(80);
    expect(JSON.stringify(res.body)).not.toContain(ID_80);
    expect(res.body).not.toHaveProperty('idNumber');

    const [audit] = await t.db.query(
      `SELECT actor_user_id, details, ip FROM audit_log WHERE action = 'DINER_CREATED' AND entity_id = $1`,
      [String(res.body.id)],
    );
    expect(audit.actor_user_id).toBe(cashier.id);
    expect(audit.ip).toBeTruthy();
    expect(JSON.stringify(audit.details)).not.toContain(ID_80);

    // Privacy: the request's log lines carry no plain ID number (but the request was logged).
    const lines = logs.lines.slice(before).join('\n');
    expect(lines).toContain('/api/diners');
    expect(lines).not.toContain(ID_80);
    expect(lines).not.toContain(ID_80.slice(0, 17));
  });

  it('stores the ID number only encrypted, with a keyed hash, in the diners table', async () => {
    const rows: Record<string, unknown>[] = await t.db.query(`SELECT * FROM diners`);
    expect(rows.length).toBeGreaterThan(0);
    const dump = JSON.stringify(rows, (_k, v: unknown) =>
      v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer'
        ? Buffer.from((v as { data: number[] }).data).toString('latin1')
        : v,
    );
    expect(dump).not.toContain(ID_80);
    expect(dump).not.toContain(ID_80.slice(6, 14)); // not even the birth date as digits
    for (const row of rows) {
      expect(row.id_number_masked).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
      expect((row.id_number_enc as Buffer).length).toBeGreaterThan(28);
      expect((row.id_number_hmac as Buffer).length).toBe(32);
    }
  });

  it('refuses a second registration of the same person with 409 DINER_EXISTS and the existing id', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM diners WHERE name = '王秀英'`);
    const res = await register(operator.token, { name: '王秀英（重复）', idNumber: ID_80.toLowerCase() }).expect(409);
    expect(res.body).toMatchObject({ code: 'DINER_EXISTS', details: { dinerId: id } });
    expect(res.body.message).not.toContain(ID_80);
  });

  it.each([
    ['ID_FORMAT', '37150219400315'],
    ['ID_BIRTHDATE', makeIdNumber('371502', '1940-03-15', 1).replace('19400315', '19400231')],
    ['ID_CHECKSUM', ID_72.slice(0, 17) + (ID_72[17] === '0' ? '1' : '0')],
  ])('refuses an ID number with %s', async (code, idNumber) => {
    const res = await register(cashier.token, { name: '李四', idNumber }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code });
    expect(res.body.message).toMatch(/身份证/);
  });

  it('finds diners by ID number, meal card and name part, and never shows a full number in a list', async () => {
    const reg = await register(operator.token, {
      name: '张建国',
      idNumber: ID_72,
      cardNo: 'LY-0001',
      community: '东关社区',
    }).expect(201);
    const byId = await t
      .http()
      .get('/api/diners')
      .query({ idNumber: ID_72 })
      .set('authorization', cashier.token)
      .expect(200);
    expect(byId.body.items).toEqual([expect.objectContaining({ id: reg.body.id, name: '张建国', cardNo: 'LY-0001' })]);
    const byCard = await t
      .http()
      .get('/api/diners')
      .query({ cardNo: 'LY-0001' })
      .set('authorization', finance.token)
      .expect(200);
    expect(byCard.body.items.map((d: { id: number }) => d.id)).toEqual([reg.body.id]);
    const byName = await t.http().get('/api/diners').query({ q: '建' }).set('authorization', cashier.token).expect(200);
    expect(byName.body.items.map((d: { name: string }) => d.name)).toEqual(['张建国']);
    const none = await t
      .http()
      .get('/api/diners')
      .query({ idNumber: makeIdNumber('371502', '1945-01-01', 9) })
      .set('authorization', cashier.token)
      .expect(200);
    expect(none.body.items).toEqual([]);
    const bad = await t
      .http()
      .get('/api/diners')
      .query({ idNumber: '12345' })
      .set('authorization', cashier.token)
      .expect(400);
    expect(bad.body.code).toBe('ID_FORMAT');
    const all = await t.http().get('/api/diners').set('authorization', operator.token).expect(200);
    expect(all.body.items.length).toBe(2);
    const text = JSON.stringify([byId.body, byCard.body, byName.body, all.body]);
    expect(text).not.toContain(ID_72);
    expect(text).not.toContain(ID_80);
  });

  it('keeps diners of another sub-district out of sight (404) unless found by the full ID number', async () => {
    const otherSub = await createSubdistrict(t.db);
    const otherCanteen = await createCanteen(t.db, { subdistrictId: otherSub });
    const otherOp = await createUser(t, 'OPERATOR', { canteenIds: [otherCanteen.id], subdistrictId: otherSub });
    const idNumber = makeIdNumber('371502', '1950-05-05', 211);
    const res = await register(otherOp.token, { name: '张建国', idNumber }).expect(201);
    expect(res.body.subdistrictId).toBe(otherSub);
    await t.http().get(`/api/diners/${res.body.id}`).set('authorization', operator.token).expect(404);
    const list = await t.http().get('/api/diners').query({ q: '张' }).set('authorization', operator.token).expect(200);
    expect(list.body.items.map((d: { id: number }) => d.id)).not.toContain(res.body.id);
    // One register for the city: the full ID number finds the diner anywhere, so nobody is registered twice.
    const found = await t
      .http()
      .get('/api/diners')
      .query({ idNumber })
      .set('authorization', operator.token)
      .expect(200);
    expect(found.body.items.map((d: { id: number }) => d.id)).toEqual([res.body.id]);
  });

  it('updates contact details and the meal card, audited without the ID number', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM diners WHERE name = '王秀英'`);
    const res = await t
      .http()
      .patch(`/api/diners/${id}`)
      .set('authorization', operator.token)
      .send({ phone: '0635-8888888', community: '柳园社区', cardNo: 'LY-0002' })
      .expect(200);
    expect(res.body).toMatchObject({ phone: '0635-8888888', community: '柳园社区', cardNo: 'LY-0002' });
    const taken = await t
      .http()
      .patch(`/api/diners/${id}`)
      .set('authorization', operator.token)
      .send({ cardNo: 'LY-0001' })
      .expect(409);
    expect(taken.body.code).toBe('CARD_NO_TAKEN');
    const [audit] = await t.db.query(
      `SELECT details FROM audit_log WHERE action = 'DINER_CHANGED' AND entity_id = $1 ORDER BY id DESC LIMIT 1`,
      [String(id)],
    );
    expect(audit.details.fields).toEqual(['phone', 'community', 'cardNo']);
  });

  it('refuses a phone or meal-card number shaped like an ID number, in any form, and stores nothing', async () => {
    const id = makeIdNumber('371502', '1945-07-01', 333);
    const shapes = [id, id.slice(0, 17), '371502-19450701-3331', `C${id.slice(0, 17)}`];
    for (const [i, value] of shapes.entries()) {
      const card = await register(cashier.token, {
        name: `卡号${i}`,
        idNumber: makeIdNumber('371502', '1950-01-01', 600 + i),
        cardNo: value,
      });
      expect(card.status).toBe(400);
      expect(card.body).toMatchObject({ code: 'LOOKS_LIKE_ID_NUMBER', details: { field: 'cardNo' } });
      expect(card.body.message).toContain('就餐卡号');
    }
    const phone = await register(cashier.token, {
      name: '电话',
      idNumber: makeIdNumber('371502', '1950-01-01', 700),
      phone: '371502 19450701 3331',
    }).expect(400);
    expect(phone.body).toMatchObject({ code: 'LOOKS_LIKE_ID_NUMBER', details: { field: 'phone' } });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM diners WHERE name LIKE '卡号%' OR name = '电话'`);
    expect(n).toBe(0);
    // The same on a change; ordinary phone and card numbers still pass.
    const ok = await register(cashier.token, {
      name: '正常',
      idNumber: makeIdNumber('371502', '1950-01-01', 800),
      phone: '+86 138 0013 8000',
      cardNo: 'LY-20230001',
    }).expect(201);
    const patched = await t
      .http()
      .patch(`/api/diners/${ok.body.id}`)
      .set('authorization', operator.token)
      .send({ cardNo: id })
      .expect(400);
    expect(patched.body.code).toBe('LOOKS_LIKE_ID_NUMBER');
    const [row] = await t.db.query(`SELECT card_no FROM diners WHERE id = $1`, [ok.body.id]);
    expect(row.card_no).toBe('LY-20230001');
  });

  it('changes status with an effective date, audited', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM diners WHERE name = '张建国' ORDER BY id LIMIT 1`);
    const res = await t
      .http()
      .post(`/api/diners/${id}/status`)
      .set('authorization', operator.token)
      .send({ status: 'MOVED_AWAY', effectiveFrom: '2022-11-01', note: '随子女迁往济南' })
      .expect(200);
    expect(res.body).toMatchObject({ status: 'MOVED_AWAY', statusLabel: '已迁出', statusEffectiveFrom: '2022-11-01' });
    const bad = await t
      .http()
      .post(`/api/diners/${id}/status`)
      .set('authorization', operator.token)
      .send({ status: 'GONE', effectiveFrom: '2022-11-31' })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const [audit] = await t.db.query(
      `SELECT details FROM audit_log WHERE action = 'DINER_STATUS_CHANGED' AND entity_id = $1`,
      [String(id)],
    );
    expect(audit.details).toMatchObject({ from: 'ACTIVE', to: 'MOVED_AWAY', effectiveFrom: '2022-11-01' });
  });

  it('reveals the full ID number to finance, and audits the reveal', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM diners WHERE name = '王秀英'`);
    const res = await t.http().post(`/api/diners/${id}/reveal`).set('authorization', finance.token).expect(200);
    expect(res.body).toEqual({ id, name: '王秀英', idNumber: ID_80 });
    const audits = await t.db.query(
      `SELECT actor_user_id, details FROM audit_log WHERE action = 'DINER_REVEALED' AND entity_id = $1`,
      [String(id)],
    );
    expect(audits).toEqual([
      { actor_user_id: finance.id, details: { maskedIdNumber: expect.stringContaining('****') } },
    ]);
    const denied = await t.http().post(`/api/diners/${id}/reveal`).set('authorization', cashier.token).expect(403);
    expect(denied.body.code).toBe('ROLE_FORBIDDEN');
  });
});
