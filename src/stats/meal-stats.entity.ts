import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

// The statistics' rollups of the meals that count (not voided), kept in step with meals in the same transaction by
// the row-level triggers meals_stats_rollup_insert and meals_stats_rollup_void (function meal_stats_rollup,
// migration MealStatsRollups). Nothing else writes them. Rows whose meals fall to 0 after voids stay, with zeros.

/** Per day, canteen, tier, meal period and hour of service (Asia/Shanghai). */
@Entity({ name: 'meal_stats_days' })
@Index('meal_stats_days_canteen_idx', ['canteenId', 'mealDate'])
@Check('meal_stats_days_check', `meals >= 0 AND subsidised_meals >= 0 AND subsidy_fen >= 0`)
export class MealStatsDay {
  @PrimaryColumn({ name: 'meal_date', type: 'date', primaryKeyConstraintName: 'meal_stats_days_pkey' })
  mealDate!: string;

  @PrimaryColumn({ name: 'subdistrict_id', type: 'integer', primaryKeyConstraintName: 'meal_stats_days_pkey' })
  subdistrictId!: number;

  @PrimaryColumn({ name: 'canteen_id', type: 'integer', primaryKeyConstraintName: 'meal_stats_days_pkey' })
  canteenId!: number;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'meal_stats_days_pkey' })
  tier!: string;

  @PrimaryColumn({ name: 'meal_period', type: 'text', primaryKeyConstraintName: 'meal_stats_days_pkey' })
  mealPeriod!: string;

  /** ISO weekday of served_at in Asia/Shanghai: 1 Monday … 7 Sunday. */
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'meal_stats_days_pkey' })
  weekday!: number;

  /** Hour of served_at in Asia/Shanghai, 0..23. */
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'meal_stats_days_pkey' })
  hour!: number;

  @Column({ type: 'integer' })
  meals!: number;

  @Column({ name: 'subsidised_meals', type: 'integer' })
  subsidisedMeals!: number;

  @Column({ name: 'subsidy_fen', type: 'bigint' })
  subsidyFen!: string;
}

/** Per month, canteen, diner, tier and meal period: distinct diners are counted from these rows, exactly. */
@Entity({ name: 'meal_stats_diner_months' })
@Index('meal_stats_diner_months_canteen_idx', ['canteenId', 'month'])
@Index('meal_stats_diner_months_subdistrict_idx', ['subdistrictId', 'month'])
@Check('meal_stats_diner_months_check', `meals >= 0 AND subsidised_meals >= 0 AND subsidy_fen >= 0`)
export class MealStatsDinerMonth {
  /** The month's first day. */
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'meal_stats_diner_months_pkey' })
  month!: string;

  @PrimaryColumn({ name: 'subdistrict_id', type: 'integer', primaryKeyConstraintName: 'meal_stats_diner_months_pkey' })
  subdistrictId!: number;

  @PrimaryColumn({ name: 'canteen_id', type: 'integer', primaryKeyConstraintName: 'meal_stats_diner_months_pkey' })
  canteenId!: number;

  @PrimaryColumn({ name: 'diner_id', type: 'integer', primaryKeyConstraintName: 'meal_stats_diner_months_pkey' })
  dinerId!: number;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'meal_stats_diner_months_pkey' })
  tier!: string;

  @PrimaryColumn({ name: 'meal_period', type: 'text', primaryKeyConstraintName: 'meal_stats_diner_months_pkey' })
  mealPeriod!: string;

  @Column({ type: 'integer' })
  meals!: number;

  @Column({ name: 'subsidised_meals', type: 'integer' })
  subsidisedMeals!: number;

  @Column({ name: 'subsidy_fen', type: 'bigint' })
  subsidyFen!: string;
}
