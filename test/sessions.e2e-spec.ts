import { createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// Issue 15: sessions slide with use (idle limit), never past an absolute limit; own password change; who am I.
describe('Sliding sessions and the signed-in person (real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '10' } });
  });
  afterAll(() => t.close());

  const sessionOf = async (user: UserFixture) => {
    const [row] = await t.db.query(
      `SELECT extract(epoch FROM expires_at - now())::float AS idle_left,
              extract(epoch FROM absolute_expires_at - created_at)::float AS max_len, expires_at
         FROM sessions s WHERE user_id = $1 AND revoked_at IS NULL`,
      [user.id],
    );
    return row as { idle_left: number; max_len: number; expires_at: Date };
  };
  const me = (token: string) => t.http().get('/api/auth/me').set('Authorization', token);

  it('starts a session with the idle limit and the absolute limit of the settings', async () => {
    const user = await createUser(t, 'CASHIER');
    const s = await sessionOf(user);
    expect(s.idle_left).toBeGreaterThan(29 * 60);
    expect(s.idle_left).toBeLessThanOrEqual(30 * 60);
    expect(s.max_len).toBeCloseTo(10 * 3600, -1);
  });

  it('moves the idle end forward on use, writing at most once a minute', async () => {
    const user = await createUser(t, 'CASHIER');
    // The session was last used 20 minutes ago: 10 minutes of idle time left.
    await t.db.query(`UPDATE sessions SET expires_at = now() + interval '10 minutes' WHERE user_id = $1`, [user.id]);
    await me(user.token).expect(200);
    const slid = await sessionOf(user);
    expect(slid.idle_left).toBeGreaterThan(29 * 60);
    // Used again at once: nothing to write.
    await me(user.token).expect(200);
    expect((await sessionOf(user)).expires_at.getTime()).toBe(slid.expires_at.getTime());
  });

  it('never slides past the absolute end, and refuses the session after it', async () => {
    const user = await createUser(t, 'CASHIER');
    await t.db.query(
      `UPDATE sessions SET expires_at = now() + interval '1 minute', absolute_expires_at = now() + interval '5 minutes'
        WHERE user_id = $1`,
      [user.id],
    );
    await me(user.token).expect(200);
    const s = await sessionOf(user);
    expect(s.idle_left).toBeGreaterThan(4 * 60);
    expect(s.idle_left).toBeLessThanOrEqual(5 * 60);
    await t.db.query(
      `UPDATE sessions SET expires_at = now() - interval '1 second', absolute_expires_at = now() - interval '1 second'
        WHERE user_id = $1`,
      [user.id],
    );
    expect((await me(user.token).expect(401)).body.code).toBe('SESSION_INVALID');
  });

  it('ends a session unused for the idle limit', async () => {
    const user = await createUser(t, 'CASHIER');
    await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    expect((await me(user.token).expect(401)).body.code).toBe('SESSION_INVALID');
  });

  it("answers the person's display name on login and on /me (the username when none is set)", async () => {
    const named = await createUser(t, 'CASHIER', { displayName: '罗小梅' });
    const unnamed = await createUser(t, 'FINANCE');
    const login = await t
      .http()
      .post('/api/auth/login')
      .send({ username: named.username, password: named.password })
      .expect(200);
    expect(login.body.user).toMatchObject({ username: named.username, displayName: '罗小梅', role: 'CASHIER' });
    expect((await me(named.token).expect(200)).body.displayName).toBe('罗小梅');
    expect((await me(unnamed.token).expect(200)).body).toMatchObject({
      username: unnamed.username,
      displayName: unnamed.username,
      role: 'FINANCE',
    });
  });

  it('changes the own password: the current one is checked, weak ones refused, other sessions end', async () => {
    const user = await createUser(t, 'OPERATOR');
    const other = await t.login(user.username, user.password);
    const change = (currentPassword: string, newPassword: string) =>
      t.http().post('/api/auth/password').set('Authorization', user.token).send({ currentPassword, newPassword });
    expect((await change('wrong-password-1', 'Fresh-pass-42').expect(400)).body.code).toBe('CURRENT_PASSWORD_WRONG');
    expect((await change(user.password, '12345678').expect(400)).body.code).toBe('PASSWORD_WEAK');
    await change(user.password, 'Fresh-pass-42').expect(204);
    await me(user.token).expect(200);
    expect((await me(other).expect(401)).body.code).toBe('SESSION_INVALID');
    await t.http().post('/api/auth/login').send({ username: user.username, password: 'Fresh-pass-42' }).expect(200);
    await t.http().post('/api/auth/login').send({ username: user.username, password: user.password }).expect(401);
  });
});
