import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// A block of the audit log's hash chain (src/audit/audit-chain.ts). Append-only: the triggers
// audit_seals_no_update_delete and audit_seals_no_truncate (migration AuditSeals) refuse UPDATE, DELETE, TRUNCATE.
@Entity({ name: 'audit_seals' })
@Index('audit_seals_prev_hash_key', ['prevHash'], { unique: true })
@Index('audit_seals_last_entry_id_key', ['lastEntryId'], { unique: true })
@Check('audit_seals_check', `first_entry_id <= last_entry_id`)
export class AuditSeal {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'audit_seals_pkey' })
  id!: number;

  @Column({ name: 'first_entry_id', type: 'bigint' })
  firstEntryId!: string;

  @Column({ name: 'last_entry_id', type: 'bigint' })
  lastEntryId!: string;

  @Column({ name: 'entry_ids', type: 'bigint', array: true })
  entryIds!: string[];

  /** The entries' SHA-256 digests, 32 bytes each, in entry_ids order. */
  @Column({ name: 'entry_digests', type: 'bytea' })
  entryDigests!: Buffer;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;

  @Column({ name: 'sealed_at', type: 'timestamptz', default: () => 'now()' })
  sealedAt!: Date;
}
