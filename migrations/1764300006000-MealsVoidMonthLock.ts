import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Voiding a meal in a locked month is refused by the same trigger function that refuses new meals there
 * (migration MealsMonthLockTrigger), so the rule and the advisory-lock key live in one place in the database.
 */
export class MealsVoidMonthLock1764300006000 implements MigrationInterface {
  name = 'MealsVoidMonthLock1764300006000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TRIGGER meals_void_month_not_locked BEFORE UPDATE OF voided_at ON meals
      FOR EACH ROW WHEN (OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL)
      EXECUTE FUNCTION meals_refuse_locked_month()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER meals_void_month_not_locked ON meals`);
  }
}
