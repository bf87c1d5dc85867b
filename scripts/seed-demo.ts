// Demo data for the run command only (scripts/run.sh); never imported by tests.
// Idempotent: running it again adds nothing twice. Each feature adds its part under scripts/demo/.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { todayLocal } from '../src/common/local-date';
import { seedCity } from './demo/city';
import { seedMeals } from './demo/meals';
import { dinersToTry, DinerToTry, seedRegister } from './demo/register';

// Terminal columns: a CJK character takes two.
const width = (s: string): number => [...s].reduce((n, ch) => n + (/[\u2e80-\uffef]/.test(ch) ? 2 : 1), 0);
const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(1, n - width(s)));

function tryLine(d: DinerToTry): string {
  const what = d.age >= 80 ? '80岁以上档' : d.age >= 70 ? '70–79岁档' : '未满70周岁，全价';
  const how = d.cardNo ? `饭卡 ${d.cardNo}` : d.idNumber;
  return `    ${pad(how, 20)}${pad(d.name, 8)}${pad(`${d.age}岁`, 7)}${what}`;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const subdistrictName = process.env.SUBDISTRICT_NAME ?? '柳园街道';
  const ds = new DataSource(databaseOptions(url, { poolSize: 2, applicationName: 'seed-demo' }));
  await ds.initialize();
  const accounts: string[] = [
    `管理员 admin  ${process.env.ADMIN_USERNAME ?? 'admin'} / ${process.env.ADMIN_PASSWORD ?? ''}`,
  ];
  let tryThese: DinerToTry[] = [];
  try {
    await ds.query(
      `INSERT INTO subdistricts (name, admin_code, district_id) VALUES ($1, '371502', (SELECT min(id) FROM districts)) ON CONFLICT (name) DO NOTHING`,
      [subdistrictName],
    );
    // Later parts (register, meals) are added here in order.
    accounts.push(...(await seedRegister(ds, process.env)));
    accounts.push(...(await seedCity(ds, process.env)));
    await seedMeals(ds);
    tryThese = await dinersToTry(ds, process.env, todayLocal(), [72, 85, 65]);
  } finally {
    await ds.destroy();
  }
  // Standard output is the summary that scripts/run.sh prints once the app is ready; nothing else goes there.
  const accountRows = accounts.map((a) => {
    const [label, rest] = a.split('  ');
    return `    ${pad(label, 22)}${rest}`;
  });
  process.stdout.write(
    [
      '  演示账号 demo accounts (user / password)',
      ...accountRows,
      '',
      '  到收银台试一试 try at the till (synthetic diners, not real people)',
      ...tryThese.map(tryLine),
    ].join('\n') + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`demo data failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
