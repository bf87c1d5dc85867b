import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { seedMeals } from '../scripts/demo/meals';
import { seedCity } from '../scripts/demo/city';
import { dinersToTry, seedRegister } from '../scripts/demo/register';
import { ageOn } from '../src/subsidy/age';
import { parseIdNumber } from '../src/subsidy/id-number';
import { PiiCipher } from '../src/common/pii-cipher';
import { keyBytes } from '../src/config/app-config';
import { assertTestDatabase } from './support/env';
import { createTestDatabase } from './support/test-db';
import { testConfig } from './support/test-app';

// The run command's demo data: all of last month, this month so far, and today's meals up to now — topped up, never
// doubled, by every run.
describe('demo data', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let seedEnv: NodeJS.ProcessEnv;
  // 12:30 in Shanghai on 15 March 2026: last month is February.
  const noon = new Date('2026-03-15T04:30:00Z');
  const evening = new Date('2026-03-15T11:30:00Z');

  const perDay = async (): Promise<Map<string, number>> =>
    new Map(
      (
        (await ds.query(`SELECT meal_date::text AS day, count(*)::int AS n FROM meals GROUP BY 1 ORDER BY 1`)) as {
          day: string;
          n: number;
        }[]
      ).map((r) => [r.day, r.n]),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(databaseOptions(db.url, { poolSize: 2, applicationName: 'demo-data-test' }));
    await ds.initialize();
    await assertTestDatabase(ds);
    const config = testConfig(db.url);
    await ds.query(
      `INSERT INTO subdistricts (name, admin_code, district_id) VALUES ('柳园街道', '371502', (SELECT min(id) FROM districts)) ON CONFLICT DO NOTHING`,
    );
    seedEnv = {
      PII_ENCRYPTION_KEY: config.PII_ENCRYPTION_KEY,
      PII_HMAC_KEY: config.PII_HMAC_KEY,
      ADMIN_PASSWORD: 'admin-demo-2022',
    };
    await seedRegister(ds, seedEnv);
    await seedCity(ds, seedEnv);
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('fills every day of last month and of this month up to today, and today only up to now', async () => {
    await seedMeals(ds, noon);
    const days = await perDay();
    for (let d = 1; d <= 28; d++) expect(days.get(`2026-02-${String(d).padStart(2, '0')}`)).toBeGreaterThan(100);
    for (let d = 1; d <= 14; d++) expect(days.get(`2026-03-${String(d).padStart(2, '0')}`)).toBeGreaterThan(100);
    expect(days.get('2026-03-15')).toBeGreaterThan(0);
    expect([...days.keys()].filter((d) => d > '2026-03-15')).toEqual([]);
    const [{ late }] = await ds.query(`SELECT count(*)::int AS late FROM meals WHERE served_at > $1`, [noon]);
    expect(late).toBe(0);
  });

  it('adds nothing when run again at the same moment', async () => {
    const before = await perDay();
    await seedMeals(ds, noon);
    expect(await perDay()).toEqual(before);
  });

  it('tops up today with the meals served since, leaving other days as they were', async () => {
    const before = await perDay();
    await seedMeals(ds, evening);
    const after = await perDay();
    expect(after.get('2026-03-15')).toBeGreaterThan(before.get('2026-03-15')!);
    for (const [day, n] of before) if (day !== '2026-03-15') expect(after.get(day)).toBe(n);
    // Still one subsidised meal per diner per day (the database would refuse a second; this checks the demo's rules).
    const [{ doubles }] = await ds.query(
      `SELECT count(*)::int AS doubles FROM (SELECT 1 FROM meals WHERE subsidy_fen > 0 AND voided_at IS NULL
        GROUP BY diner_id, meal_date HAVING count(*) > 1) x`,
    );
    expect(doubles).toBe(0);
  });

  it('skips a locked month instead of failing', async () => {
    const [{ sub, uid }] = await ds.query(
      `SELECT subdistrict_id AS sub, min(id) AS uid FROM users WHERE subdistrict_id IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );
    await ds.query(`INSERT INTO month_locks (subdistrict_id, month, locked_by) VALUES ($1, '2026-02', $2)`, [sub, uid]);
    await expect(seedMeals(ds, evening)).resolves.toBeUndefined();
  });

  it('shows a city: two districts, three sub-districts, reviewers, and diners eating beyond their sub-district', async () => {
    const hierarchy: { district: string; code: string; subdistrict: string; canteens: number }[] = await ds.query(
      `SELECT d.name AS district, d.code, s.name AS subdistrict,
              (SELECT count(*)::int FROM canteens c WHERE c.subdistrict_id = s.id) AS canteens
         FROM subdistricts s JOIN districts d ON d.id = s.district_id ORDER BY s.id`,
    );
    expect(hierarchy).toEqual([
      { district: '东昌府区', code: '371502', subdistrict: '柳园街道', canteens: 6 },
      { district: '东昌府区', code: '371502', subdistrict: '古楼街道', canteens: 2 },
      { district: '茌平区', code: '371503', subdistrict: '振兴街道', canteens: 2 },
    ]);
    const roles: { role: string; n: number }[] = await ds.query(
      `SELECT role, count(*)::int AS n FROM users WHERE username LIKE 'shenhe_%' OR username LIKE 'gulou_%'
          OR username LIKE 'chiping_%' GROUP BY role ORDER BY role`,
    );
    expect(roles).toEqual([
      { role: 'CASHIER', n: 4 },
      { role: 'FINANCE', n: 2 },
      { role: 'OPERATOR', n: 2 },
      { role: 'REVIEWER', n: 2 },
    ]);
    const [{ away }] = await ds.query(
      `SELECT count(*)::int AS away FROM meals m JOIN diners d ON d.id = m.diner_id
        WHERE m.subdistrict_id <> d.subdistrict_id`,
    );
    expect(away).toBeGreaterThan(0);
    // Running the city part again adds nobody twice.
    const [{ before }] = await ds.query(`SELECT count(*)::int AS before FROM diners`);
    await seedCity(ds, seedEnv);
    const [{ after }] = await ds.query(`SELECT count(*)::int AS after FROM diners`);
    expect(after).toBe(before);
  });

  it('names diners to try at the till of the wanted ages who have not eaten today', async () => {
    const env = testConfig(db.url);
    const today = '2026-03-15';
    const cipher = new PiiCipher(keyBytes(env.PII_ENCRYPTION_KEY), keyBytes(env.PII_HMAC_KEY));
    const picked = await dinersToTry(
      ds,
      { PII_ENCRYPTION_KEY: env.PII_ENCRYPTION_KEY, PII_HMAC_KEY: env.PII_HMAC_KEY },
      today,
      [72, 85, 65],
    );
    expect(picked.map((p) => p.age)).toEqual([72, 85, 65, expect.any(Number)]);
    expect(picked[3].cardNo).toMatch(/^LY\d+$/);
    for (const p of picked.slice(0, 3)) expect(ageOn(parseIdNumber(p.idNumber).birthDate, today)).toBe(p.age);
    const eaten: { n: number }[] = await ds.query(
      `SELECT count(*)::int AS n FROM meals m JOIN diners d ON d.id = m.diner_id
        WHERE m.meal_date = $1 AND d.id_number_hmac = ANY($2::bytea[])`,
      [today, picked.map((p) => cipher.hmac(p.idNumber))],
    );
    expect(eaten[0].n).toBe(0);
  });
});
