import { createCanteen, createUser, UserFixture } from './support/factories';
import { requestFrom } from './support/http-from';
import { ScratchRedis } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';

// Every client below has an address of its own on the loopback network (127.0.0.x). createUser logs in through the
// API from 127.0.0.1, so that is each user's known address.
describe('Login throttle under parallel bursts (real PostgreSQL)', () => {
  let t: TestApp;
  let canteenId: number;

  beforeAll(async () => {
    t = await startTestApp();
    canteenId = (await createCanteen(t.db)).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (from: string, username: string, password: string) =>
    requestFrom(t.url, from, 'POST', '/api/auth/login', { username, password });
  const burst = (n: number, from: string, attempt: (i: number) => { username: string; password: string }) =>
    Promise.all(Array.from({ length: n }, (_, i) => attempt(i)).map((a) => login(from, a.username, a.password)));
  const tally = (statuses: number[]) =>
    statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
  const failuresLogged = async (username: string): Promise<number> => {
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'LOGIN_FAILED' AND details->>'username' = $1`,
      [username],
    );
    return n;
  };
  const cashier = (): Promise<UserFixture> => createUser(t, 'CASHIER', { canteenIds: [canteenId] });

  it('checks exactly 5 of 40 parallel wrong passwords for one account; the rest are 429 unchecked', async () => {
    const victim = await cashier();
    const res = await burst(40, '127.0.0.2', (i) => ({ username: victim.username, password: `wrong-guess-${i}` }));
    expect(tally(res.map((r) => r.status))).toEqual({ 401: 5, 429: 35 });
    expect(await failuresLogged(victim.username)).toBe(5);
    expect(res.find((r) => r.status === 429)?.body).toEqual({
      statusCode: 429,
      code: 'LOGIN_THROTTLED',
      message: expect.stringContaining('15 分钟'),
    });
  });

  it('checks at most 20 of 40 parallel guesses from one address across usernames', async () => {
    const res = await burst(40, '127.0.0.3', (i) => ({ username: `nobody_${i}`, password: 'guess-guess-1' }));
    expect(tally(res.map((r) => r.status))).toEqual({ 401: 20, 429: 20 });
    // A user who never logged in there is throttled there too; at its own known address it is not.
    const bystander = await cashier();
    expect((await login('127.0.0.3', bystander.username, bystander.password)).status).toBe(429);
    expect((await login('127.0.0.1', bystander.username, bystander.password)).status).toBe(200);
  });

  it('lets no login in past the limit when the right password comes last of 30 parallel ones', async () => {
    for (const from of ['127.0.0.4', '127.0.0.1']) {
      const victim = await cashier();
      const res = await burst(30, from, (i) => ({
        username: victim.username,
        password: i === 29 ? victim.password : `wrong-guess-${i}`,
      }));
      const checked = res.filter((r) => r.status !== 429);
      expect(checked.length).toBeLessThanOrEqual(5);
      expect(res.every((r) => [200, 401, 429].includes(r.status))).toBe(true);
      // Had the right one been checked after five wrong ones, it would have been the sixth.
      expect(res.filter((r) => r.status === 401).length + res.filter((r) => r.status === 200).length).toBe(
        checked.length,
      );
      expect(await failuresLogged(victim.username)).toBe(res.filter((r) => r.status === 401).length);
    }
  });

  it('keeps the owner able to log in at their known address while a stranger is locked out', async () => {
    const owner = await cashier();
    const attack = await burst(40, '127.0.0.5', (i) => ({ username: owner.username, password: `wrong-guess-${i}` }));
    expect(attack.filter((r) => r.status === 401)).toHaveLength(5);
    // With the right password, from anywhere the owner never logged in: still refused.
    expect((await login('127.0.0.6', owner.username, owner.password)).status).toBe(429);
    // From the owner's till: in.
    const home = await login('127.0.0.1', owner.username, owner.password);
    expect(home.status).toBe(200);
    await t.http().get('/api/canteens').set('authorization', `Bearer ${home.body.accessToken}`).expect(200);
    // The owner's login does not reopen the door to the stranger.
    expect((await login('127.0.0.5', owner.username, 'wrong-guess-again')).status).toBe(429);
    expect(await failuresLogged(owner.username)).toBe(5);
  });

  it('throttles the owner at a known address too after 5 failures there, and forgets them after a success', async () => {
    const owner = await cashier();
    for (let i = 0; i < 4; i++) expect((await login('127.0.0.1', owner.username, `typo-${i}`)).status).toBe(401);
    expect((await login('127.0.0.1', owner.username, owner.password)).status).toBe(200);
    const res = await burst(10, '127.0.0.1', (i) => ({ username: owner.username, password: `typo-again-${i}` }));
    expect(tally(res.map((r) => r.status))).toEqual({ 401: 5, 429: 5 });
    expect((await login('127.0.0.1', owner.username, owner.password)).status).toBe(429);
  });

  it('makes an address known by a successful login there', async () => {
    const owner = await cashier();
    expect((await login('127.0.0.7', owner.username, owner.password)).status).toBe(200);
    await burst(10, '127.0.0.8', (i) => ({ username: owner.username, password: `wrong-guess-${i}` }));
    expect((await login('127.0.0.9', owner.username, owner.password)).status).toBe(429);
    expect((await login('127.0.0.7', owner.username, owner.password)).status).toBe(200);
  });
});

describe('Login with Redis unreachable', () => {
  it('logs in, refuses a wrong password and serves the token while Redis is down', async () => {
    const redis = await ScratchRedis.start();
    const t = await startTestApp({ env: { REDIS_URL: redis.url } });
    try {
      const canteen = await createCanteen(t.db);
      const user = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
      await redis.kill();
      await t.http().get('/api/health/ready').expect(503);
      const wrong = await t.http().post('/api/auth/login').send({ username: user.username, password: 'not-it-1' });
      expect(wrong.status).toBe(401);
      const res = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
      expect(res.status).toBe(200);
      await t.http().get('/api/canteens').set('authorization', `Bearer ${res.body.accessToken}`).expect(200);
      // Back before closing, so that the app's Redis clients shut down instead of reconnecting.
      await redis.start();
    } finally {
      await t.close();
      await redis.kill();
    }
  });
});
