import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 (SPEC §4): a meal recorded outside its period's hours at the canteen (Asia/Shanghai, the canteen's hours
 * when it was served) is flagged. Computed by the server on recording; meals recorded before stay unflagged. Adding
 * a column with a constant default rewrites no row, so the immutability trigger is not involved.
 */
export class MealsOutsideHours1764300201000 implements MigrationInterface {
  name = 'MealsOutsideHours1764300201000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meals ADD COLUMN outside_hours boolean NOT NULL DEFAULT false`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meals DROP COLUMN outside_hours`);
  }
}
