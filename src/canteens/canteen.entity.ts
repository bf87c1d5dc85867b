import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { CANTEEN_TYPES, CanteenType, PeriodHours } from '../common/enums';

@Entity({ name: 'canteens' })
export class Canteen {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'subdistrict_id', type: 'integer' })
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

  @Column({ name: 'period_hours', type: 'jsonb' })
  periodHours!: PeriodHours;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
