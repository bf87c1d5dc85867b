import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §4 "Offline", §6: a meal an offline till recorded carries `offline` (its original `servedAt` is the meal's).
 * When the server's subsidy is lower than the provisional one the till quoted, the canteen under-collected: an
 * offline conflict, seen and settled by the operator. A diner the register does not know has no meal row (a meal
 * needs a diner); the conflict row then keeps the meal itself, with the ID number only as its keyed hash and masked
 * form (never plain, never encrypted), so nothing the till recorded is lost. Adding a column with a constant default
 * rewrites no meal, so the immutability trigger is not involved.
 */
export class OfflineMeals1764300800000 implements MigrationInterface {
  name = 'OfflineMeals1764300800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meals ADD COLUMN offline boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE offline_conflicts (
        id bigserial CONSTRAINT offline_conflicts_pkey PRIMARY KEY,
        subdistrict_id integer NOT NULL CONSTRAINT offline_conflicts_subdistrict_id_fkey REFERENCES subdistricts(id),
        canteen_id integer NOT NULL,
        meal_id bigint NULL CONSTRAINT offline_conflicts_meal_id_fkey REFERENCES meals(id),
        id_number_hmac bytea NULL,
        id_number_masked text NOT NULL,
        meal_date date NOT NULL,
        meal_period text NOT NULL CONSTRAINT offline_conflicts_meal_period_check
          CHECK (meal_period IN ('BREAKFAST', 'LUNCH', 'DINNER')),
        served_at timestamptz NOT NULL,
        offline_since timestamptz NOT NULL,
        price_fen integer NOT NULL,
        provisional_subsidy_fen integer NOT NULL,
        subsidy_fen integer NOT NULL,
        under_collected_fen integer NOT NULL,
        reason text NOT NULL,
        cashier_user_id integer NOT NULL CONSTRAINT offline_conflicts_cashier_user_id_fkey REFERENCES users(id),
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        settled_at timestamptz NULL,
        settled_by integer NULL CONSTRAINT offline_conflicts_settled_by_fkey REFERENCES users(id),
        settle_note text NULL,
        CONSTRAINT offline_conflicts_canteen_subdistrict_fkey
          FOREIGN KEY (canteen_id, subdistrict_id) REFERENCES canteens (id, subdistrict_id),
        CONSTRAINT offline_conflicts_amounts_check CHECK (
          subsidy_fen >= 0 AND provisional_subsidy_fen <= price_fen
          AND under_collected_fen = provisional_subsidy_fen - subsidy_fen AND under_collected_fen > 0),
        CONSTRAINT offline_conflicts_diner_check CHECK ((meal_id IS NULL) = (id_number_hmac IS NOT NULL)),
        CONSTRAINT offline_conflicts_settled_check CHECK (
          (settled_at IS NULL) = (settled_by IS NULL) AND (settled_at IS NULL) = (settle_note IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX offline_conflicts_idempotency_key ON offline_conflicts (canteen_id, idempotency_key)`,
    );
    await q.query(`CREATE UNIQUE INDEX offline_conflicts_meal_key ON offline_conflicts (meal_id)`);
    await q.query(`CREATE INDEX offline_conflicts_canteen_date_idx ON offline_conflicts (canteen_id, meal_date)`);
    await q.query(`
      CREATE INDEX offline_conflicts_open_idx ON offline_conflicts (subdistrict_id, meal_date)
      WHERE settled_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE offline_conflicts`);
    await q.query(`ALTER TABLE meals DROP COLUMN offline`);
  }
}
