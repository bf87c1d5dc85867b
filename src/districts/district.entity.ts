import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

// 区 (SPEC §2): the reviewer's scope, above sub-districts. Migration CityRegister.
@Entity({ name: 'districts' })
@Unique('districts_name_key', ['name'])
@Unique('districts_code_key', ['code'])
@Check('districts_name_check', `length(btrim(name)) > 0`)
@Check('districts_code_check', `code ~ '^[0-9]{6}$'`)
export class District {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'districts_pkey' })
  id!: number;

  @Column({ type: 'text' })
  name!: string;

  /** The 6-digit administrative code (东昌府区 371502). */
  @Column({ type: 'varchar', length: 6 })
  code!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
