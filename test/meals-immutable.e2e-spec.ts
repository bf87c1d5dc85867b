import { Client } from 'pg';
import { createCanteen, createDiner, createSubdistrict, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// SPEC §7: meals are immutable in the database too — checked with SQL from outside the app, as a careless script or
// a hand-typed psql session would send it.
describe('meals in the database', () => {
  let t: TestApp;
  let sql: Client;
  let cashier: UserFixture;
  let canteenId: number;
  let otherSubdistrictId: number;

  const record = async (idNumber: string, key: string): Promise<string> => {
    const res = await t
      .http()
      .post(`/api/canteens/${canteenId}/meals`)
      .set('Authorization', cashier.token)
      .set('Idempotency-Key', key)
      .send({ idNumber, mealPeriod: 'LUNCH', verification: 'ID_CARD_READER' })
      .expect(201);
    return String(res.body.id);
  };

  beforeAll(async () => {
    t = await startTestApp();
    const canteen = await createCanteen(t.db);
    canteenId = canteen.id;
    otherSubdistrictId = await createSubdistrict(t.db);
    cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    sql = new Client({ connectionString: t.config.DATABASE_URL });
    await sql.connect();
  });

  afterAll(async () => {
    await sql.end();
    await t.close();
  });

  it('refuses to change any column of a recorded meal but the void columns', async () => {
    const diner = await createDiner(t, { birthDate: '1944-03-02' });
    const id = await record(diner.idNumber, 'imm-1');
    for (const change of [
      'price_fen = price_fen + 100, payable_fen = payable_fen + 100',
      'subsidy_fen = 0, payable_fen = price_fen',
      'meal_date = meal_date - 1',
      "meal_period = 'DINNER'",
      'diner_id = diner_id + 1',
      "request_hash = 'x'",
    ]) {
      await expect(sql.query(`UPDATE meals SET ${change} WHERE id = $1`, [id])).rejects.toThrow(/immutable/);
    }
    // Each was refused and left the row as it was.
    const [row] = (await sql.query(`SELECT price_fen, subsidy_fen, meal_period FROM meals WHERE id = $1`, [id])).rows;
    expect(row).toEqual({ price_fen: 1200, subsidy_fen: 400, meal_period: 'LUNCH' });
  });

  it('lets a meal be voided once, never un-voided or voided again', async () => {
    const diner = await createDiner(t, { birthDate: '1950-06-10' });
    const id = await record(diner.idNumber, 'imm-2');
    await sql.query(`UPDATE meals SET voided_at = now(), voided_by = $2, void_reason = '录错' WHERE id = $1`, [
      id,
      cashier.id,
    ]);
    await expect(
      sql.query(`UPDATE meals SET voided_at = NULL, voided_by = NULL, void_reason = NULL WHERE id = $1`, [id]),
    ).rejects.toThrow(/voided and can no longer change/);
    await expect(sql.query(`UPDATE meals SET void_reason = '另一个原因' WHERE id = $1`, [id])).rejects.toThrow(
      /voided and can no longer change/,
    );
    // Through the API the second void is a clear 409, not a database error.
    const res = await t
      .http()
      .post(`/api/meals/${id}/void`)
      .set('Authorization', cashier.token)
      .send({ reason: '再作废一次' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('MEAL_ALREADY_VOIDED');
  });

  it('refuses DELETE and TRUNCATE', async () => {
    const diner = await createDiner(t, { birthDate: '1938-12-31' });
    const id = await record(diner.idNumber, 'imm-3');
    await expect(sql.query(`DELETE FROM meals WHERE id = $1`, [id])).rejects.toThrow(/never deleted/);
    await expect(sql.query(`TRUNCATE meals CASCADE`)).rejects.toThrow(/never deleted/);
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM meals WHERE id = $1`, [id]);
    expect(rows[0].n).toBe(1);
  });

  it("ties a meal's sub-district to its canteen's", async () => {
    const diner = await createDiner(t, { birthDate: '1945-01-01' });
    const id = await record(diner.idNumber, 'imm-4');
    // A copy of a real meal that claims to belong to another sub-district than its canteen's.
    await expect(
      sql.query(
        `INSERT INTO meals (subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen,
            subsidy_fen, payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification, cashier_user_id,
            idempotency_key, request_hash)
         SELECT $2, canteen_id, diner_id, meal_date - 1, meal_period, served_at - interval '1 day', price_fen,
            subsidy_fen, payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification, cashier_user_id,
            'imm-4-copy', request_hash
           FROM meals WHERE id = $1`,
        [id, otherSubdistrictId],
      ),
    ).rejects.toThrow(/meals_canteen_subdistrict_fkey/);
  });
});
