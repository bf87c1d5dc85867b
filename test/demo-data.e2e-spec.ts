import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { seedMeals } from '../scripts/demo/meals';
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
    await seedRegister(ds, {
      PII_ENCRYPTION_KEY: config.PII_ENCRYPTION_KEY,
      PII_HMAC_KEY: config.PII_HMAC_KEY,
      ADMIN_PASSWORD: 'admin-demo-2022',
    });
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
    const [{ sub, uid }] = await ds.query(`SELECT subdistrict_id AS sub, min(id) AS uid FROM users GROUP BY 1`);
    await ds.query(`INSERT INTO month_locks (subdistrict_id, month, locked_by) VALUES ($1, '2026-02', $2)`, [sub, uid]);
    await expect(seedMeals(ds, evening)).resolves.toBeUndefined();
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
