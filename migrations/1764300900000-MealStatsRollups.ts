import { MigrationInterface, QueryRunner } from 'typeorm';

// Columns of the two rollups' keys, in primary-key order (also the ON CONFLICT targets and the GROUP BY lists).
const DAY_KEY = 'meal_date, subdistrict_id, canteen_id, tier, meal_period, weekday, hour';
const DINER_MONTH_KEY = 'month, subdistrict_id, canteen_id, diner_id, tier, meal_period';

// The rollups' grouping of a set of meals `src`: the key, then meals, subsidised meals and subsidy. Weekday and hour
// are those of served_at in Asia/Shanghai (SPEC §3), as the statistics have always read them.
const dayRows = (src: string): string => `
    SELECT m.meal_date, m.subdistrict_id, m.canteen_id, m.tier, m.meal_period,
           EXTRACT(ISODOW FROM m.served_at AT TIME ZONE 'Asia/Shanghai')::smallint AS weekday,
           EXTRACT(HOUR FROM m.served_at AT TIME ZONE 'Asia/Shanghai')::smallint AS hour,
           count(*)::int AS meals, (count(*) FILTER (WHERE m.subsidy_fen > 0))::int AS subsidised_meals,
           sum(m.subsidy_fen) AS subsidy_fen
      FROM ${src} m GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
const dinerMonthRows = (src: string): string => `
    SELECT date_trunc('month', m.meal_date)::date AS month, m.subdistrict_id, m.canteen_id, m.diner_id, m.tier,
           m.meal_period, count(*)::int AS meals, (count(*) FILTER (WHERE m.subsidy_fen > 0))::int AS subsidised_meals,
           sum(m.subsidy_fen) AS subsidy_fen
      FROM ${src} m GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`;

/** The meals recorded so far, added to both rollups in two statements (the migration's backfill). */
const backfill = (src: string): string => `
    INSERT INTO meal_stats_days (${DAY_KEY}, meals, subsidised_meals, subsidy_fen) ${dayRows(src)};
    INSERT INTO meal_stats_diner_months (${DINER_MONTH_KEY}, meals, subsidised_meals, subsidy_fen)
    ${dinerMonthRows(src)};`;

/**
 * Statistics of a city's year within a second (issue 16): two rollups of the meals that count (not voided), kept in
 * step with meals in the same transaction by row-level triggers, so they are never stale:
 * - meal_stats_days: per day, canteen, tier, meal period and hour of service → meals, subsidised meals, subsidy
 *   (the daily line, tiers per day, the busiest hours);
 * - meal_stats_diner_months: per month, canteen, diner, tier and meal period → the same figures, so that distinct
 *   diners of a month, of a tier, a period or a canteen are exact counts of rows (they cannot be summed across days).
 * A void subtracts the meal (the only UPDATE meals allows, trigger meals_immutable_row); meals are never deleted.
 * Rows whose meals fall to 0 after voids stay, with zeros: the statistics read only rows with meals > 0.
 */
export class MealStatsRollups1764300900000 implements MigrationInterface {
  name = 'MealStatsRollups1764300900000';

  public async up(q: QueryRunner): Promise<void> {
    // No foreign keys: every row comes from a meal, whose own keys are checked; a check per upsert would cost the till.
    await q.query(`
      CREATE TABLE meal_stats_days (
        meal_date date NOT NULL,
        subdistrict_id integer NOT NULL,
        canteen_id integer NOT NULL,
        tier text NOT NULL,
        meal_period text NOT NULL,
        weekday smallint NOT NULL,
        hour smallint NOT NULL,
        meals integer NOT NULL,
        subsidised_meals integer NOT NULL,
        subsidy_fen bigint NOT NULL,
        CONSTRAINT meal_stats_days_pkey PRIMARY KEY (${DAY_KEY}),
        CONSTRAINT meal_stats_days_check CHECK (meals >= 0 AND subsidised_meals >= 0 AND subsidy_fen >= 0)
      ) WITH (fillfactor = 80)`);
    await q.query(`CREATE INDEX meal_stats_days_canteen_idx ON meal_stats_days (canteen_id, meal_date)`);
    await q.query(`
      CREATE TABLE meal_stats_diner_months (
        month date NOT NULL,
        subdistrict_id integer NOT NULL,
        canteen_id integer NOT NULL,
        diner_id integer NOT NULL,
        tier text NOT NULL,
        meal_period text NOT NULL,
        meals integer NOT NULL,
        subsidised_meals integer NOT NULL,
        subsidy_fen bigint NOT NULL,
        CONSTRAINT meal_stats_diner_months_pkey PRIMARY KEY (${DINER_MONTH_KEY}),
        CONSTRAINT meal_stats_diner_months_check CHECK (meals >= 0 AND subsidised_meals >= 0 AND subsidy_fen >= 0)
      ) WITH (fillfactor = 80)`);
    await q.query(`CREATE INDEX meal_stats_diner_months_canteen_idx ON meal_stats_diner_months (canteen_id, month)`);
    // A sub-district's (finance) or a district's (reviewer) months without reading the city's.
    await q.query(
      `CREATE INDEX meal_stats_diner_months_subdistrict_idx ON meal_stats_diner_months (subdistrict_id, month)`,
    );
    // Row-level, one small upsert per rollup and meal, plans cached by PL/pgSQL: statement-level triggers with
    // transition tables cost the till's INSERT ~40% of its rate in bench/stats-rollup-cost.sh, these ~10%. AFTER, so
    // that an INSERT that ON CONFLICT DO NOTHING skips (an Idempotency-Key seen before) counts nothing.
    await q.query(`
      CREATE FUNCTION meal_stats_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        m meals;
        local timestamp;
        subsidised int;
      BEGIN
        IF TG_OP = 'INSERT' THEN m := NEW; ELSE m := OLD; END IF;
        local := m.served_at AT TIME ZONE 'Asia/Shanghai';
        subsidised := (m.subsidy_fen > 0)::int;
        IF TG_OP = 'INSERT' THEN
          INSERT INTO meal_stats_days AS s (${DAY_KEY}, meals, subsidised_meals, subsidy_fen)
          VALUES (m.meal_date, m.subdistrict_id, m.canteen_id, m.tier, m.meal_period,
                  EXTRACT(ISODOW FROM local)::smallint, EXTRACT(HOUR FROM local)::smallint, 1, subsidised, m.subsidy_fen)
          ON CONFLICT (${DAY_KEY}) DO UPDATE SET meals = s.meals + 1,
            subsidised_meals = s.subsidised_meals + EXCLUDED.subsidised_meals,
            subsidy_fen = s.subsidy_fen + EXCLUDED.subsidy_fen;
          INSERT INTO meal_stats_diner_months AS s (${DINER_MONTH_KEY}, meals, subsidised_meals, subsidy_fen)
          VALUES (date_trunc('month', m.meal_date)::date, m.subdistrict_id, m.canteen_id, m.diner_id, m.tier,
                  m.meal_period, 1, subsidised, m.subsidy_fen)
          ON CONFLICT (${DINER_MONTH_KEY}) DO UPDATE SET meals = s.meals + 1,
            subsidised_meals = s.subsidised_meals + EXCLUDED.subsidised_meals,
            subsidy_fen = s.subsidy_fen + EXCLUDED.subsidy_fen;
        ELSE
          -- A void: the rows that counted the meal exist (added when it was recorded).
          UPDATE meal_stats_days SET meals = meals - 1, subsidised_meals = subsidised_meals - subsidised,
                 subsidy_fen = subsidy_fen - m.subsidy_fen
           WHERE meal_date = m.meal_date AND subdistrict_id = m.subdistrict_id AND canteen_id = m.canteen_id
             AND tier = m.tier AND meal_period = m.meal_period
             AND weekday = EXTRACT(ISODOW FROM local) AND hour = EXTRACT(HOUR FROM local);
          UPDATE meal_stats_diner_months SET meals = meals - 1, subsidised_meals = subsidised_meals - subsidised,
                 subsidy_fen = subsidy_fen - m.subsidy_fen
           WHERE month = date_trunc('month', m.meal_date)::date AND subdistrict_id = m.subdistrict_id
             AND canteen_id = m.canteen_id AND diner_id = m.diner_id AND tier = m.tier AND meal_period = m.meal_period;
        END IF;
        RETURN NULL;
      END $$`);
    // A meal inserted already voided (imports of paper records, fixtures) counts nowhere, so it is not added.
    await q.query(`
      CREATE TRIGGER meals_stats_rollup_insert AFTER INSERT ON meals
      FOR EACH ROW WHEN (NEW.voided_at IS NULL) EXECUTE FUNCTION meal_stats_rollup()`);
    await q.query(`
      CREATE TRIGGER meals_stats_rollup_void AFTER UPDATE OF voided_at ON meals
      FOR EACH ROW WHEN (OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL) EXECUTE FUNCTION meal_stats_rollup()`);
    // The meals recorded so far; the triggers above already hold meals' writers off until this transaction commits.
    await q.query(backfill('(SELECT * FROM meals WHERE voided_at IS NULL)'));
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER meals_stats_rollup_void ON meals`);
    await q.query(`DROP TRIGGER meals_stats_rollup_insert ON meals`);
    await q.query(`DROP FUNCTION meal_stats_rollup()`);
    await q.query(`DROP TABLE meal_stats_diner_months`);
    await q.query(`DROP TABLE meal_stats_days`);
  }
}
