import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { MEAL_PERIODS, MealPeriod, VERIFICATIONS, Verification } from '../common/enums';

// A meal is never deleted; a wrong one is voided (who, when, why). Money in fen. The database holds it so:
// trigger meals_immutable_row lets only the void columns change, once, and refuses DELETE (meals_no_truncate:
// TRUNCATE); (canteen_id, subdistrict_id) references the canteen's pair (migration MealsImmutable).
@Entity({ name: 'meals' })
export class Meal {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  subdistrictId!: number;

  @Column({ name: 'canteen_id', type: 'integer' })
  canteenId!: number;

  @Column({ name: 'diner_id', type: 'integer' })
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
  policyVersionId!: number | null;

  @Column({ name: 'subsidy_slot', type: 'text' })
  subsidySlot!: 'DAY' | MealPeriod;

  @Column({ type: 'text', enum: VERIFICATIONS })
  verification!: Verification;

  @Column({ name: 'cashier_user_id', type: 'integer' })
  cashierUserId!: number;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ name: 'voided_at', type: 'timestamptz', nullable: true })
  voidedAt!: Date | null;

  @Column({ name: 'voided_by', type: 'integer', nullable: true })
  voidedBy!: number | null;

  @Column({ name: 'void_reason', type: 'text', nullable: true })
  voidReason!: string | null;
}
