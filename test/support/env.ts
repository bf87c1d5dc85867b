import { randomBytes } from 'node:crypto';

// Where the test suites find PostgreSQL and Redis (started by scripts/test.sh).
const PG_BASE_URL = process.env.TEST_PG_URL ?? `postgres://postgres@127.0.0.1:${process.env.PG_PORT ?? 54329}`;
export const REDIS_URL = process.env.TEST_REDIS_URL ?? `redis://127.0.0.1:${process.env.REDIS_PORT ?? 63799}`;
export const TEMPLATE_DB_ENV = 'HC_TEST_TEMPLATE_DB';
export const RUN_ID_ENV = 'HC_TEST_RUN_ID';

export const dbUrl = (name: string): string => `${PG_BASE_URL}/${name}`;

/** A unique, lower-case name for a test database or queue prefix. */
export const uniqueName = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** Style rule: tests never touch a database whose name lacks `test`. */
export function assertTestDatabase(name: string): void {
  if (!/test/.test(name)) throw new Error(`refusing to use database "${name}": its name lacks "test"`);
}
