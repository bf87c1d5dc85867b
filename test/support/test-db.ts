import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { dbUrl, RUN_ID_ENV, TEMPLATE_DB_ENV } from './env';

/** A fresh database with every migration applied, copied from the run's template (or `empty`: nothing in it). */
export async function createTestDatabase(
  opts: { empty?: boolean } = {},
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const template = process.env[TEMPLATE_DB_ENV];
  if (!template) throw new Error('the e2e global setup did not run (no template database)');
  const name = `hc_test_${process.env[RUN_ID_ENV]}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${opts.empty ? 'template0' : template}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: dbUrl(name),
    drop: async () => {
      const c = new Client({ connectionString: dbUrl('postgres') });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
