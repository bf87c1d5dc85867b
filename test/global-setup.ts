import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { randomBytes } from 'node:crypto';
import { assertTestDatabase, dbUrl, RUN_ID_ENV, TEMPLATE_DB_ENV } from './support/env';
import { ensureWebBuilt } from './support/web-build';

// Runs the real migrations once into a template database; each test file then gets its own copy.
export default async function globalSetup(): Promise<void> {
  // The page tests drive the built web app.
  ensureWebBuilt();
  // The migrations are TypeScript files that TypeORM requires by glob.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
  // Databases of one run share its id, so a run cleans up only its own (others may run beside it).
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  process.env[RUN_ID_ENV] = runId;
  const name = `hc_test_${runId}_tpl`;
  const admin = new Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const ds = new DataSource(databaseOptions(dbUrl(name), { poolSize: 1, applicationName: 'test-migrations' }));
  await ds.initialize();
  await assertTestDatabase(ds);
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  process.env[TEMPLATE_DB_ENV] = name;
}
