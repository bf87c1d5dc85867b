import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The city register (issue 17) lists a diner to the staff of every canteen where the diner has eaten: an EXISTS over
 * meals per diner (dinerReachSql). This index answers it with one index-only probe per diner instead of reading the
 * diner's meals (bench/register.ts: a page of the register 2.5–3× faster, figures in docs/PERFORMANCE.md).
 */
export class MealsDinerSiteIndex1764300501000 implements MigrationInterface {
  name = 'MealsDinerSiteIndex1764300501000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX meals_diner_site_idx ON meals (diner_id, subdistrict_id, canteen_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX meals_diner_site_idx`);
  }
}
