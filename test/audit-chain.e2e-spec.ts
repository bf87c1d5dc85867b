import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { AUDIT_SEAL_SCHEDULER_ID, CLAIMS_QUEUE } from '../src/queue/queue.constants';
import { createCanteen, createUser, UserFixture } from './support/factories';
import { startTestApp, TEST_ADMIN, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

// SPEC §7: the worker's recurring job seals audit entries into a hash chain; GET /api/audit/verify recomputes it and
// names the first entry that no longer matches. The log is append-only by trigger: the test, as superuser in its
// own database, switches the trigger off to alter and remove entries the way an intruder with that power could.
jest.setTimeout(90_000);

interface Verification {
  ok: boolean;
  checkedEntries: number;
  firstBrokenEntryId: string | null;
  blocks: number;
  sealedThroughEntryId: string | null;
  unsealedEntries: number;
}

describe('Audit log hash chain', () => {
  let t: TestApp;
  let worker: TestWorker;
  let admin: string;
  let finance: UserFixture;

  beforeAll(async () => {
    // Seal every 200 ms, without the production lag of 5 minutes.
    t = await startTestApp({ env: { AUDIT_SEAL_EVERY_MS: '200', AUDIT_SEAL_LAG_MS: '0' } });
    worker = await startTestWorker(t.config);
    admin = await t.login(TEST_ADMIN.username, TEST_ADMIN.password);
    finance = await createUser(t, 'FINANCE');
    // Audited actions of several kinds.
    for (let i = 0; i < 5; i++) {
      await t
        .http()
        .post('/api/canteens')
        .set('Authorization', admin)
        .send({ name: `审计食堂${i}`, type: 'ENTERPRISE', prices: { LUNCH: 1200 } })
        .expect(201);
      await t.login(finance.username, finance.password);
    }
    await createCanteen(t.db);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  const verify = async (): Promise<Verification> =>
    (await t.http().get('/api/audit/verify').set('Authorization', admin).expect(200)).body as Verification;

  /** Waits until the job has sealed every entry written so far. */
  async function sealed(): Promise<number> {
    const [{ max }] = await t.db.query(`SELECT max(id)::text AS max FROM audit_log`);
    for (const until = Date.now() + 20_000; Date.now() < until;) {
      const [{ through }] = await t.db.query(`SELECT max(last_entry_id)::text AS through FROM audit_seals`);
      if (through !== null && BigInt(through) >= BigInt(max)) return Number(max);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`audit entries up to ${max} were not sealed in time`);
  }

  async function asIntruder(sql: string, params: unknown[], table = 'audit_log'): Promise<void> {
    const trigger = `${table === 'audit_log' ? 'audit_log' : 'audit_seals'}_no_update_delete`;
    await t.db.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
    try {
      await t.db.query(sql, params);
    } finally {
      await t.db.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
    }
  }

  it('is sealed by a recurring job of the worker', async () => {
    const queue = worker.app.get<Queue>(getQueueToken(CLAIMS_QUEUE));
    expect(await queue.getJobScheduler(AUDIT_SEAL_SCHEDULER_ID)).toMatchObject({ every: 200 });
    await sealed();
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_seals`);
    expect(n).toBeGreaterThanOrEqual(1);
  });

  it('verifies as intact, every sealed entry checked', async () => {
    const through = await sealed();
    const result = await verify();
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE id <= $1`, [
      result.sealedThroughEntryId,
    ]);
    expect(result).toMatchObject({ ok: true, firstBrokenEntryId: null, checkedEntries: n });
    expect(Number(result.sealedThroughEntryId)).toBeGreaterThanOrEqual(through);
    expect(n).toBeGreaterThanOrEqual(12);
  });

  it('does not seal past an entry whose transaction is still open, and seals it once committed', async () => {
    await sealed();
    // A transaction takes an id and stays open (a long one: a claim build, an import) while later entries commit.
    const slow = t.db.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    let held: string;
    try {
      [{ id: held }] = await slow.query(
        `INSERT INTO audit_log (action, entity_type, details) VALUES ('TEST_SLOW', 'test', '{}') RETURNING id::text AS id`,
      );
      for (let i = 0; i < 3; i++) await t.login(finance.username, finance.password);
      const [{ max }] = await t.db.query(`SELECT max(id)::text AS max FROM audit_log`);
      expect(BigInt(max)).toBeGreaterThan(BigInt(held));
      // Several runs of the job (every 200 ms, no lag): none seals the later entries ahead of the open one.
      await new Promise((r) => setTimeout(r, 1_500));
      const [{ through }] = await t.db.query(`SELECT max(last_entry_id)::text AS through FROM audit_seals`);
      expect(BigInt(through)).toBeLessThan(BigInt(held));
      await slow.commitTransaction();
    } finally {
      if (slow.isTransactionActive) await slow.rollbackTransaction();
      await slow.release();
    }
    const through = await sealed();
    expect(BigInt(through)).toBeGreaterThan(BigInt(held));
    expect(await verify()).toMatchObject({ ok: true, firstBrokenEntryId: null, unsealedEntries: 0 });
  });

  it('names an entry altered with SQL, then an earlier one removed, then a block rewritten', async () => {
    await sealed();
    const ids: string[] = (await t.db.query(`SELECT id::text AS id FROM audit_log ORDER BY audit_log.id`)).map(
      (r: { id: string }) => r.id,
    );
    const altered = ids[8];
    await asIntruder(`UPDATE audit_log SET details = details || '{"note": "改过"}' WHERE id = $1`, [altered]);
    let result = await verify();
    expect(result).toMatchObject({ ok: false, firstBrokenEntryId: altered, checkedEntries: 8 });

    // Changing only the time by a microsecond is seen too (on an entry after the altered one: still names that).
    await asIntruder(`UPDATE audit_log SET at = at + interval '1 microsecond' WHERE id = $1`, [ids[10]]);
    expect((await verify()).firstBrokenEntryId).toBe(altered);

    const removed = ids[3];
    await asIntruder(`DELETE FROM audit_log WHERE id = $1`, [removed]);
    result = await verify();
    expect(result).toMatchObject({ ok: false, firstBrokenEntryId: removed, checkedEntries: 3 });

    // A block whose hash is rewritten breaks at its first entry.
    const [first] = await t.db.query(`SELECT id, first_entry_id::text AS first FROM audit_seals ORDER BY id LIMIT 1`);
    await asIntruder(`UPDATE audit_seals SET hash = repeat('a', 64) WHERE id = $1`, [first.id], 'audit_seals');
    result = await verify();
    expect(result).toMatchObject({ ok: false, firstBrokenEntryId: first.first, checkedEntries: 0 });
  });

  it('is for admins only', async () => {
    const res = await t.http().get('/api/audit/verify').set('Authorization', finance.token).expect(403);
    expect(res.body.code).toBe('ROLE_FORBIDDEN');
  });
});
