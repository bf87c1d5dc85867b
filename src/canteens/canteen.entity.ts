import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { CANTEEN_TYPES, CanteenType, PeriodHours } from '../common/enums';

// The column default as PostgreSQL prints it (jsonb orders keys by length, then bytes; a space after ':' and ',').
const DEFAULT_PERIOD_HOURS_DB =
  '{"LUNCH": ["10:00", "14:00"], "DINNER": ["16:00", "20:00"], "BREAKFAST": ["05:30", "09:30"]}';

// The schema as migrations/ create it (test/schema.e2e-spec.ts: TypeORM's diff against a migrated database is empty).
@Entity({ name: 'canteens' })
@Unique('canteens_subdistrict_id_name_key', ['subdistrictId', 'name'])
// Referenced by meals (canteen_id, subdistrict_id): a meal's sub-district is its canteen's.
@Unique('canteens_id_subdistrict_key', ['id', 'subdistrictId'])
@Check('canteens_name_check', `length(btrim(name)) > 0`)
@Check('canteens_type_check', `type IN ('CARE_FACILITY', 'ENTERPRISE')`)
@Check('canteens_breakfast_price_fen_check', `breakfast_price_fen >= 0`)
@Check('canteens_lunch_price_fen_check', `lunch_price_fen >= 0`)
@Check('canteens_dinner_price_fen_check', `dinner_price_fen >= 0`)
export class Canteen {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'canteens_pkey' })
  id!: number;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  @ForeignKey(() => Subdistrict, { name: 'canteens_subdistrict_id_fkey' })
  subdistrictId!: number;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', enum: CANTEEN_TYPES })
  type!: CanteenType;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ name: 'opened_on', type: 'date', nullable: true })
  openedOn!: string | null;

  @Column({ name: 'breakfast_price_fen', type: 'integer', nullable: true })
  breakfastPriceFen!: number | null;

  @Column({ name: 'lunch_price_fen', type: 'integer', nullable: true })
  lunchPriceFen!: number | null;

  @Column({ name: 'dinner_price_fen', type: 'integer', nullable: true })
  dinnerPriceFen!: number | null;

  @Column({ name: 'period_hours', type: 'jsonb', default: () => `'${DEFAULT_PERIOD_HOURS_DB}'` })
  periodHours!: PeriodHours;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
