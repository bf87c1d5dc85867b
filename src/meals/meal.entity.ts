import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Canteen } from '../canteens/canteen.entity';
import { Diner } from '../diners/diner.entity';
import { PolicyVersionRow } from '../policy/policy-version.entity';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { User } from '../users/user.entity';
import { MEAL_PERIODS, MealPeriod, VERIFICATIONS, Verification } from '../common/enums';

// A meal is never deleted; a wrong one is voided (who, when, why). Money in fen. The database holds it so:
// trigger meals_immutable_row lets only the void columns change, once, and refuses DELETE (meals_no_truncate:
// TRUNCATE); (canteen_id, subdistrict_id) references the canteen's pair (migration MealsImmutable).
@Entity({ name: 'meals' })
@ForeignKey(() => Canteen, ['canteenId', 'subdistrictId'], ['id', 'subdistrictId'], {
  name: 'meals_canteen_subdistrict_fkey',
})
// SPEC §3: at most one subsidised meal per diner per day (or per period) — the daily limit's guarantee.
@Index('meals_one_subsidy_per_slot', ['dinerId', 'mealDate', 'subsidySlot'], {
  unique: true,
  where: 'subsidy_fen > 0 AND voided_at IS NULL',
})
// Idempotency-Key: the same key at a canteen is the same meal.
@Index('meals_idempotency_key', ['canteenId', 'idempotencyKey'], { unique: true })
@Index('meals_canteen_date_idx', ['canteenId', 'mealDate'])
@Index('meals_subdistrict_date_idx', ['subdistrictId', 'mealDate'])
@Index('meals_diner_date_idx', ['dinerId', 'mealDate'])
// Statistics read only these columns of meals that count (src/stats/stats.queries.ts): an index-only scan.
@Index(
  'meals_stats_idx',
  ['mealDate', 'subdistrictId', 'canteenId', 'dinerId', 'tier', 'mealPeriod', 'subsidyFen', 'servedAt'],
  { where: 'voided_at IS NULL' },
)
// The city register's reach (dinerReachSql): has this diner eaten in this sub-district / at these canteens?
@Index('meals_diner_site_idx', ['dinerId', 'subdistrictId', 'canteenId'])
@Check('meals_meal_period_check', `meal_period IN ('BREAKFAST', 'LUNCH', 'DINNER')`)
@Check('meals_price_fen_check', `price_fen >= 0`)
@Check('meals_check', `subsidy_fen >= 0 AND subsidy_fen <= price_fen`)
@Check('meals_check1', `payable_fen = price_fen - subsidy_fen`)
@Check('meals_age_check', `age >= 0 AND age < 200`)
@Check('meals_subsidy_slot_check', `subsidy_slot IN ('DAY', 'BREAKFAST', 'LUNCH', 'DINNER')`)
@Check('meals_verification_check', `verification IN ('ID_CARD_READER', 'MANUAL_ENTRY', 'MEAL_CARD')`)
@Check('meals_idempotency_key_check', `length(idempotency_key) BETWEEN 1 AND 128`)
@Check('meals_check2', `(voided_at IS NULL) = (void_reason IS NULL) AND (voided_at IS NULL) = (voided_by IS NULL)`)
@Check('meals_check3', `subsidy_fen = 0 OR reason LIKE 'TIER\\_%'`)
export class Meal {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'meals_pkey' })
  id!: string;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  @ForeignKey(() => Subdistrict, { name: 'meals_subdistrict_id_fkey' })
  subdistrictId!: number;

  @Column({ name: 'canteen_id', type: 'integer' })
  canteenId!: number;

  @Column({ name: 'diner_id', type: 'integer' })
  @ForeignKey(() => Diner, { name: 'meals_diner_id_fkey' })
  dinerId!: number;

  @Column({ name: 'meal_date', type: 'date' })
  mealDate!: string;

  @Column({ name: 'meal_period', type: 'text', enum: MEAL_PERIODS })
  mealPeriod!: MealPeriod;

  @Column({ name: 'served_at', type: 'timestamptz' })
  servedAt!: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;

  @Column({ name: 'price_fen', type: 'integer' })
  priceFen!: number;

  @Column({ name: 'subsidy_fen', type: 'integer' })
  subsidyFen!: number;

  @Column({ name: 'payable_fen', type: 'integer' })
  payableFen!: number;

  @Column({ type: 'integer' })
  age!: number;

  @Column({ type: 'text' })
  tier!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'policy_version_id', type: 'integer', nullable: true })
  @ForeignKey(() => PolicyVersionRow, { name: 'meals_policy_version_id_fkey' })
  policyVersionId!: number | null;

  @Column({ name: 'subsidy_slot', type: 'text' })
  subsidySlot!: 'DAY' | MealPeriod;

  @Column({ type: 'text', enum: VERIFICATIONS })
  verification!: Verification;

  @Column({ name: 'cashier_user_id', type: 'integer' })
  @ForeignKey(() => User, { name: 'meals_cashier_user_id_fkey' })
  cashierUserId!: number;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  // Recorded outside its period's hours at the canteen, after the cashier confirmed so (issue 15).
  @Column({ name: 'outside_hours', type: 'boolean', default: false })
  outsideHours!: boolean;

  // Recorded by a till while it could not reach the server (SPEC §4 "Offline"); served_at is the till's.
  @Column({ type: 'boolean', default: false })
  offline!: boolean;

  @Column({ name: 'voided_at', type: 'timestamptz', nullable: true })
  voidedAt!: Date | null;

  @Column({ name: 'voided_by', type: 'integer', nullable: true })
  @ForeignKey(() => User, { name: 'meals_voided_by_fkey' })
  voidedBy!: number | null;

  @Column({ name: 'void_reason', type: 'text', nullable: true })
  voidReason!: string | null;
}
