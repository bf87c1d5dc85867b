import { Test } from '@nestjs/testing';
import { spawn } from 'node:child_process';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AppModule } from '../src/app.module';
import { BootstrapService } from '../src/users/bootstrap.service';
import { ScratchRedis } from './support/redis-server';
import { createTestDatabase } from './support/test-db';
import { LogCapture, startTestApp, TEST_ADMIN, testConfig, TestApp } from './support/test-app';

describe('Foundation (real PostgreSQL and Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers liveness and readiness with both stores up', async () => {
    await t.http().get('/api/health').expect(200, { status: 'ok' });
    const ready = await t.http().get('/api/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
  });

  it('serves the OpenAPI document and the start page', async () => {
    const docs = await t.http().get('/api/docs').expect(200);
    expect(docs.text).toContain('swagger');
    const json = await t.http().get('/api/docs-json').expect(200);
    expect(Object.keys(json.body.paths)).toContain('/api/auth/login');
    const page = await t.http().get('/').expect(200);
    expect(page.text).toContain('幸福食堂');
  });

  it('has run every migration against the real database', async () => {
    const rows: { name: string }[] = await t.db.query('SELECT name FROM typeorm_migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['Foundation1764300000000']));
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subsidy_policy_versions`);
    expect(n).toBe(1);
  });

  it('bootstraps the first admin and sub-district once, however often it runs', async () => {
    await t.app.get(BootstrapService).onApplicationBootstrap();
    const users = await t.db.query(`SELECT username, role FROM users`);
    expect(users).toEqual([{ username: TEST_ADMIN.username, role: 'ADMIN' }]);
    const subs = await t.db.query(`SELECT name FROM subdistricts`);
    expect(subs).toEqual([{ name: '柳园街道' }]);
    const login = await t.http().post('/api/auth/login').send(TEST_ADMIN).expect(200);
    expect(login.body.user).toMatchObject({ username: 'admin', role: 'ADMIN', canteenIds: [] });
    expect(typeof login.body.accessToken).toBe('string');
  });

  it('refuses an unknown body field with 400 and a stable code, in Chinese', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .send({ ...TEST_ADMIN, isAdmin: true })
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      code: 'UNKNOWN_FIELD',
      message: expect.stringContaining('isAdmin'),
      details: { fields: ['isAdmin'] },
    });
    expect(res.body.message).toMatch(/不允许的字段/);
  });

  it('answers malformed JSON, unknown routes and missing tokens in the one error shape', async () => {
    const bad = await t
      .http()
      .post('/api/auth/login')
      .set('content-type', 'application/json')
      .send('{"username":')
      .expect(400);
    expect(bad.body).toEqual({ statusCode: 400, code: 'INVALID_JSON', message: expect.any(String) });
    const missing = await t.http().get('/api/nothing-here').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    const anon = await t.http().post('/api/auth/logout').expect(401);
    expect(anon.body).toMatchObject({ code: 'UNAUTHENTICATED', message: '请先登录' });
    expect(JSON.stringify(anon.body)).not.toMatch(/at .*\.ts/);
  });

  it('shuts a logged-out token out at once', async () => {
    const token = await t.login(TEST_ADMIN.username, TEST_ADMIN.password);
    await t.http().post('/api/auth/logout').set('authorization', token).expect(204);
    const res = await t.http().post('/api/auth/logout').set('authorization', token).expect(401);
    expect(res.body.code).toBe('SESSION_INVALID');
  });
});

describe('PostgreSQL pool', () => {
  it('opens at most DB_POOL_SIZE connections per process, however many requests wait', async () => {
    const t = await startTestApp({ env: { DB_POOL_SIZE: '2' } });
    try {
      const pool = (t.db.driver as PostgresDriver).master as Pool;
      await Promise.all(Array.from({ length: 12 }, () => t.http().get('/api/health/ready').expect(200)));
      expect(pool.options.max).toBe(2);
      expect(pool.totalCount).toBeLessThanOrEqual(2);
      expect(pool.totalCount).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});

describe('Request logs', () => {
  it('are JSON lines with the request, and mask ID numbers in URLs and messages', async () => {
    const logs = new LogCapture();
    const t = await startTestApp({ logStream: logs, env: { LOG_LEVEL: 'info' } });
    try {
      await t.http().get('/api/nothing?idNumber=11010519491231002X&legacy=110105491231002').expect(404);
      const line = logs.lines.map((l) => JSON.parse(l)).find((l) => l.req?.url?.startsWith('/api/nothing'));
      expect(line).toMatchObject({ level: 40, req: { method: 'GET' }, res: { statusCode: 404 } });
      expect(line.req.url).toBe('/api/nothing?idNumber=110105********002X&legacy=110105*****1002');
      expect(logs.text).not.toContain('11010519491231002X');
      expect(logs.text).not.toContain('110105491231002');
    } finally {
      await t.close();
    }
  });
});

describe('Foundation against a Redis of its own', () => {
  it('reports Redis down in readiness while it is down, and up again when it is back', async () => {
    const redis = await ScratchRedis.start();
    const t = await startTestApp({ env: { REDIS_URL: redis.url } });
    try {
      await t.http().get('/api/health/ready').expect(200);
      await redis.kill();
      const down = await t.http().get('/api/health/ready').expect(503);
      expect(down.body).toEqual({ status: 'unavailable', checks: { postgres: 'up', redis: 'down' } });
      await t.http().get('/api/health').expect(200);
      await redis.start();
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 250));
        status = (await t.http().get('/api/health/ready')).status;
      }
      expect(status).toBe(200);
    } finally {
      await t.close();
      await redis.kill();
    }
  });

  it('refuses to start on a Redis with an evicting maxmemory-policy', async () => {
    const redis = await ScratchRedis.start('allkeys-lru');
    const db = await createTestDatabase();
    try {
      const config = testConfig(db.url, { REDIS_URL: redis.url });
      const boot = Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
      await expect(boot).rejects.toThrow(/maxmemory-policy 为 "allkeys-lru".*noeviction/);
    } finally {
      await redis.kill();
      await db.drop();
    }
  });
});

describe('First admin from the environment', () => {
  it('refuses to create the first admin with a weak ADMIN_PASSWORD, and creates no user', async () => {
    const db = await createTestDatabase();
    try {
      const config = testConfig(db.url, { ADMIN_PASSWORD: '12345678' });
      const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      try {
        await expect(app.init()).rejects.toThrow(/ADMIN_PASSWORD.*COMMON/);
        const [{ n }] = await app.get(DataSource).query(`SELECT count(*)::int AS n FROM users`);
        expect(n).toBe(0);
      } finally {
        await app.close();
      }
    } finally {
      await db.drop();
    }
  });
});

describe('Start-up with a bad environment', () => {
  it('exits non-zero and lists every bad variable', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      TS_NODE_TRANSPILE_ONLY: '1',
      DATABASE_URL: 'mysql://nope',
      REDIS_URL: 'redis://127.0.0.1:1',
      PORT: 'eighty',
      PII_ENCRYPTION_KEY: 'short',
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'x',
      LOG_LEVEL: 'loud',
      DB_POOL_SIZE: '0',
    };
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register', 'src/main.ts'], { env, cwd: `${__dirname}/..` });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (c) => resolve({ code: c, stderr: err }));
    });
    expect(code).toBe(1);
    for (const name of [
      'DATABASE_URL',
      'PORT',
      'PII_ENCRYPTION_KEY',
      'PII_HMAC_KEY',
      'ADMIN_PASSWORD',
      'LOG_LEVEL',
      'DB_POOL_SIZE',
    ]) {
      expect(stderr).toContain(`${name}:`);
    }
    expect(stderr).not.toContain('REDIS_URL:');
    expect(stderr).toContain('环境变量配置有误');
  }, 60_000);
});
