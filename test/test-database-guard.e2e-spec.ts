import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { assertTestDatabase, dbUrl } from './support/env';
import { startTestApp } from './support/test-app';
import { createTestDatabase } from './support/test-db';

// The guard asks PostgreSQL where a connection really is; the shared server's `postgres` database stands for any
// database that is not a test's.
describe(assertTestDatabase.name, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('refuses a URL, a pg client and a DataSource on a database whose name lacks "test"', async () => {
    const refusal = 'refusing to use database "postgres": its name lacks "test"';
    await expect(assertTestDatabase(dbUrl('postgres'))).rejects.toThrow(refusal);
    const client = new Client({ connectionString: dbUrl('postgres') });
    await client.connect();
    try {
      await expect(assertTestDatabase(client)).rejects.toThrow(refusal);
    } finally {
      await client.end();
    }
    const ds = new DataSource(databaseOptions(dbUrl('postgres'), { poolSize: 1, applicationName: 'guard-test' }));
    await ds.initialize();
    try {
      await expect(assertTestDatabase(ds)).rejects.toThrow(refusal);
    } finally {
      await ds.destroy();
    }
  });

  it('names the database a connection is on, whatever its URL was built from', async () => {
    await expect(assertTestDatabase(db.url)).resolves.toBe(db.name);
    const ds = new DataSource(databaseOptions(db.url, { poolSize: 1, applicationName: 'guard-test' }));
    await ds.initialize();
    try {
      await expect(assertTestDatabase(ds)).resolves.toBe(db.name);
    } finally {
      await ds.destroy();
    }
  });

  it('stops the test app before it starts when its database URL leads elsewhere', async () => {
    await expect(startTestApp({ env: { DATABASE_URL: dbUrl('postgres') } })).rejects.toThrow(
      'refusing to use database "postgres"',
    );
  });
});
