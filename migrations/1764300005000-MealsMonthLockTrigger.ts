import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A locked month refuses new meals in the database itself (SPEC §3), so that recording a meal needs no
 * transaction of its own: before each insert the trigger takes the month's advisory lock shared — the same key
 * MonthLocksService.lock takes exclusive — and only then looks for an active lock. PL/pgSQL runs that look-up
 * with a fresh snapshot (READ COMMITTED), so a lock committed while the insert waited for the advisory lock is
 * seen, and a lock being taken waits for the meal's transaction. The key is monthLockKey() in meals.service.ts.
 */
export class MealsMonthLockTrigger1764300005000 implements MigrationInterface {
  name = 'MealsMonthLockTrigger1764300005000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION meals_refuse_locked_month() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_month char(7) := to_char(NEW.meal_date, 'YYYY-MM');
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(hashtext('month_lock:' || NEW.subdistrict_id || ':' || v_month));
        IF EXISTS (SELECT 1 FROM month_locks l
                    WHERE l.subdistrict_id = NEW.subdistrict_id AND l.month = v_month AND l.unlocked_at IS NULL
                      AND (l.canteen_id IS NULL OR l.canteen_id = NEW.canteen_id)) THEN
          RAISE EXCEPTION 'month % is locked for canteen %', v_month, NEW.canteen_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meals_month_not_locked';
        END IF;
        RETURN NEW;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER meals_month_not_locked BEFORE INSERT ON meals
      FOR EACH ROW EXECUTE FUNCTION meals_refuse_locked_month()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER meals_month_not_locked ON meals`);
    await q.query(`DROP FUNCTION meals_refuse_locked_month()`);
  }
}
