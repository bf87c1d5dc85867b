import { createCanteen, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('Users, login and who may add whom (real PostgreSQL and Redis)', () => {
  let t: TestApp;
  let operator: UserFixture;
  let own: number;
  let other: number;

  beforeAll(async () => {
    t = await startTestApp();
    own = (await createCanteen(t.db)).id;
    other = (await createCanteen(t.db)).id;
    operator = await createUser(t, 'OPERATOR', { canteenIds: [own] });
  });
  afterAll(async () => {
    await t.close();
  });

  const addUser = (token: string, body: Record<string, unknown>) =>
    t.http().post('/api/users').set('authorization', token).send(body);

  it('lets an operator add a cashier of its own canteen, with a slow-hashed password, audited', async () => {
    const res = await addUser(operator.token, {
      username: ' New_Cashier ',
      password: 'cashier-pass-1',
      role: 'CASHIER',
      canteenIds: [own],
      displayName: '刘收银',
    }).expect(201);
    expect(res.body).toMatchObject({ username: 'new_cashier', role: 'CASHIER', canteenIds: [own], active: true });
    expect(res.body).not.toHaveProperty('passwordHash');
    const [row] = await t.db.query(`SELECT password_hash FROM users WHERE username = 'new_cashier'`);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const [audit] = await t.db.query(`SELECT actor_user_id, details FROM audit_log WHERE action = 'USER_CREATED'`);
    expect(audit).toEqual({
      actor_user_id: operator.id,
      details: { username: 'new_cashier', role: 'CASHIER', canteenIds: [own] },
    });
    expect(JSON.stringify(audit)).not.toContain('cashier-pass-1');
    await t.login('new_cashier', 'cashier-pass-1');
  });

  it('refuses an operator adding a cashier of another canteen, or any other role', async () => {
    const elsewhere = await addUser(operator.token, {
      username: 'sneaky1',
      password: 'cashier-pass-1',
      role: 'CASHIER',
      canteenIds: [other],
    }).expect(403);
    expect(elsewhere.body.code).toBe('CANTEEN_FORBIDDEN');
    const mixed = await addUser(operator.token, {
      username: 'sneaky2',
      password: 'cashier-pass-1',
      role: 'CASHIER',
      canteenIds: [own, other],
    }).expect(403);
    expect(mixed.body.code).toBe('CANTEEN_FORBIDDEN');
    for (const role of ['OPERATOR', 'FINANCE', 'ADMIN']) {
      const res = await addUser(operator.token, {
        username: `sneaky_${role.toLowerCase()}`,
        password: 'cashier-pass-1',
        role,
        canteenIds: [own],
      }).expect(403);
      expect(res.body.code).toBe('ROLE_FORBIDDEN');
    }
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE username LIKE 'sneaky%'`);
    expect(n).toBe(0);
  });

  it('answers 409 USERNAME_TAKEN for a username in use, and 400 for a cashier without a canteen', async () => {
    const admin = await t.adminToken();
    const taken = await addUser(admin, {
      username: 'NEW_CASHIER',
      password: 'another-pass-1',
      role: 'CASHIER',
      canteenIds: [other],
    }).expect(409);
    expect(taken.body).toMatchObject({ code: 'USERNAME_TAKEN', message: expect.stringContaining('已被使用') });
    const noCanteen = await addUser(admin, { username: 'lonely', password: 'another-pass-1', role: 'CASHIER' });
    expect(noCanteen.status).toBe(400);
    expect(noCanteen.body.code).toBe('CANTEENS_REQUIRED');
    const short = await addUser(admin, { username: 'fin1', password: 'short', role: 'FINANCE' }).expect(400);
    expect(short.body).toMatchObject({ code: 'VALIDATION_FAILED', message: '密码至少 8 位' });
  });

  it('answers 409 CANTEEN_NAME_TAKEN for a canteen name the sub-district already has (new or renamed)', async () => {
    const admin = await t.adminToken();
    const [{ name }] = await t.db.query(`SELECT name FROM canteens WHERE id = $1`, [own]);
    const created = await t
      .http()
      .post('/api/canteens')
      .set('authorization', admin)
      .send({ name, type: 'ENTERPRISE', prices: { LUNCH: 1200 } })
      .expect(409);
    expect(created.body).toMatchObject({ code: 'CANTEEN_NAME_TAKEN', message: '该街道已有同名食堂' });
    const renamed = await t
      .http()
      .patch(`/api/canteens/${other}`)
      .set('authorization', admin)
      .send({ name })
      .expect(409);
    expect(renamed.body.code).toBe('CANTEEN_NAME_TAKEN');
  });

  it('lists for an operator only the cashiers of its canteens', async () => {
    await createUser(t, 'CASHIER', { canteenIds: [other], username: 'other_cashier' });
    const res = await t.http().get('/api/users').set('authorization', operator.token).expect(200);
    expect(res.body.items.map((u: { username: string }) => u.username)).toEqual(['new_cashier']);
    const all = await t
      .http()
      .get('/api/users')
      .set('authorization', await t.adminToken())
      .expect(200);
    expect(all.body.items.map((u: { username: string }) => u.username)).toEqual(
      expect.arrayContaining(['admin', operator.username, 'new_cashier', 'other_cashier']),
    );
  });

  it("shuts a deactivated user's token out at once, and keeps old tokens out after reactivation", async () => {
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [own] });
    await t.http().get('/api/canteens').set('authorization', cashier.token).expect(200);
    await t
      .http()
      .patch(`/api/users/${cashier.id}`)
      .set('authorization', operator.token)
      .send({ active: false })
      .expect(200);
    const refused = await t.http().get('/api/canteens').set('authorization', cashier.token).expect(401);
    expect(refused.body.code).toBe('SESSION_INVALID');
    const login = await t
      .http()
      .post('/api/auth/login')
      .send({ username: cashier.username, password: cashier.password });
    expect(login.status).toBe(401);
    await t
      .http()
      .patch(`/api/users/${cashier.id}`)
      .set('authorization', operator.token)
      .send({ active: true })
      .expect(200);
    await t.http().get('/api/canteens').set('authorization', cashier.token).expect(401);
    const fresh = await t.login(cashier.username, cashier.password);
    await t.http().get('/api/canteens').set('authorization', fresh).expect(200);
    const [audit] = await t.db.query(
      `SELECT details FROM audit_log WHERE action = 'USER_CHANGED' AND entity_id = $1 ORDER BY id LIMIT 1`,
      [String(cashier.id)],
    );
    expect(audit.details).toEqual({ username: cashier.username, changes: { active: { from: true, to: false } } });
  });

  it('resets a password: the old one and its sessions stop working', async () => {
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [own] });
    await t
      .http()
      .patch(`/api/users/${cashier.id}`)
      .set('authorization', operator.token)
      .send({ password: 'brand-new-pass-9' })
      .expect(200);
    await t.http().get('/api/canteens').set('authorization', cashier.token).expect(401);
    await t.login(cashier.username, 'brand-new-pass-9');
  });

  it('refuses an operator any change to a cashier shared with a canteen it does not run, and changes nothing', async () => {
    // Cashier X works at canteens A (the operator's) and B (not); the operator of A must not take X over.
    const shared = await createUser(t, 'CASHIER', { canteenIds: [own, other] });
    const [before] = await t.db.query(`SELECT password_hash, active, display_name FROM users WHERE id = $1`, [
      shared.id,
    ]);
    for (const body of [
      { password: 'taken-over-pass-1' },
      { active: false },
      { canteenIds: [own] },
      { displayName: '改名' },
    ]) {
      const res = await t
        .http()
        .patch(`/api/users/${shared.id}`)
        .set('authorization', operator.token)
        .send(body)
        .expect(403);
      expect(res.body).toMatchObject({ code: 'CASHIER_SHARED', message: expect.stringContaining('系统管理员') });
    }
    const [after] = await t.db.query(`SELECT password_hash, active, display_name FROM users WHERE id = $1`, [
      shared.id,
    ]);
    expect(after).toEqual(before);
    const canteens = await t.db.query(`SELECT canteen_id FROM user_canteens WHERE user_id = $1 ORDER BY 1`, [
      shared.id,
    ]);
    expect(canteens.map((r: { canteen_id: number }) => r.canteen_id)).toEqual([own, other].sort((a, b) => a - b));
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'USER_CHANGED' AND entity_id = $1`,
      [String(shared.id)],
    );
    expect(n).toBe(0);
    // X's session and password are as they were.
    await t.http().get('/api/canteens').set('authorization', shared.token).expect(200);
    await t.login(shared.username, shared.password);
    // The operator still sees X among the cashiers of its canteen; an operator of both canteens, or an admin, manages X.
    const list = await t.http().get('/api/users').set('authorization', operator.token).expect(200);
    expect(list.body.items.map((u: { id: number }) => u.id)).toContain(shared.id);
    const both = await createUser(t, 'OPERATOR', { canteenIds: [own, other] });
    await t
      .http()
      .patch(`/api/users/${shared.id}`)
      .set('authorization', both.token)
      .send({ displayName: '两店收银' })
      .expect(200);
    await t
      .http()
      .patch(`/api/users/${shared.id}`)
      .set('authorization', await t.adminToken())
      .send({ canteenIds: [own] })
      .expect(200);
    // No longer shared: now the operator of A manages X.
    await t
      .http()
      .patch(`/api/users/${shared.id}`)
      .set('authorization', operator.token)
      .send({ password: 'reset-by-operator-1' })
      .expect(200);
  });

  it('refuses weak passwords with 400 PASSWORD_WEAK and a reason, on creating a user and on a reset', async () => {
    const admin = await t.adminToken();
    for (const [password, rule] of [
      ['12345678', 'COMMON'],
      ['        ', 'BLANK'],
      ['password', 'COMMON'],
      ['weak_user1', 'CONTAINS_USERNAME'],
      ['abcdefghij', 'TOO_SIMPLE'],
    ]) {
      const res = await addUser(admin, { username: 'weak_user1', password, role: 'FINANCE' }).expect(400);
      expect(res.body).toMatchObject({ code: 'PASSWORD_WEAK', details: { rule } });
      expect(res.body.message).toMatch(/密码/);
    }
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE username = 'weak_user1'`);
    expect(n).toBe(0);
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [own] });
    const [before] = await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [cashier.id]);
    const reset = await t
      .http()
      .patch(`/api/users/${cashier.id}`)
      .set('authorization', operator.token)
      .send({ password: `${cashier.username}1` })
      .expect(400);
    expect(reset.body).toMatchObject({ code: 'PASSWORD_WEAK', details: { rule: 'CONTAINS_USERNAME' } });
    const [after] = await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [cashier.id]);
    expect(after.password_hash).toBe(before.password_hash);
    await t.http().get('/api/canteens').set('authorization', cashier.token).expect(200);
  });

  // Trusted proxy on loopback: X-Forwarded-For names the client, so each case has an address of its own.
  const loginFrom = (ip: string, username: string, password: string) =>
    t.http().post('/api/auth/login').set('x-forwarded-for', ip).send({ username, password });

  it('throttles failed logins per user with 429 LOGIN_THROTTLED, even with the right password', async () => {
    const victim = await createUser(t, 'CASHIER', { canteenIds: [own] });
    for (let i = 0; i < 5; i++) {
      const res = await loginFrom(`203.0.113.${10 + i}`, victim.username, `wrong-${i}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    }
    const res = await loginFrom('203.0.113.99', victim.username, victim.password).expect(429);
    expect(res.body).toEqual({ statusCode: 429, code: 'LOGIN_THROTTLED', message: expect.stringContaining('15 分钟') });
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'LOGIN_FAILED' AND details->>'username' = $1`,
      [victim.username],
    );
    expect(n).toBe(5);
  });

  it('throttles failed logins per address after 20, whichever usernames are tried', async () => {
    const bystander = await createUser(t, 'CASHIER', { canteenIds: [own] });
    for (let i = 0; i < 20; i++) {
      await loginFrom('198.51.100.7', `nobody${i}`, 'guess-guess').expect(401);
    }
    const res = await loginFrom('198.51.100.7', bystander.username, bystander.password).expect(429);
    expect(res.body.code).toBe('LOGIN_THROTTLED');
    await loginFrom('198.51.100.8', bystander.username, bystander.password).expect(200);
  });
});
