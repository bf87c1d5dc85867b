import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Canteen } from '../canteens/canteen.entity';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { User } from '../users/user.entity';
import { CLAIM_STATUSES, ClaimStatus, REVIEW_STATUSES, ReviewStatus } from '../common/enums';

// PostgreSQL is the source of truth for claims; the BullMQ job only carries the claim id.
@Entity({ name: 'claims' })
// Expression indexes (COALESCE(canteen_id, 0): one scope for "all canteens"), which TypeORM cannot compare: declared
// for the reader, left to the migration (synchronize: false).
@Index('claims_version_key', { synchronize: false })
@Index('claims_one_active_key', { synchronize: false })
@Check('claims_version_check', `version >= 1`)
@Check('claims_month_check', `month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`)
@Check('claims_status_check', `status IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED')`)
@Check('claims_progress_check', `progress >= 0 AND progress <= 100`)
@Check('claims_check', `status <> 'DONE' OR (sha256 IS NOT NULL AND file_path IS NOT NULL AND totals IS NOT NULL)`)
// SPEC §5 review (migration ClaimReview): only a finished claim of a whole sub-district leaves DRAFT, and one version
// of a sub-district month at a time is submitted, approved or paid.
@Check('claims_review_status_check', `review_status IN ('DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED', 'PAID')`)
@Check(
  'claims_review_check',
  `review_status = 'DRAFT' OR (status = 'DONE' AND canteen_id IS NULL AND submitted_at IS NOT NULL)`,
)
@Check('claims_paid_check', `(review_status = 'PAID') = (paid_on IS NOT NULL AND payment_reference IS NOT NULL)`)
@Index('claims_one_under_review_key', ['subdistrictId', 'month'], {
  unique: true,
  where: `review_status IN ('SUBMITTED', 'APPROVED', 'PAID')`,
})
export class Claim {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'claims_pkey' })
  id!: number;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  @ForeignKey(() => Subdistrict, { name: 'claims_subdistrict_id_fkey' })
  subdistrictId!: number;

  @Column({ name: 'canteen_id', type: 'integer', nullable: true })
  @ForeignKey(() => Canteen, { name: 'claims_canteen_id_fkey' })
  canteenId!: number | null;

  @Column({ type: 'char', length: 7 })
  month!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text', enum: CLAIM_STATUSES, default: 'QUEUED' })
  status!: ClaimStatus;

  @Column({ type: 'integer', default: 0 })
  progress!: number;

  @Column({ type: 'jsonb', nullable: true })
  totals!: Record<string, unknown> | null;

  @Column({ name: 'file_path', type: 'text', nullable: true })
  filePath!: string | null;

  @Column({ name: 'file_size', type: 'bigint', nullable: true })
  fileSize!: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  sha256!: string | null;

  /** SHA-256 of the claim's data (claimDataSha256): the same data asked again answers this version. */
  @Column({ name: 'data_sha256', type: 'char', length: 64, nullable: true })
  dataSha256!: string | null;

  @Column({ name: 'requested_by', type: 'integer', nullable: true })
  @ForeignKey(() => User, { name: 'claims_requested_by_fkey' })
  requestedBy!: number | null;

  @Column({ name: 'requested_at', type: 'timestamptz', default: () => 'now()' })
  requestedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'review_status', type: 'text', enum: REVIEW_STATUSES, default: 'DRAFT' })
  reviewStatus!: ReviewStatus;

  /** The notes finance gave for the edit checks' findings when submitting ([{ code, canteenId?, note }]). */
  @Column({ type: 'jsonb', nullable: true })
  acknowledgements!: unknown[] | null;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;

  @Column({ name: 'submitted_by', type: 'integer', nullable: true })
  @ForeignKey(() => User, { name: 'claims_submitted_by_fkey' })
  submittedBy!: number | null;

  @Column({ name: 'return_reason', type: 'text', nullable: true })
  returnReason!: string | null;

  @Column({ name: 'paid_on', type: 'date', nullable: true })
  paidOn!: string | null;

  @Column({ name: 'payment_reference', type: 'text', nullable: true })
  paymentReference!: string | null;
}
