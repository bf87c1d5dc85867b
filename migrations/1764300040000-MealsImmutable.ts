import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §7: meals are immutable in the database too. Only the void columns may change, once, from empty to filled;
 * no row is ever deleted, and the table is never truncated. A meal's sub-district is its canteen's (the claim of the
 * canteen's sub-district counts it), tied by a foreign key on (canteen_id, subdistrict_id).
 */
export class MealsImmutable1764300040000 implements MigrationInterface {
  name = 'MealsImmutable1764300040000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION meals_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' THEN
          RAISE EXCEPTION 'meals are never deleted (% refused); void the meal instead', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.voided_at IS NOT NULL THEN
          RAISE EXCEPTION 'meal % is voided and can no longer change', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- Every column but the three void columns, whatever columns are added later.
        IF to_jsonb(NEW) - 'voided_at' - 'voided_by' - 'void_reason'
           IS DISTINCT FROM to_jsonb(OLD) - 'voided_at' - 'voided_by' - 'void_reason' THEN
          RAISE EXCEPTION 'meal % is immutable: only the void columns may change', OLD.id
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER meals_immutable_row BEFORE UPDATE OR DELETE ON meals
      FOR EACH ROW EXECUTE FUNCTION meals_immutable()`);
    await q.query(`
      CREATE TRIGGER meals_no_truncate BEFORE TRUNCATE ON meals
      FOR EACH STATEMENT EXECUTE FUNCTION meals_immutable()`);
    await q.query(`ALTER TABLE canteens ADD CONSTRAINT canteens_id_subdistrict_key UNIQUE (id, subdistrict_id)`);
    // Replaces the plain canteen foreign key: one look-up per inserted meal, not two.
    await q.query(`ALTER TABLE meals DROP CONSTRAINT meals_canteen_id_fkey`);
    await q.query(`
      ALTER TABLE meals ADD CONSTRAINT meals_canteen_subdistrict_fkey
      FOREIGN KEY (canteen_id, subdistrict_id) REFERENCES canteens (id, subdistrict_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meals DROP CONSTRAINT meals_canteen_subdistrict_fkey`);
    await q.query(
      `ALTER TABLE meals ADD CONSTRAINT meals_canteen_id_fkey FOREIGN KEY (canteen_id) REFERENCES canteens (id)`,
    );
    await q.query(`ALTER TABLE canteens DROP CONSTRAINT canteens_id_subdistrict_key`);
    await q.query(`DROP TRIGGER meals_no_truncate ON meals`);
    await q.query(`DROP TRIGGER meals_immutable_row ON meals`);
    await q.query(`DROP FUNCTION meals_immutable()`);
  }
}
