import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PiiCipher } from '../src/common/pii-cipher';
import { AppConfig } from '../src/config/app-config';
import { insertDiners } from '../src/diners/diner.queries';
import { makeIdNumber } from '../src/subsidy/id-number';
import { CLAIMS_QUEUE, claimJobId } from '../src/queue/queue.constants';
import { sha256, waitForClaim } from './support/claims';
import { createCanteen, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { ScratchRedis } from './support/redis-server';
import { spawnWorker, startTestWorker } from './support/test-worker';

// Faults: BullMQ delivers at least once, workers die, Redis forgets. A claim still ends DONE exactly once.
jest.setTimeout(60_000);

describe('Monthly claims under faults', () => {
  let t: TestApp;
  let claimsDir: string;
  let finance: UserFixture;
  let queue: Queue;

  beforeAll(async () => {
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-claims-faults-'));
    t = await startTestApp({
      // A dead worker's job is found again within seconds instead of 30 s.
      env: {
        CLAIMS_DIR: claimsDir,
        CLAIM_JOB_LOCK_MS: '2000',
        CLAIM_JOB_STALLED_CHECK_MS: '1000',
        CLAIM_JOB_BACKOFF_MS: '20',
      },
    });
    finance = await createUser(t, 'FINANCE');
    queue = t.app.get<Queue>(getQueueToken(CLAIMS_QUEUE));
  });

  afterAll(async () => {
    await t?.close();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  const post = (month: string) => t.http().post('/api/claims').set('Authorization', finance.token).send({ month });

  function filesOf(month: string): string[] {
    try {
      return readdirSync(join(claimsDir, month)).sort();
    } catch {
      return [];
    }
  }

  it('answers the same request sent at once with one claim', async () => {
    const answers = await Promise.all([post('2025-06'), post('2025-06'), post('2025-06'), post('2025-06')]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const rows = await t.db.query(`SELECT id, version, status FROM claims WHERE month = '2025-06'`);
    expect(rows).toEqual([{ id: answers[0].body.id, version: 1, status: 'QUEUED' }]);
    expect(await queue.getJob(claimJobId(rows[0].id))).toBeDefined();
  });

  it('completes a queued claim once after Redis lost its job, when a worker starts', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM claims WHERE month = '2025-06'`);
    // Forget every key of this run's queue prefix, as a flushed or restarted-empty Redis would.
    const redis = new Redis(t.config.REDIS_URL);
    try {
      const keys = await redis.keys(`${t.config.BULLMQ_PREFIX}:*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    expect(await queue.getJob(claimJobId(id))).toBeUndefined();

    const worker = await startTestWorker(t.config);
    try {
      const claim = await waitForClaim(t, finance.token, id);
      expect(claim.status).toBe('DONE');
    } finally {
      await worker.close();
    }
    const [row] = await t.db.query(`SELECT attempts, file_path, sha256 FROM claims WHERE id = $1`, [id]);
    expect(row.attempts).toBe(1);
    expect(filesOf('2025-06')).toEqual([row.file_path.split('/')[1]]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM claims WHERE month = '2025-06'`))[0].n).toBe(1);
  });

  it('queues again, without a restart, a claim whose job never reached Redis', async () => {
    // The running worker looks every 200 ms; its start-up look found nothing.
    const worker = await startTestWorker(Object.assign(new AppConfig(), t.config, { CLAIM_SWEEP_INTERVAL_MS: 200 }));
    try {
      // As if POST /api/claims had answered QUEUE_UNAVAILABLE: the claim is in PostgreSQL, no job in Redis.
      const [{ id }] = await t.db.query(
        `INSERT INTO claims (subdistrict_id, canteen_id, month, version, requested_by)
         VALUES ((SELECT min(id) FROM subdistricts), NULL, '2025-04', 1, $1) RETURNING id`,
        [finance.id],
      );
      expect(await queue.getJob(claimJobId(id))).toBeUndefined();
      const claim = await waitForClaim(t, finance.token, id, 20_000);
      expect(claim.status).toBe('DONE');
      const [row] = await t.db.query(`SELECT attempts, file_path FROM claims WHERE id = $1`, [id]);
      expect(row.attempts).toBe(1);
      expect(filesOf('2025-04')).toEqual([row.file_path.split('/')[1]]);
    } finally {
      await worker.close();
    }
  });

  it('finishes with exactly one file and totals equal to SQL after the worker is SIGKILLed mid-job', async () => {
    const MEALS = 50_000;
    const DINERS = 1_700;
    const canteen = await createCanteen(t.db, { name: '压力测试幸福食堂' });
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    // Arranged in two statements: enough diners for one subsidised meal a day each, then the month's meals.
    const dinerIds = await insertDiners(
      t.db,
      t.app.get(PiiCipher),
      Array.from({ length: DINERS }, (_, g) => {
        // A sequence number has three digits: a thousand diners per birth date.
        const birthDate = `${1940 + Math.floor(g / 1000)}-01-01`;
        return {
          subdistrictId: canteen.subdistrictId,
          name: `压测老人${g}`,
          idNumber: makeIdNumber('371502', birthDate, g % 1000),
          birthDate,
          sex: g % 2 === 1 ? ('M' as const) : ('F' as const),
        };
      }),
    );
    const first = Math.min(...dinerIds);
    await t.db.query(
      `INSERT INTO meals (subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen, subsidy_fen,
          payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification, cashier_user_id,
          idempotency_key, request_hash)
       SELECT $1, $2, $3 + g % $4, d, 'LUNCH', (d + time '11:30') AT TIME ZONE 'Asia/Shanghai', 1200, 400, 800, 85,
              '80_PLUS', 'TIER_80_PLUS', 1, 'DAY', 'ID_CARD_READER', $5, 'bulk-' || g, 'bulk'
         FROM generate_series(0, $6 - 1) g, LATERAL (SELECT date '2025-05-01' + g / $4 AS d) day`,
      [canteen.subdistrictId, canteen.id, first, DINERS, cashier.id, MEALS],
    );

    const first1 = spawnWorker(t.config);
    await first1.ready;
    const res = await post('2025-05').expect(202);
    const id: number = res.body.id;
    const until = Date.now() + 30_000;
    for (;;) {
      const [row] = await t.db.query(`SELECT status, progress FROM claims WHERE id = $1`, [id]);
      if (row.status === 'RUNNING' && row.progress > 0) break;
      if (row.status === 'DONE') throw new Error('the claim finished before the worker could be killed');
      if (Date.now() > until) throw new Error(`no progress: ${JSON.stringify(row)}\n${first1.output()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await first1.kill('SIGKILL');
    // Killed mid-job: nothing visible but (at most) a temporary file.
    expect(filesOf('2025-05').filter((n) => !n.includes('.tmp-'))).toEqual([]);

    const second = await startTestWorker(t.config);
    try {
      const claim = await waitForClaim(t, finance.token, id, 45_000);
      expect(claim.status).toBe('DONE');
      const [sql] = await t.db.query(
        `SELECT count(*)::int AS meals, sum(subsidy_fen)::int AS fen FROM meals
          WHERE canteen_id = $1 AND meal_date BETWEEN '2025-05-01' AND '2025-05-31'
            AND voided_at IS NULL AND subsidy_fen > 0`,
        [canteen.id],
      );
      expect(sql).toEqual({ meals: MEALS, fen: MEALS * 400 });
      expect(claim.totals).toMatchObject({ meals: sql.meals, subsidyFen: sql.fen });
      const [row] = await t.db.query(`SELECT attempts, file_path, sha256 FROM claims WHERE id = $1`, [id]);
      expect(row.attempts).toBe(2);
      expect(filesOf('2025-05')).toEqual([row.file_path.split('/')[1]]);
      expect(sha256(readFileSync(join(claimsDir, row.file_path)))).toBe(row.sha256);
    } finally {
      await second.close();
    }
  }, 90_000);

  it('retries a failing build with backoff, then marks it FAILED with a readable error; a new request makes version 2', async () => {
    // The month's folder cannot be created: a plain file holds its name.
    writeFileSync(join(claimsDir, '2025-07'), 'not a folder');
    const worker = await startTestWorker(t.config);
    try {
      const res = await post('2025-07').expect(202);
      const failed = await waitForClaim(t, finance.token, res.body.id);
      expect(failed).toMatchObject({ status: 'FAILED', sha256: null });
      expect(failed.error).toBe(
        'CLAIM_BUILD_FAILED: 申报表生成失败（已尝试 5 次）。原因：申报表文件夹不可用（同名文件已存在）。请稍后重新生成或联系管理员',
      );
      const [row] = await t.db.query(`SELECT attempts FROM claims WHERE id = $1`, [res.body.id]);
      expect(row.attempts).toBe(5);
      await t.http().get(`/api/claims/${res.body.id}/file`).set('Authorization', finance.token).expect(409);

      rmSync(join(claimsDir, '2025-07'));
      const again = await post('2025-07').expect(202);
      expect(again.body.version).toBe(2);
      expect((await waitForClaim(t, finance.token, again.body.id)).status).toBe('DONE');
    } finally {
      await worker.close();
    }
  });

  it('shows finance a plain sentence for a database failure, and logs its detail in JSON lines only', async () => {
    // A worker process of its own, on a Redis of its own (killed below), logging at info like production.
    const redis = await ScratchRedis.start();
    const config = Object.assign(new AppConfig(), t.config, { REDIS_URL: redis.url, CLAIM_SWEEP_INTERVAL_MS: 200 });
    const worker = spawnWorker(config, { LOG_LEVEL: 'info' });
    try {
      await worker.ready;
      // Year 0 passes the table's CHECK but not PostgreSQL's date arithmetic: every attempt fails inside SQL.
      const [{ id }] = await t.db.query(
        `INSERT INTO claims (subdistrict_id, canteen_id, month, version, requested_by)
         VALUES ((SELECT min(id) FROM subdistricts), NULL, '0000-01', 1, $1) RETURNING id`,
        [finance.id],
      );
      const failed = await waitForClaim(t, finance.token, id, 30_000);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toBe('CLAIM_BUILD_FAILED: 申报表生成失败（已尝试 5 次）。请稍后重新生成或联系管理员');
      // The worker's Redis goes away: its connection errors are logged too.
      await redis.kill();
      await new Promise((r) => setTimeout(r, 1_500));
    } finally {
      await worker.kill('SIGKILL');
      await redis.kill();
    }
    const lines = worker
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '');
    const parsed = lines.map((l) => {
      try {
        return JSON.parse(l) as { level: number; msg?: string; err?: { message: string; stack: string } };
      } catch {
        throw new Error(`not a JSON log line: ${l}`);
      }
    });
    // The detail is in the log: PostgreSQL's own message with its stack, inside one line.
    const failures = parsed.filter((l) => l.level >= 50 && l.msg?.startsWith('job build-claim'));
    expect(failures).toHaveLength(5);
    expect(failures[0].err?.message).toMatch(/out of range|year 0/i);
    expect(failures[0].err?.stack).toContain('\n');
    expect(parsed.some((l) => /ECONNREFUSED|Connection is closed/.test(l.msg ?? ''))).toBe(true);
  });
});
