import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';

// Opaque bearer tokens: only their SHA-256 is stored, so a database dump yields no usable token. Expired and revoked
// rows are purged by the worker's scheduler.
@Entity({ name: 'sessions' })
@Check('sessions_expires_check', `expires_at <= absolute_expires_at`)
@Index('sessions_user_idx', ['userId'])
export class Session {
  @PrimaryColumn({ name: 'token_hash', type: 'bytea', primaryKeyConstraintName: 'sessions_pkey' })
  tokenHash!: Buffer;

  @Column({ name: 'user_id', type: 'integer' })
  @ForeignKey(() => User, { name: 'sessions_user_id_fkey' })
  userId!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  // The idle end, moved forward by use (never past absolute_expires_at).
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'absolute_expires_at', type: 'timestamptz' })
  absoluteExpiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;
}
