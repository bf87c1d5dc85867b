import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { District } from '../districts/district.entity';

@Entity({ name: 'subdistricts' })
@Unique('subdistricts_name_key', ['name'])
@Check('subdistricts_name_check', `length(btrim(name)) > 0`)
@Check('subdistricts_admin_code_check', `admin_code ~ '^[0-9]{6}$'`)
@Index('subdistricts_district_idx', ['districtId'])
export class Subdistrict {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'subdistricts_pkey' })
  id!: number;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'admin_code', type: 'varchar', length: 6, nullable: true })
  adminCode!: string | null;

  @Column({ name: 'district_id', type: 'integer' })
  @ForeignKey(() => District, { name: 'subdistricts_district_id_fkey' })
  districtId!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
