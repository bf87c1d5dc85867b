import { createCanteen, createUser, UserFixture } from './support/factories';
import { LogCapture, startTestApp, TestApp } from './support/test-app';

// Issue 16: a cashier's password is reset to one the server generates, answered once (never in a browser prompt,
// never logged, never in the audit log), and the cashier's sessions end.
describe('POST /api/users/{id}/reset-password', () => {
  let t: TestApp;
  const logs = new LogCapture();
  let operator: UserFixture;
  let cashier: UserFixture;
  let otherCashier: UserFixture;

  beforeAll(async () => {
    t = await startTestApp({ logStream: logs, env: { LOG_LEVEL: 'debug' } });
    const own = await createCanteen(t.db);
    const other = await createCanteen(t.db);
    operator = await createUser(t, 'OPERATOR', { canteenIds: [own.id] });
    cashier = await createUser(t, 'CASHIER', { canteenIds: [own.id] });
    otherCashier = await createUser(t, 'CASHIER', { canteenIds: [other.id] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const reset = (by: UserFixture | string, id: number) =>
    t
      .http()
      .post(`/api/users/${id}/reset-password`)
      .set('Authorization', typeof by === 'string' ? by : by.token);

  it('answers a new generated password once, which logs in; the old password and sessions stop working', async () => {
    const res = await reset(operator, cashier.id).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const password = res.body.password as string;
    expect(res.body).toEqual({ id: cashier.id, username: cashier.username, password: expect.any(String) });
    expect(password).toMatch(/^[A-Za-z2-9]{12}$/);
    // The cashier's session ended with the reset.
    expect((await t.http().get('/api/till').set('Authorization', cashier.token)).status).toBe(401);
    expect(
      (await t.http().post('/api/auth/login').send({ username: cashier.username, password: cashier.password })).status,
    ).toBe(401);
    await t.login(cashier.username, password);
    // Stored hashed only; audited without the password; never in the logs.
    const [row]: { password_hash: string }[] = await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [
      cashier.id,
    ]);
    expect(row.password_hash).not.toContain(password);
    const audit: { actor_user_id: number; details: unknown }[] = await t.db.query(
      `SELECT actor_user_id, details FROM audit_log WHERE action = 'USER_CHANGED' AND entity_id = $1`,
      [String(cashier.id)],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: operator.id, details: { changes: { passwordReset: true } } });
    expect(JSON.stringify(audit)).not.toContain(password);
    expect(logs.text).toContain('reset-password');
    expect(logs.text).not.toContain(password);
    // A second reset makes another password.
    const again = await reset(operator, cashier.id).expect(200);
    expect(again.body.password).not.toBe(password);
  });

  it('lets an operator reset only cashiers of its canteens, and a cashier nobody', async () => {
    expect((await reset(operator, otherCashier.id).expect(404)).body.code).toBe('USER_NOT_FOUND');
    expect((await reset(operator, 2_000_000).expect(404)).body.code).toBe('USER_NOT_FOUND');
    expect((await reset(otherCashier, operator.id).expect(403)).body.code).toBe('ROLE_FORBIDDEN');
    await reset(await t.adminToken(), otherCashier.id).expect(200);
  });
});
