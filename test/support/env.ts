import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

// Where the test suites find PostgreSQL and Redis (started by scripts/test.sh).
const PG_BASE_URL = process.env.TEST_PG_URL ?? `postgres://postgres@127.0.0.1:${process.env.PG_PORT ?? 54329}`;
export const REDIS_URL = process.env.TEST_REDIS_URL ?? `redis://127.0.0.1:${process.env.REDIS_PORT ?? 63799}`;
export const TEMPLATE_DB_ENV = 'HC_TEST_TEMPLATE_DB';
export const RUN_ID_ENV = 'HC_TEST_RUN_ID';

export const dbUrl = (name: string): string => `${PG_BASE_URL}/${name}`;

/** A unique, lower-case name for a test database or queue prefix. */
export const uniqueName = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** Something that runs SQL: a TypeORM DataSource (rows) or a pg Client (a result with rows). */
export type Queryable = { query(sql: string): Promise<unknown> };

/**
 * Style rule: tests never touch a database whose name lacks `test`. Asks PostgreSQL which database the connection
 * (or a new one to the URL) is really on, so a URL or a config that points elsewhere is caught before any write.
 * Returns that name.
 */
export async function assertTestDatabase(target: Queryable | string): Promise<string> {
  if (typeof target === 'string') {
    const client = new Client({ connectionString: target });
    await client.connect();
    try {
      return await assertTestDatabase(client);
    } finally {
      await client.end();
    }
  }
  const result = (await target.query('SELECT current_database() AS name')) as
    { name: string }[] | { rows: { name: string }[] };
  const [{ name }] = Array.isArray(result) ? result : result.rows;
  if (!/test/.test(name)) throw new Error(`refusing to use database "${name}": its name lacks "test"`);
  return name;
}
