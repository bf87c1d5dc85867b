import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { ROLES, Role } from '../common/enums';

@Entity({ name: 'users' })
@Index('users_username_key', ['username'], { unique: true })
@Check('users_username_check', `username = lower(btrim(username)) AND length(username) >= 3`)
@Check('users_role_check', `role IN ('CASHIER', 'OPERATOR', 'FINANCE', 'ADMIN')`)
export class User {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'users_pkey' })
  id!: number;

  @Column({ type: 'text' })
  username!: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash!: string;

  @Column({ type: 'text', enum: ROLES })
  role!: Role;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  @ForeignKey(() => Subdistrict, { name: 'users_subdistrict_id_fkey' })
  subdistrictId!: number;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  @ForeignKey(() => User, { name: 'users_created_by_fkey' })
  createdBy!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
