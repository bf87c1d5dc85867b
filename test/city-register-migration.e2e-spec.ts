import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';
import { assertTestDatabase } from './support/env';
import { createTestDatabase } from './support/test-db';

// Migration CityRegister merges a person registered in two sub-districts into the oldest registration without
// losing a meal, and its down() puts every meal and card number back where it was.
describe('migration CityRegister', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

  const applied = async (): Promise<boolean> => {
    const rows: unknown[] = await ds.query(`SELECT 1 FROM typeorm_migrations WHERE name = 'CityRegister1764300500000'`);
    return rows.length > 0;
  };
  const undoCityRegister = async (): Promise<void> => {
    while (await applied()) await ds.undoLastMigration({ transaction: 'all' });
  };
  const mealsByDiner = async (): Promise<Record<string, number>> => {
    const rows: { id: string; diner_id: number }[] = await ds.query(`SELECT id, diner_id FROM meals ORDER BY id`);
    return Object.fromEntries(rows.map((r) => [r.id, r.diner_id]));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(databaseOptions(db.url, { poolSize: 2, applicationName: 'city-register-migration' }));
    await ds.initialize();
    await assertTestDatabase(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('merges duplicates into the oldest, keeps a historical double subsidy as recorded, and reverts exactly', async () => {
    await undoCityRegister();
    // Before: one register per sub-district. The same person (same keyed hash) registered in two of them.
    const [s1] = await ds.query(`INSERT INTO subdistricts (name) VALUES ('甲街道') RETURNING id`);
    const [s2] = await ds.query(`INSERT INTO subdistricts (name) VALUES ('乙街道') RETURNING id`);
    const canteen = async (sub: number, name: string): Promise<number> => {
      const [c] = await ds.query(
        `INSERT INTO canteens (subdistrict_id, name, type, lunch_price_fen) VALUES ($1, $2, 'ENTERPRISE', 1000)
         RETURNING id`,
        [sub, name],
      );
      return c.id;
    };
    const c1 = await canteen(s1.id, '甲食堂');
    const c2 = await canteen(s2.id, '乙食堂');
    const [cashier] = await ds.query(
      `INSERT INTO users (username, password_hash, role, subdistrict_id) VALUES ('mig-cashier', 'x', 'CASHIER', $1)
       RETURNING id`,
      [s1.id],
    );
    const diner = async (sub: number, name: string, hmac: string, card: string | null): Promise<number> => {
      const [d] = await ds.query(
        `INSERT INTO diners (subdistrict_id, name, id_number_enc, id_number_hmac, id_number_masked, birth_date, sex,
                             card_no)
         VALUES ($1, $2, '\\x00', decode($3, 'hex'), '371502********0011', '1950-01-01', 'M', $4) RETURNING id`,
        [sub, name, hmac, card],
      );
      return d.id;
    };
    const oldest = await diner(s1.id, '张三', 'aa', null);
    const duplicate = await diner(s2.id, '张三丰', 'aa', 'CARD-1');
    const other = await diner(s2.id, '李四', 'bb', 'CARD-2');
    let key = 0;
    const meal = async (canteenId: number, sub: number, dinerId: number, date: string, subsidy: number) => {
      const [m] = await ds.query(
        `INSERT INTO meals (subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen,
                            subsidy_fen, payable_fen, age, tier, reason, subsidy_slot, verification, cashier_user_id,
                            idempotency_key, request_hash)
         VALUES ($1, $2, $3, $4, 'LUNCH', $4::date + time '12:00', 1000, $5, 1000 - $5, 75,
                 CASE WHEN $5 > 0 THEN '70_79' ELSE 'NONE' END, CASE WHEN $5 > 0 THEN 'TIER_70_79' ELSE 'UNDER_AGE' END,
                 'DAY', 'ID_CARD_READER', $6, $7, 'h')
         RETURNING id`,
        [sub, canteenId, dinerId, date, subsidy, cashier.id, `k${++key}`],
      );
      return String(m.id);
    };
    const keptOnOldest = await meal(c1, s1.id, oldest, '2025-03-03', 200);
    // The same day in the other sub-district: subsidised twice before the city register. It stays as recorded.
    const doubleSubsidy = await meal(c2, s2.id, duplicate, '2025-03-03', 200);
    const moved = await meal(c2, s2.id, duplicate, '2025-03-04', 200);
    const movedUnsubsidised = await meal(c2, s2.id, duplicate, '2025-03-03', 0);
    const untouched = await meal(c2, s2.id, other, '2025-03-03', 200);
    const before = await mealsByDiner();

    await ds.runMigrations({ transaction: 'all' });
    expect(await applied()).toBe(true);
    const after = await mealsByDiner();
    expect(Object.keys(after)).toEqual(Object.keys(before)); // not a meal lost
    expect(after).toEqual({
      [keptOnOldest]: oldest,
      [doubleSubsidy]: duplicate,
      [moved]: oldest,
      [movedUnsubsidised]: oldest,
      [untouched]: other,
    });
    const diners: { id: number; name: string; card_no: string | null; merged_into_id: number | null }[] =
      await ds.query(`SELECT id, name, card_no, merged_into_id FROM diners ORDER BY id`);
    expect(diners).toEqual([
      // The oldest registration keeps its own name and takes the card it lacked.
      { id: oldest, name: '张三', card_no: 'CARD-1', merged_into_id: null },
      { id: duplicate, name: '张三丰', card_no: null, merged_into_id: oldest },
      { id: other, name: '李四', card_no: 'CARD-2', merged_into_id: null },
    ]);
    const [sub] = await ds.query(
      `SELECT d.name, d.code FROM subdistricts s JOIN districts d ON d.id = s.district_id
                                   WHERE s.id = $1`,
      [s1.id],
    );
    expect(sub).toEqual({ name: '东昌府区', code: '371502' });
    // Meals are immutable again once the migration is done.
    await expect(ds.query(`UPDATE meals SET diner_id = $1 WHERE id = $2`, [other, moved])).rejects.toThrow(/immutable/);

    await undoCityRegister();
    expect(await mealsByDiner()).toEqual(before);
    const restored = await ds.query(`SELECT id, card_no FROM diners ORDER BY id`);
    expect(restored).toEqual([
      { id: oldest, card_no: null },
      { id: duplicate, card_no: 'CARD-1' },
      { id: other, card_no: 'CARD-2' },
    ]);
    // And it applies again.
    await ds.runMigrations({ transaction: 'all' });
    expect(await applied()).toBe(true);
  });
});
