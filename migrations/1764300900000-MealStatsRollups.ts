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

const ADD = `meals = s.meals + EXCLUDED.meals, subsidised_meals = s.subsidised_meals + EXCLUDED.subsidised_meals,
      subsidy_fen = s.subsidy_fen + EXCLUDED.subsidy_fen`;
const SUBTRACT = `meals = s.meals - v.meals, subsidised_meals = s.subsidised_meals - v.subsidised_meals,
      subsidy_fen = s.subsidy_fen - v.subsidy_fen`;
const on = (key: string): string =>
  key
    .split(', ')
    .map((c) => `s.${c} = v.${c}`)
    .join(' AND ');

/** Meals `src` recorded: added to both rollups. */
const addMeals = (src: string): string => `
    INSERT INTO meal_stats_days AS s (${DAY_KEY}, meals, subsidised_meals, subsidy_fen) ${dayRows(src)}
    ON CONFLICT (${DAY_KEY}) DO UPDATE SET ${ADD};
    INSERT INTO meal_stats_diner_months AS s (${DINER_MONTH_KEY}, meals, subsidised_meals, subsidy_fen)
    ${dinerMonthRows(src)}
    ON CONFLICT (${DINER_MONTH_KEY}) DO UPDATE SET ${ADD};`;

/** Meals `src` voided: taken from the rows that counted them (which exist: they were added when recorded). */
const subtractMeals = (src: string): string => `
    UPDATE meal_stats_days s SET ${SUBTRACT} FROM (${dayRows(src)}) v WHERE ${on(DAY_KEY)};
    UPDATE meal_stats_diner_months s SET ${SUBTRACT} FROM (${dinerMonthRows(src)}) v WHERE ${on(DINER_MONTH_KEY)};`;

/**
 * Statistics of a city's year within a second (issue 16): two rollups of the meals that count (not voided), kept in
 * step with meals in the same transaction by statement-level triggers, so they are never stale:
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
    // Statement-level with transition tables: a bulk INSERT (COPY, the benchmarks, insertMeals) is one grouped upsert
    // per rollup, not one per meal; the till's single-row insert is one small upsert per rollup.
    await q.query(`
      CREATE FUNCTION meal_stats_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${addMeals('(SELECT * FROM added_meals WHERE voided_at IS NULL)')}
        ELSE
          ${subtractMeals(`(SELECT o.* FROM before_meals o JOIN after_meals n ON n.id = o.id
                              WHERE o.voided_at IS NULL AND n.voided_at IS NOT NULL)`)}
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER meals_stats_rollup_insert AFTER INSERT ON meals REFERENCING NEW TABLE AS added_meals
      FOR EACH STATEMENT EXECUTE FUNCTION meal_stats_rollup()`);
    await q.query(`
      CREATE TRIGGER meals_stats_rollup_void AFTER UPDATE ON meals
      REFERENCING OLD TABLE AS before_meals NEW TABLE AS after_meals
      FOR EACH STATEMENT EXECUTE FUNCTION meal_stats_rollup()`);
    // The meals recorded so far; the triggers above already hold meals' writers off until this transaction commits.
    await q.query(addMeals('(SELECT * FROM meals WHERE voided_at IS NULL)'));
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER meals_stats_rollup_void ON meals`);
    await q.query(`DROP TRIGGER meals_stats_rollup_insert ON meals`);
    await q.query(`DROP FUNCTION meal_stats_rollup()`);
    await q.query(`DROP TABLE meal_stats_diner_months`);
    await q.query(`DROP TABLE meal_stats_days`);
  }
}
