import { loadConfig } from '../src/config/app-config';
import { startTestApp, TestApp, TEST_ADMIN } from './support/test-app';

// Issue 12 §8: security headers on pages and API, API docs behind a setting, TRUST_PROXY as a setting.

async function loginIp(t: TestApp, forwardedFor: string): Promise<string | null> {
  await t.http().post('/api/auth/login').set('X-Forwarded-For', forwardedFor).send(TEST_ADMIN).expect(200);
  const [row] = await t.db.query(`SELECT ip FROM audit_log WHERE action = 'LOGIN' ORDER BY id DESC LIMIT 1`);
  return row.ip === null ? null : String(row.ip).replace(/\/32$/, '');
}

describe('Deployment settings', () => {
  describe('by default', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    it.each(['/', '/till', '/display', '/api/health', '/api/canteens', '/api/no-such-route'])(
      'sends the security headers on %s, and no X-Powered-By',
      async (path) => {
        const res = await t.http().get(path);
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(res.headers['content-security-policy']).toContain("script-src 'self'");
        expect(res.headers['content-security-policy']).not.toContain('unsafe');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-powered-by']).toBeUndefined();
      },
    );

    it('serves the API docs, with a policy that lets Swagger UI style itself', async () => {
      const res = await t.http().get('/api/docs').redirects(1).expect(200);
      expect(res.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      await t.http().get('/api/docs-json').expect(200);
    });

    it('takes the client address from X-Forwarded-For only through a loopback proxy', async () => {
      expect(await loginIp(t, '203.0.113.7')).toBe('203.0.113.7');
    });
  });

  describe('with API_DOCS=off and TRUST_PROXY=false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { API_DOCS: 'off', TRUST_PROXY: 'false' } });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    it('has no API docs', async () => {
      const docs = await t.http().get('/api/docs').expect(404);
      expect(docs.body.code).toBe('NOT_FOUND');
      await t.http().get('/api/docs-json').expect(404);
    });

    it('records the connecting address, whatever X-Forwarded-For says', async () => {
      const ip = await loginIp(t, '203.0.113.7');
      expect(ip).not.toBe('203.0.113.7');
      expect(ip).toMatch(/127\.0\.0\.1/);
    });
  });

  it('accepts the forms Express takes for TRUST_PROXY and refuses the rest', () => {
    const base = {
      DATABASE_URL: 'postgres://x@localhost/test',
      REDIS_URL: 'redis://localhost',
      PII_ENCRYPTION_KEY: 'a'.repeat(64),
      PII_HMAC_KEY: 'b'.repeat(64),
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'admin-pass-123',
    };
    for (const ok of ['loopback', 'false', 'true', '1', '10.0.0.0/8', 'loopback, 10.1.2.3', '::1', 'fd00::/8'])
      expect(loadConfig({ ...base, TRUST_PROXY: ok }).TRUST_PROXY).toBe(ok);
    for (const bad of ['everyone', '10.0.0.0/33', '300.1.1.1', 'loopback/8'])
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ ...base, API_DOCS: 'maybe' })).toThrow(/API_DOCS/);
  });
});
