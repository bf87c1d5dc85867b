import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import {
  CLAIMS_QUEUE,
  JOB_PURGE_SESSIONS,
  SESSION_PURGE_SCHEDULE,
  SESSION_PURGE_SCHEDULER_ID,
} from '../src/queue/queue.constants';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

// Issue 12 §8: sessions that can never authenticate again are deleted by the worker's scheduler.

describe('Session purge (worker, real PostgreSQL and Redis)', () => {
  let t: TestApp;
  let worker: TestWorker;

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t.config);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  const addSession = async (expiresIn: string, revoked = false): Promise<Buffer> => {
    const hash = randomBytes(32);
    await t.db.query(
      `INSERT INTO sessions (token_hash, user_id, expires_at, absolute_expires_at, revoked_at)
       VALUES ($1, (SELECT min(id) FROM users), now() + $2::interval, now() + $2::interval, CASE WHEN $3 THEN now() END)`,
      [hash, expiresIn, revoked],
    );
    return hash;
  };
  const exists = async (hash: Buffer): Promise<boolean> =>
    (await t.db.query(`SELECT 1 FROM sessions WHERE token_hash = $1`, [hash])).length === 1;

  it('has the worker schedule the purge', async () => {
    const queue = t.app.get<Queue>(getQueueToken(CLAIMS_QUEUE));
    const scheduler = await queue.getJobScheduler(SESSION_PURGE_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ name: JOB_PURGE_SESSIONS, every: SESSION_PURGE_SCHEDULE.every });
  });

  it('deletes expired and logged-out sessions when the purge runs, and keeps live ones', async () => {
    const token = await t.adminToken();
    const expired = await addSession('-1 minute');
    const loggedOut = await addSession('1 hour', true);
    const live = await addSession('1 hour');

    const queue = t.app.get<Queue>(getQueueToken(CLAIMS_QUEUE));
    const job = await queue.add(JOB_PURGE_SESSIONS, {}, { jobId: `purge-test-${Date.now()}` });
    const until = Date.now() + 20_000;
    while (!(await job.isCompleted())) {
      if (Date.now() > until) throw new Error('purge job did not complete');
      await new Promise((r) => setTimeout(r, 50));
    }

    expect({ expired: await exists(expired), loggedOut: await exists(loggedOut), live: await exists(live) }).toEqual({
      expired: false,
      loggedOut: false,
      live: true,
    });
    await t.http().get('/api/canteens').set('Authorization', token).expect(200);
  });
});
