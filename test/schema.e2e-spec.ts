import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { ENTITIES } from '../src/database/entities';
import { createTestDatabase } from './support/test-db';

// One source of truth for the schema: the entities declare what the migrations create. Two proofs:
// 1. TypeORM's own schema diff against a migrated database is empty (so `migration:generate` proposes nothing, and
//    never again the dropping of meals_one_subsidy_per_slot, the index that is the daily limit's guarantee);
// 2. a database built from the entities alone has the same columns, constraints and indexes as the migrated one, as
//    PostgreSQL itself prints them — TypeORM compares checks and indexes by name only, this compares definitions.
describe('the schema', () => {
  let migrated: Awaited<ReturnType<typeof createTestDatabase>>;
  let fromEntities: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

  beforeAll(async () => {
    migrated = await createTestDatabase();
    fromEntities = await createTestDatabase({ empty: true });
    ds = new DataSource(databaseOptions(migrated.url, { poolSize: 2, applicationName: 'schema-test' }));
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await migrated.drop();
    await fromEntities.drop();
  });

  it('has no difference TypeORM would generate a migration for', async () => {
    const log = await ds.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has an entity for every table the migrations create', async () => {
    const tables: { name: string }[] = await ds.query(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations'`,
    );
    const declared = ds.entityMetadatas.map((m) => m.tableName);
    expect(tables.map((t) => t.name).sort()).toEqual([...declared].sort());
  });

  it('is the same, definition by definition, when built from the entities alone', async () => {
    const built = new DataSource({
      ...databaseOptions(fromEntities.url, { poolSize: 1, applicationName: 'schema-test' }),
      entities: ENTITIES,
      migrations: [],
    });
    await built.initialize();
    try {
      await built.synchronize();
      const a = await describeSchema(ds);
      const b = await describeSchema(built);
      // Expression indexes (COALESCE(canteen_id, 0)) cannot be declared to TypeORM: they are named on the entity with
      // synchronize: false and exist only through the migrations.
      const migrationOnly = ds.entityMetadatas.flatMap((m) =>
        m.indices.filter((i) => i.synchronize === false).map((i) => `${m.tableName}.${i.name}`),
      );
      expect(migrationOnly.sort()).toEqual([
        'claims.claims_one_active_key',
        'claims.claims_version_key',
        'diners.diners_id_last4_idx',
        'month_locks.month_locks_active_key',
      ]);
      expect(b.columns).toEqual(a.columns);
      expect(b.constraints).toEqual(a.constraints);
      expect(b.indexes).toEqual(a.indexes.filter((i) => !migrationOnly.includes(i.split(' ')[0])));
    } finally {
      await built.destroy();
    }
  });
});

async function describeSchema(
  ds: DataSource,
): Promise<{ columns: string[]; constraints: string[]; indexes: string[] }> {
  const columns: { d: string }[] = await ds.query(
    `SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '')
            || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
            || coalesce(' DEFAULT ' || column_default, '') AS d
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'
      ORDER BY 1`,
  );
  const constraints: { d: string }[] = await ds.query(
    `SELECT c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid) AS d
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname <> 'typeorm_migrations'
      ORDER BY 1`,
  );
  // Indexes that back a constraint are compared as constraints.
  const indexes: { d: string }[] = await ds.query(
    `SELECT t.relname || '.' || i.relname || ' ' || pg_get_indexdef(i.oid) AS d
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND t.relname <> 'typeorm_migrations'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
      ORDER BY 1`,
  );
  return {
    columns: columns.map((r) => r.d),
    constraints: constraints.map((r) => r.d),
    indexes: indexes.map((r) => r.d),
  };
}
