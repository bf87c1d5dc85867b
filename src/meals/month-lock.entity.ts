import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Canteen } from '../canteens/canteen.entity';
import { Claim } from '../claims/claim.entity';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { User } from '../users/user.entity';

// A locked month refuses new, back-dated and voided meals: triggers meals_month_not_locked and
// meals_void_month_not_locked (migrations MealsMonthLockTrigger, MealsVoidMonthLock).
@Entity({ name: 'month_locks' })
// One active lock per sub-district (canteen_id NULL) or canteen and month: an expression index TypeORM cannot
// compare, declared for the reader and left to the migration.
@Index('month_locks_active_key', { synchronize: false })
@Check('month_locks_month_check', `month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`)
@Check(
  'month_locks_check',
  `(unlocked_at IS NULL) = (unlocked_by IS NULL) AND (unlocked_at IS NULL) = (unlock_reason IS NULL)`,
)
export class MonthLock {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'month_locks_pkey' })
  id!: number;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  @ForeignKey(() => Subdistrict, { name: 'month_locks_subdistrict_id_fkey' })
  subdistrictId!: number;

  @Column({ name: 'canteen_id', type: 'integer', nullable: true })
  @ForeignKey(() => Canteen, { name: 'month_locks_canteen_id_fkey' })
  canteenId!: number | null;

  @Column({ type: 'char', length: 7 })
  month!: string;

  @Column({ name: 'locked_at', type: 'timestamptz', default: () => 'now()' })
  lockedAt!: Date;

  @Column({ name: 'locked_by', type: 'integer' })
  @ForeignKey(() => User, { name: 'month_locks_locked_by_fkey' })
  lockedBy!: number;

  @Column({ name: 'unlocked_at', type: 'timestamptz', nullable: true })
  unlockedAt!: Date | null;

  @Column({ name: 'unlocked_by', type: 'integer', nullable: true })
  @ForeignKey(() => User, { name: 'month_locks_unlocked_by_fkey' })
  unlockedBy!: number | null;

  @Column({ name: 'unlock_reason', type: 'text', nullable: true })
  unlockReason!: string | null;

  /** The claim that holds this lock (taken on submit, lifted on return; an admin cannot lift it): SPEC §5. */
  @Column({ name: 'claim_id', type: 'integer', nullable: true })
  @ForeignKey(() => Claim, { name: 'month_locks_claim_id_fkey' })
  claimId!: number | null;
}
