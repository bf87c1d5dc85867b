import { Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Canteen } from '../canteens/canteen.entity';
import { User } from './user.entity';

// The canteens of a cashier or operator (their reach).
@Entity({ name: 'user_canteens' })
@Index('user_canteens_canteen_idx', ['canteenId'])
export class UserCanteen {
  @PrimaryColumn({ name: 'user_id', type: 'integer', primaryKeyConstraintName: 'user_canteens_pkey' })
  @ForeignKey(() => User, { name: 'user_canteens_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @PrimaryColumn({ name: 'canteen_id', type: 'integer', primaryKeyConstraintName: 'user_canteens_pkey' })
  @ForeignKey(() => Canteen, { name: 'user_canteens_canteen_id_fkey' })
  canteenId!: number;
}
