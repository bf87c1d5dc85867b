import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface PolicyTierRow {
  minAge: number;
  maxAge: number | null;
  amountFen: number;
}

// Immutable once written (trigger in migration SubsidyPolicy): meals keep the version they used.
@Entity({ name: 'subsidy_policy_versions' })
export class PolicyVersionRow {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'effective_from', type: 'date' })
  effectiveFrom!: string;

  @Column({ name: 'limit_mode', type: 'text', enum: ['PER_DAY', 'PER_PERIOD'] })
  limitMode!: 'PER_DAY' | 'PER_PERIOD';

  @Column({ type: 'jsonb' })
  tiers!: PolicyTierRow[];

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
