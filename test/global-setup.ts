import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { assertTestDatabase, dbUrl, TEMPLATE_DB_ENV, uniqueName } from './support/env';

// Runs the real migrations once into a template database; each test file then gets its own copy.
export default async function globalSetup(): Promise<void> {
  // The migrations are TypeScript files that TypeORM requires by glob.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
  const name = uniqueName('hc_test_tpl');
  assertTestDatabase(name);
  const admin = new Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const ds = new DataSource(databaseOptions(dbUrl(name), { poolSize: 1, applicationName: 'test-migrations' }));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  process.env[TEMPLATE_DB_ENV] = name;
}
