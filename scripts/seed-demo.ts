// Demo data for the run command only (scripts/run.sh); never imported by tests.
// Idempotent: running it again adds nothing twice. Each feature adds its part under scripts/demo/.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { seedMeals } from './demo/meals';
import { seedRegister } from './demo/register';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const subdistrictName = process.env.SUBDISTRICT_NAME ?? '柳园街道';
  const ds = new DataSource(databaseOptions(url, { poolSize: 2, applicationName: 'seed-demo' }));
  await ds.initialize();
  const accounts: string[] = [
    `管理员 admin: ${process.env.ADMIN_USERNAME ?? 'admin'} / ${process.env.ADMIN_PASSWORD ?? ''}`,
  ];
  try {
    await ds.query(`INSERT INTO subdistricts (name, admin_code) VALUES ($1, '371502') ON CONFLICT (name) DO NOTHING`, [
      subdistrictName,
    ]);
    // Later parts (register, meals) are added here in order.
    accounts.push(...(await seedRegister(ds, process.env)));
    await seedMeals(ds);
  } finally {
    await ds.destroy();
  }
  process.stdout.write(`\n  演示账号 (demo accounts):\n${accounts.map((a) => `    ${a}`).join('\n')}\n\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo data failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
