import { Client } from 'pg';
import { dbUrl, RUN_ID_ENV, TEMPLATE_DB_ENV } from './support/env';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_DB_ENV];
  if (!template) return;
  const admin = new Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  // Test files drop their own copies; this catches any left behind by a crashed file.
  const rows = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2`,
    [`hc_test_${process.env[RUN_ID_ENV]}_`, template],
  );
  for (const { datname } of rows.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await admin.end();
}
