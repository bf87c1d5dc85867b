import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';

// Failure counters of the login throttle (src/auth/login-throttle.ts): a slot is reserved by one atomic upsert before
// the password is checked (migration LoginThrottle).
@Entity({ name: 'login_throttle' })
@Index('login_throttle_expires_idx', ['expiresAt'])
@Check('login_throttle_failures_check', `failures >= 0`)
export class LoginThrottleBucket {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'login_throttle_pkey' })
  bucket!: string;

  @Column({ type: 'integer' })
  failures!: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}

// Where a user has logged in before: there only the user-and-address pair counts toward the limit.
@Entity({ name: 'login_known_addresses' })
export class LoginKnownAddress {
  @PrimaryColumn({ name: 'user_id', type: 'integer', primaryKeyConstraintName: 'login_known_addresses_pkey' })
  @ForeignKey(() => User, { name: 'login_known_addresses_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'login_known_addresses_pkey' })
  ip!: string;

  @Column({ name: 'last_login_at', type: 'timestamptz', default: () => 'now()' })
  lastLoginAt!: Date;
}
