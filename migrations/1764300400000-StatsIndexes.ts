import { MigrationInterface, QueryRunner } from 'typeorm';

// Statistics (src/stats/stats.queries.ts) read only these columns of meals that are not voided, over a range of
// meal dates: with them all in one partial index the planner answers from the index alone (an index-only scan)
// instead of visiting the table, bench/stats.ts and docs/PERFORMANCE.md.
export class StatsIndexes1764300400000 implements MigrationInterface {
  name = 'StatsIndexes1764300400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX meals_stats_idx ON meals
        (meal_date, subdistrict_id, canteen_id, diner_id, tier, meal_period, subsidy_fen, served_at)
      WHERE voided_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX meals_stats_idx`);
  }
}
