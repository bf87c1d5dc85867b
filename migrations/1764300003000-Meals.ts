import { MigrationInterface, QueryRunner } from 'typeorm';

export class Meals1764300003000 implements MigrationInterface {
  name = 'Meals1764300003000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meals (
        id bigserial PRIMARY KEY,
        subdistrict_id integer NOT NULL REFERENCES subdistricts(id),
        canteen_id integer NOT NULL REFERENCES canteens(id),
        diner_id integer NOT NULL REFERENCES diners(id),
        meal_date date NOT NULL,
        meal_period text NOT NULL CHECK (meal_period IN ('BREAKFAST', 'LUNCH', 'DINNER')),
        served_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        price_fen integer NOT NULL CHECK (price_fen >= 0),
        subsidy_fen integer NOT NULL CHECK (subsidy_fen >= 0 AND subsidy_fen <= price_fen),
        payable_fen integer NOT NULL CHECK (payable_fen = price_fen - subsidy_fen),
        age integer NOT NULL CHECK (age >= 0 AND age < 200),
        tier text NOT NULL,
        reason text NOT NULL,
        policy_version_id integer NULL REFERENCES subsidy_policy_versions(id),
        -- The day's subsidy slot: 'DAY' under PER_DAY, the meal period under PER_PERIOD.
        subsidy_slot text NOT NULL CHECK (subsidy_slot IN ('DAY', 'BREAKFAST', 'LUNCH', 'DINNER')),
        verification text NOT NULL CHECK (verification IN ('ID_CARD_READER', 'MANUAL_ENTRY', 'MEAL_CARD')),
        cashier_user_id integer NOT NULL REFERENCES users(id),
        idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 128),
        request_hash text NOT NULL,
        voided_at timestamptz NULL,
        voided_by integer NULL REFERENCES users(id),
        void_reason text NULL,
        CHECK ((voided_at IS NULL) = (void_reason IS NULL) AND (voided_at IS NULL) = (voided_by IS NULL)),
        CHECK (subsidy_fen = 0 OR reason LIKE 'TIER\\_%')
      )`);
    // SPEC §3: at most one subsidised meal per diner per day (or per period), enforced here so that two
    // tills at once cannot both subsidise the same diner.
    await q.query(`
      CREATE UNIQUE INDEX meals_one_subsidy_per_slot ON meals (diner_id, meal_date, subsidy_slot)
      WHERE subsidy_fen > 0 AND voided_at IS NULL`);
    await q.query(`CREATE UNIQUE INDEX meals_idempotency_key ON meals (canteen_id, idempotency_key)`);
    await q.query(`CREATE INDEX meals_canteen_date_idx ON meals (canteen_id, meal_date)`);
    await q.query(`CREATE INDEX meals_subdistrict_date_idx ON meals (subdistrict_id, meal_date)`);
    await q.query(`CREATE INDEX meals_diner_date_idx ON meals (diner_id, meal_date)`);
    await q.query(`
      CREATE TABLE month_locks (
        id serial PRIMARY KEY,
        subdistrict_id integer NOT NULL REFERENCES subdistricts(id),
        canteen_id integer NULL REFERENCES canteens(id),
        month char(7) NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        locked_at timestamptz NOT NULL DEFAULT now(),
        locked_by integer NOT NULL REFERENCES users(id),
        unlocked_at timestamptz NULL,
        unlocked_by integer NULL REFERENCES users(id),
        unlock_reason text NULL,
        CHECK ((unlocked_at IS NULL) = (unlocked_by IS NULL) AND (unlocked_at IS NULL) = (unlock_reason IS NULL))
      )`);
    await q.query(`
      CREATE UNIQUE INDEX month_locks_active_key ON month_locks (subdistrict_id, COALESCE(canteen_id, 0), month)
      WHERE unlocked_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE month_locks`);
    await q.query(`DROP TABLE meals`);
  }
}
