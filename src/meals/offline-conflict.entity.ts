import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Canteen } from '../canteens/canteen.entity';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { User } from '../users/user.entity';
import { MEAL_PERIODS, MealPeriod } from '../common/enums';
import { Meal } from './meal.entity';

// SPEC §4 "Offline": an offline meal whose server subsidy is lower than the till's provisional one (migration
// OfflineMeals). meal_id is null when the register did not know the diner: the row then is the meal's only record,
// with the ID number as keyed hash and masked text only.
@Entity({ name: 'offline_conflicts' })
@ForeignKey(() => Canteen, ['canteenId', 'subdistrictId'], ['id', 'subdistrictId'], {
  name: 'offline_conflicts_canteen_subdistrict_fkey',
})
// The till's Idempotency-Key: a replay of an unregistered diner's offline meal finds its row.
@Index('offline_conflicts_idempotency_key', ['canteenId', 'idempotencyKey'], { unique: true })
@Index('offline_conflicts_meal_key', ['mealId'], { unique: true })
@Index('offline_conflicts_canteen_date_idx', ['canteenId', 'mealDate'])
// The claim's OFFLINE_CONFLICT check reads the open ones of a sub-district month.
@Index('offline_conflicts_open_idx', ['subdistrictId', 'mealDate'], { where: 'settled_at IS NULL' })
@Check('offline_conflicts_meal_period_check', `meal_period IN ('BREAKFAST', 'LUNCH', 'DINNER')`)
@Check(
  'offline_conflicts_amounts_check',
  `subsidy_fen >= 0 AND provisional_subsidy_fen <= price_fen
          AND under_collected_fen = provisional_subsidy_fen - subsidy_fen AND under_collected_fen > 0`,
)
@Check('offline_conflicts_diner_check', `(meal_id IS NULL) = (id_number_hmac IS NOT NULL)`)
@Check(
  'offline_conflicts_settled_check',
  `(settled_at IS NULL) = (settled_by IS NULL) AND (settled_at IS NULL) = (settle_note IS NULL)`,
)
export class OfflineConflict {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'offline_conflicts_pkey' })
  id!: string;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  @ForeignKey(() => Subdistrict, { name: 'offline_conflicts_subdistrict_id_fkey' })
  subdistrictId!: number;

  @Column({ name: 'canteen_id', type: 'integer' })
  canteenId!: number;

  @Column({ name: 'meal_id', type: 'bigint', nullable: true })
  @ForeignKey(() => Meal, { name: 'offline_conflicts_meal_id_fkey' })
  mealId!: string | null;

  @Column({ name: 'id_number_hmac', type: 'bytea', nullable: true })
  idNumberHmac!: Buffer | null;

  @Column({ name: 'id_number_masked', type: 'text' })
  idNumberMasked!: string;

  @Column({ name: 'meal_date', type: 'date' })
  mealDate!: string;

  @Column({ name: 'meal_period', type: 'text', enum: MEAL_PERIODS })
  mealPeriod!: MealPeriod;

  @Column({ name: 'served_at', type: 'timestamptz' })
  servedAt!: Date;

  @Column({ name: 'offline_since', type: 'timestamptz' })
  offlineSince!: Date;

  @Column({ name: 'price_fen', type: 'integer' })
  priceFen!: number;

  @Column({ name: 'provisional_subsidy_fen', type: 'integer' })
  provisionalSubsidyFen!: number;

  @Column({ name: 'subsidy_fen', type: 'integer' })
  subsidyFen!: number;

  @Column({ name: 'under_collected_fen', type: 'integer' })
  underCollectedFen!: number;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'cashier_user_id', type: 'integer' })
  @ForeignKey(() => User, { name: 'offline_conflicts_cashier_user_id_fkey' })
  cashierUserId!: number;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true })
  settledAt!: Date | null;

  @Column({ name: 'settled_by', type: 'integer', nullable: true })
  @ForeignKey(() => User, { name: 'offline_conflicts_settled_by_fkey' })
  settledBy!: number | null;

  @Column({ name: 'settle_note', type: 'text', nullable: true })
  settleNote!: string | null;
}
