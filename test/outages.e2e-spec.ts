import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLAIMS_QUEUE, claimJobId } from '../src/queue/queue.constants';
import { waitForClaim } from './support/claims';
import { uniqueName } from './support/env';
import { createCanteen, createDiner, createUser } from './support/factories';
import { ScratchPostgres } from './support/postgres-server';
import { ScratchRedis } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker } from './support/test-worker';

// Outages of the stores the API depends on: it answers 503 with a stable code, promptly, and recovers by itself.
jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL stopped under a running API (a scratch server of the test)', () => {
  let pg: ScratchPostgres;
  let t: TestApp;

  beforeAll(async () => {
    pg = await ScratchPostgres.create();
    const url = await pg.createDatabase(uniqueName('hc_test_pgdown'));
    t = await startTestApp({ env: { DATABASE_URL: url } });
  });
  afterAll(async () => {
    await t?.close();
    await pg?.destroy();
  });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while it is away, and one meal per key once it is back', async () => {
    const canteen = await createCanteen(t.db);
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const diner = await createDiner(t, { birthDate: '1940-03-01' });
    const record = () =>
      t
        .http()
        .post(`/api/canteens/${canteen.id}/meals`)
        .set('authorization', cashier.token)
        .set('idempotency-key', 'outage-key-1')
        .send({ idNumber: diner.idNumber, mealPeriod: 'LUNCH', verification: 'ID_CARD_READER' });
    const list = () => t.http().get(`/api/canteens/${canteen.id}/meals`).set('authorization', cashier.token);
    await list().expect(200);

    // Fast shutdown: the pool's idle connections are terminated (57P01), new ones refused.
    await pg.stop();
    for (const res of [await record(), await list(), await record()]) {
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        statusCode: 503,
        code: 'DATABASE_UNAVAILABLE',
        message: expect.stringMatching(/数据库/),
      });
      expect(res.headers['retry-after']).toBe('5');
    }

    await pg.start();
    // The till retries with the same key until the API answers: no restart of the API.
    let recorded = await record();
    for (let i = 0; i < 40 && recorded.status === 503; i++) {
      await sleep(250);
      recorded = await record();
    }
    expect(recorded.status).toBe(201);
    const again = await record().expect(201);
    expect(again.body.id).toBe(recorded.body.id);
    await list().expect(200);
    const rows = await t.db.query(`SELECT count(*)::int AS n FROM meals WHERE idempotency_key = 'outage-key-1'`);
    expect(rows).toEqual([{ n: 1 }]);
  });
});

describe('Redis killed under a running API (a scratch redis-server of the test)', () => {
  let redis: ScratchRedis;
  let t: TestApp;
  let claimsDir: string;

  beforeAll(async () => {
    redis = await ScratchRedis.start();
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-claims-outage-'));
    t = await startTestApp({ env: { REDIS_URL: redis.url, CLAIMS_DIR: claimsDir } });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  it('answers POST /api/claims with 503 QUEUE_UNAVAILABLE promptly, and the claim is built once Redis is back', async () => {
    const finance = await createUser(t, 'FINANCE');
    await redis.kill();

    const started = Date.now();
    const res = await t.http().post('/api/claims').set('authorization', finance.token).send({ month: '2025-03' });
    // Not a timing assertion: a hang is caught by the test timeout; this only rules out minutes of waiting.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ statusCode: 503, code: 'QUEUE_UNAVAILABLE', message: expect.stringMatching(/队列/) });
    // A queue outage is usually a Redis restart: retry in 10 s (docs/API.md "Retry-After"), not the database's 5.
    expect(res.headers['retry-after']).toBe('10');

    // The claim stays QUEUED in PostgreSQL (the source of truth): never a job that half exists.
    const [claim] = await t.db.query(`SELECT id, status FROM claims WHERE month = '2025-03'`);
    expect(claim.status).toBe('QUEUED');

    // Redis returns (empty): a worker's sweep finds the claim that has no job and builds it.
    await redis.start();
    const worker = await startTestWorker(t.config);
    try {
      const done = await waitForClaim(t, finance.token, claim.id, 30_000);
      expect(done.status).toBe('DONE');
      const queue = t.app.get<Queue>(getQueueToken(CLAIMS_QUEUE));
      expect(await queue.getJob(claimJobId(claim.id))).toBeDefined();
    } finally {
      await worker.close();
    }
    const claims = await t.db.query(`SELECT count(*)::int AS n FROM claims WHERE month = '2025-03'`);
    expect(claims).toEqual([{ n: 1 }]);
  });
});
