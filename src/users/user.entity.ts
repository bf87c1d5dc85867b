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
import { District } from '../districts/district.entity';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { ROLES, Role } from '../common/enums';

@Entity({ name: 'users' })
@Index('users_username_key', ['username'], { unique: true })
@Check('users_username_check', `username = lower(btrim(username)) AND length(username) >= 3`)
@Check('users_role_check', `role IN ('CASHIER', 'OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN')`)
// Each role exactly the scope it needs: a reviewer its district, every other role a sub-district.
@Check(
  'users_scope_check',
  `CASE WHEN role = 'REVIEWER' THEN district_id IS NOT NULL AND subdistrict_id IS NULL ELSE subdistrict_id IS NOT NULL AND district_id IS NULL END`,
)
export class User {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'users_pkey' })
  id!: number;

  @Column({ type: 'text' })
  username!: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash!: string;

  @Column({ type: 'text', enum: ROLES })
  role!: Role;

  @Column({ name: 'subdistrict_id', type: 'integer', nullable: true })
  @ForeignKey(() => Subdistrict, { name: 'users_subdistrict_id_fkey' })
  subdistrictId!: number | null;

  @Column({ name: 'district_id', type: 'integer', nullable: true })
  @ForeignKey(() => District, { name: 'users_district_id_fkey' })
  districtId!: number | null;

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
