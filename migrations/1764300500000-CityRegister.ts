import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17, SPEC §2–3: one deployment for a whole city.
 *
 * - Districts (区, 6-digit administrative code) above sub-districts: the sub-districts that exist join the district
 *   named by DISTRICT_NAME / DISTRICT_CODE (default 东昌府区, 371502), which is also created on an empty database.
 * - Users: the REVIEWER role (区民政审核) is scoped to a district; every other role keeps its sub-district.
 * - One register of diners for the city: unique by the ID number's keyed hash and by card number city-wide.
 *   A person registered in several sub-districts is merged into the oldest registration (the survivor keeps its own
 *   name, phone, community and status; it takes a duplicate's card number only when it has none). Meals are
 *   repointed to the survivor, except a meal that would make two subsidies on one day (a double subsidy from before
 *   the city-wide register): that one stays on the retired row, as recorded and claimed. Retired rows are kept
 *   (never deleted) with `merged_into_id`; `diner_merges` records what moved so that down() can put it back.
 * - Two different people holding one card number in two sub-districts cannot both keep it city-wide: the migration
 *   stops and names how many, to be settled by hand first (it does not guess whose card it is).
 */
export class CityRegister1764300500000 implements MigrationInterface {
  name = 'CityRegister1764300500000';

  public async up(q: QueryRunner): Promise<void> {
    const districtName = process.env.DISTRICT_NAME?.trim() || '东昌府区';
    const districtCode = process.env.DISTRICT_CODE?.trim() || '371502';
    await q.query(`
      CREATE TABLE districts (
        id serial CONSTRAINT districts_pkey PRIMARY KEY,
        name text NOT NULL CONSTRAINT districts_name_check CHECK (length(btrim(name)) > 0),
        code varchar(6) NOT NULL CONSTRAINT districts_code_check CHECK (code ~ '^[0-9]{6}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT districts_name_key UNIQUE (name),
        CONSTRAINT districts_code_key UNIQUE (code)
      )`);
    await q.query(`INSERT INTO districts (name, code) VALUES ($1, $2)`, [districtName, districtCode]);
    await q.query(`ALTER TABLE subdistricts ADD COLUMN district_id integer NULL`);
    await q.query(`UPDATE subdistricts SET district_id = (SELECT min(id) FROM districts)`);
    await q.query(`ALTER TABLE subdistricts ALTER COLUMN district_id SET NOT NULL`);
    await q.query(`
      ALTER TABLE subdistricts ADD CONSTRAINT subdistricts_district_id_fkey
      FOREIGN KEY (district_id) REFERENCES districts (id)`);
    await q.query(`CREATE INDEX subdistricts_district_idx ON subdistricts (district_id)`);

    // Users: REVIEWER, scoped to a district; the others to a sub-district — each exactly the scope it needs.
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_role_check`);
    await q.query(`
      ALTER TABLE users ADD CONSTRAINT users_role_check
      CHECK (role IN ('CASHIER', 'OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN'))`);
    await q.query(`ALTER TABLE users ADD COLUMN district_id integer NULL`);
    await q.query(`
      ALTER TABLE users ADD CONSTRAINT users_district_id_fkey FOREIGN KEY (district_id) REFERENCES districts (id)`);
    await q.query(`ALTER TABLE users ALTER COLUMN subdistrict_id DROP NOT NULL`);
    await q.query(`
      ALTER TABLE users ADD CONSTRAINT users_scope_check CHECK (
        CASE WHEN role = 'REVIEWER' THEN district_id IS NOT NULL AND subdistrict_id IS NULL
             ELSE subdistrict_id IS NOT NULL AND district_id IS NULL END)`);

    // One register for the city.
    await q.query(`ALTER TABLE diners ADD COLUMN merged_into_id integer NULL`);
    await q.query(`
      ALTER TABLE diners ADD CONSTRAINT diners_merged_into_id_fkey FOREIGN KEY (merged_into_id) REFERENCES diners (id)`);
    await q.query(`
      CREATE TABLE diner_merges (
        diner_id integer CONSTRAINT diner_merges_pkey PRIMARY KEY
          CONSTRAINT diner_merges_diner_id_fkey REFERENCES diners (id),
        into_id integer NOT NULL CONSTRAINT diner_merges_into_id_fkey REFERENCES diners (id),
        card_no_moved boolean NOT NULL,
        merged_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO diner_merges (diner_id, into_id, card_no_moved)
      SELECT d.id, s.id, false
        FROM diners d
        JOIN LATERAL (SELECT min(o.id) AS id FROM diners o WHERE o.id_number_hmac = d.id_number_hmac) s ON true
       WHERE s.id <> d.id`);
    await q.query(`
      UPDATE diners d SET merged_into_id = g.into_id FROM diner_merges g WHERE g.diner_id = d.id`);
    // The survivor takes a card number only when it has none, from the oldest duplicate that has one.
    await q.query(`
      WITH moved AS (
        SELECT DISTINCT ON (g.into_id) g.into_id, g.diner_id, d.card_no
          FROM diner_merges g JOIN diners d ON d.id = g.diner_id JOIN diners s ON s.id = g.into_id
         WHERE d.card_no IS NOT NULL AND s.card_no IS NULL
         ORDER BY g.into_id, g.diner_id),
      survivor AS (UPDATE diners s SET card_no = moved.card_no FROM moved WHERE s.id = moved.into_id)
      UPDATE diner_merges g SET card_no_moved = true FROM moved WHERE g.diner_id = moved.diner_id`);
    await q.query(`
      UPDATE diners d SET card_no = NULL FROM diner_merges g WHERE g.diner_id = d.id AND g.card_no_moved`);
    const [clash]: { n: number }[] = await q.query(`
      SELECT count(*)::int AS n FROM (
        SELECT card_no FROM diners WHERE card_no IS NOT NULL AND merged_into_id IS NULL
         GROUP BY card_no HAVING count(*) > 1) c`);
    if (clash.n > 0) {
      throw new Error(
        `${clash.n} 个就餐卡号在不同街道属于不同的老人，全市通用前请先更正 ` +
          `(${clash.n} meal-card numbers belong to different diners in different sub-districts; settle them first)`,
      );
    }
    // Meals follow the person, unless that would be a second subsidy on one day (then it stays as recorded).
    await q.query(`ALTER TABLE meals DISABLE TRIGGER meals_immutable_row`);
    await q.query(`
      UPDATE meals m SET diner_id = g.into_id
        FROM diner_merges g
       WHERE m.diner_id = g.diner_id
         AND NOT (m.subsidy_fen > 0 AND m.voided_at IS NULL AND EXISTS (
               SELECT 1 FROM meals o
                WHERE o.meal_date = m.meal_date AND o.subsidy_slot = m.subsidy_slot
                  AND o.subsidy_fen > 0 AND o.voided_at IS NULL
                  AND (o.diner_id = g.into_id
                       OR (o.id < m.id AND o.diner_id IN (
                             SELECT g2.diner_id FROM diner_merges g2 WHERE g2.into_id = g.into_id)))))`);
    await q.query(`ALTER TABLE meals ENABLE TRIGGER meals_immutable_row`);

    await q.query(`ALTER TABLE diners DROP CONSTRAINT diners_subdistrict_id_id_number_hmac_key`);
    await q.query(`DROP INDEX diners_card_no_key`);
    await q.query(`
      CREATE UNIQUE INDEX diners_id_number_hmac_key ON diners (id_number_hmac) WHERE merged_into_id IS NULL`);
    await q.query(`
      CREATE UNIQUE INDEX diners_card_no_key ON diners (card_no) WHERE card_no IS NOT NULL AND merged_into_id IS NULL`);
    // The register lists (issue 16): by name within a sub-district stays; the last four of the ID number searched.
    await q.query(`CREATE INDEX diners_id_last4_idx ON diners (subdistrict_id, right(id_number_masked, 4))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    const [reviewers]: { n: number }[] = await q.query(`SELECT count(*)::int AS n FROM users WHERE role = 'REVIEWER'`);
    if (reviewers.n > 0) {
      throw new Error(`${reviewers.n} reviewer accounts exist; the sub-district schema has no place for them`);
    }
    await q.query(`DROP INDEX diners_id_last4_idx`);
    await q.query(`DROP INDEX diners_card_no_key`);
    await q.query(`DROP INDEX diners_id_number_hmac_key`);
    // Before the city register a diner ate only in its own sub-district: its meals there go back to it.
    await q.query(`ALTER TABLE meals DISABLE TRIGGER meals_immutable_row`);
    await q.query(`
      UPDATE meals m SET diner_id = d.id
        FROM diners d
       WHERE d.merged_into_id IS NOT NULL AND m.diner_id = d.merged_into_id AND m.subdistrict_id = d.subdistrict_id`);
    await q.query(`ALTER TABLE meals ENABLE TRIGGER meals_immutable_row`);
    await q.query(`
      UPDATE diners d SET card_no = s.card_no
        FROM diner_merges g JOIN diners s ON s.id = g.into_id
       WHERE g.diner_id = d.id AND g.card_no_moved`);
    await q.query(`
      UPDATE diners s SET card_no = NULL FROM diner_merges g WHERE g.into_id = s.id AND g.card_no_moved`);
    await q.query(`DROP TABLE diner_merges`);
    await q.query(`ALTER TABLE diners DROP COLUMN merged_into_id`);
    await q.query(
      `CREATE UNIQUE INDEX diners_card_no_key ON diners (subdistrict_id, card_no) WHERE card_no IS NOT NULL`,
    );
    await q.query(`
      ALTER TABLE diners ADD CONSTRAINT diners_subdistrict_id_id_number_hmac_key
      UNIQUE (subdistrict_id, id_number_hmac)`);

    await q.query(`ALTER TABLE users DROP CONSTRAINT users_scope_check`);
    await q.query(`ALTER TABLE users ALTER COLUMN subdistrict_id SET NOT NULL`);
    await q.query(`ALTER TABLE users DROP COLUMN district_id`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_role_check`);
    await q.query(`
      ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('CASHIER', 'OPERATOR', 'FINANCE', 'ADMIN'))`);

    await q.query(`DROP INDEX subdistricts_district_idx`);
    await q.query(`ALTER TABLE subdistricts DROP COLUMN district_id`);
    await q.query(`DROP TABLE districts`);
  }
}
