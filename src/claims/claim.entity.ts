import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CLAIM_STATUSES, ClaimStatus } from '../common/enums';

// PostgreSQL is the source of truth for claims; the BullMQ job only carries the claim id.
@Entity({ name: 'claims' })
export class Claim {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  subdistrictId!: number;

  @Column({ name: 'canteen_id', type: 'integer', nullable: true })
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

  @Column({ name: 'requested_by', type: 'integer', nullable: true })
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
}
