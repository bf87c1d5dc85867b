import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { assertTestDatabase } from './support/env';
import { createTestDatabase } from './support/test-db';

// Migration ClaimReview reverts exactly (its columns, index, table, function and triggers gone) and applies again.
describe('migration ClaimReview', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

  const applied = async (): Promise<boolean> =>
    (await ds.query(`SELECT 1 FROM typeorm_migrations WHERE name = 'ClaimReview1764300700000'`)).length > 0;
  const shape = async (): Promise<unknown> => {
    const [r] = await ds.query(
      `SELECT to_regclass('claim_events') IS NOT NULL AS events,
              to_regclass('claims_one_under_review_key') IS NOT NULL AS index,
              EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'claim_events_append_only') AS function,
              (SELECT count(*)::int FROM information_schema.columns WHERE table_name = 'claims'
                 AND column_name IN ('review_status', 'acknowledgements', 'submitted_at', 'submitted_by',
                                     'return_reason', 'paid_on', 'payment_reference')) AS claim_columns,
              (SELECT count(*)::int FROM information_schema.columns
                WHERE table_name = 'month_locks' AND column_name = 'claim_id') AS lock_column`,
    );
    return r;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(databaseOptions(db.url, { poolSize: 2, applicationName: 'claim-review-migration' }));
    await ds.initialize();
    await assertTestDatabase(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('reverts exactly and applies again', async () => {
    const up = { events: true, index: true, function: true, claim_columns: 7, lock_column: 1 };
    expect(await shape()).toEqual(up);
    while (await applied()) await ds.undoLastMigration({ transaction: 'all' });
    expect(await shape()).toEqual({ events: false, index: false, function: false, claim_columns: 0, lock_column: 0 });
    await ds.runMigrations({ transaction: 'each' });
    expect(await shape()).toEqual(up);
  });
});
