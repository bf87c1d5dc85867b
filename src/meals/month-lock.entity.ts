import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'month_locks' })
export class MonthLock {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  subdistrictId!: number;

  @Column({ name: 'canteen_id', type: 'integer', nullable: true })
  canteenId!: number | null;

  @Column({ type: 'char', length: 7 })
  month!: string;

  @Column({ name: 'locked_at', type: 'timestamptz', default: () => 'now()' })
  lockedAt!: Date;

  @Column({ name: 'locked_by', type: 'integer' })
  lockedBy!: number;

  @Column({ name: 'unlocked_at', type: 'timestamptz', nullable: true })
  unlockedAt!: Date | null;

  @Column({ name: 'unlocked_by', type: 'integer', nullable: true })
  unlockedBy!: number | null;

  @Column({ name: 'unlock_reason', type: 'text', nullable: true })
  unlockReason!: string | null;
}
