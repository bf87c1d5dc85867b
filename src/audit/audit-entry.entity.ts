import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// Append-only: a database trigger refuses UPDATE, DELETE and TRUNCATE (migration Foundation).
@Entity({ name: 'audit_log' })
@Index('audit_log_at_idx', ['at'])
@Index('audit_log_entity_idx', ['entityType', 'entityId'])
// The admin's list filters by actor or action, newest first (migration AuditLogListIndexes).
@Index('audit_log_actor_at_idx', ['actorUsername', 'at'])
@Index('audit_log_action_at_idx', ['action', 'at'])
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'audit_log_pkey' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'actor_user_id', type: 'integer', nullable: true })
  actorUserId!: number | null;

  @Column({ name: 'actor_username', type: 'text', nullable: true })
  actorUsername!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'entity_type', type: 'text', nullable: true })
  entityType!: string | null;

  @Column({ name: 'entity_id', type: 'text', nullable: true })
  entityId!: string | null;

  @Column({ name: 'subdistrict_id', type: 'integer', nullable: true })
  subdistrictId!: number | null;

  @Column({ name: 'canteen_id', type: 'integer', nullable: true })
  canteenId!: number | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ type: 'jsonb', default: {} })
  details!: Record<string, unknown>;
}
