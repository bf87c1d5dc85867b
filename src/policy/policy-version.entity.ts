import { Check, Column, CreateDateColumn, Entity, ForeignKey, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { PolicyTier } from '../subsidy/subsidy-calculator';
import { User } from '../users/user.entity';

// Immutable once written (trigger in migration SubsidyPolicy): meals keep the version they used.
@Entity({ name: 'subsidy_policy_versions' })
@Unique('subsidy_policy_versions_effective_from_key', ['effectiveFrom'])
@Check('subsidy_policy_versions_limit_mode_check', `limit_mode IN ('PER_DAY', 'PER_PERIOD')`)
@Check('subsidy_policy_versions_tiers_check', `jsonb_typeof(tiers) = 'array' AND jsonb_array_length(tiers) > 0`)
export class PolicyVersionRow {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'subsidy_policy_versions_pkey' })
  id!: number;

  @Column({ name: 'effective_from', type: 'date' })
  effectiveFrom!: string;

  @Column({ name: 'limit_mode', type: 'text', enum: ['PER_DAY', 'PER_PERIOD'], default: 'PER_DAY' })
  limitMode!: 'PER_DAY' | 'PER_PERIOD';

  @Column({ type: 'jsonb' })
  tiers!: PolicyTier[];

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  @ForeignKey(() => User, { name: 'subsidy_policy_versions_created_by_fkey' })
  createdBy!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
