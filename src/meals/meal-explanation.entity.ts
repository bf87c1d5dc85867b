import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Canteen } from '../canteens/canteen.entity';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { User } from '../users/user.entity';
import { Meal } from './meal.entity';

// SPEC §5: an operator's explanation of a meal eaten while the diner's status was not active (migration
// MealExplanations). One per meal; the DINER_INACTIVE_AT_MEAL check then no longer blocks on that meal.
@Entity({ name: 'meal_explanations' })
@ForeignKey(() => Canteen, ['canteenId', 'subdistrictId'], ['id', 'subdistrictId'], {
  name: 'meal_explanations_canteen_subdistrict_fkey',
})
@Index('meal_explanations_subdistrict_idx', ['subdistrictId'])
@Check('meal_explanations_note_check', `char_length(btrim(note)) BETWEEN 1 AND 500`)
export class MealExplanation {
  @PrimaryColumn({ name: 'meal_id', type: 'bigint', primaryKeyConstraintName: 'meal_explanations_pkey' })
  @ForeignKey(() => Meal, { name: 'meal_explanations_meal_id_fkey' })
  mealId!: string;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  @ForeignKey(() => Subdistrict, { name: 'meal_explanations_subdistrict_id_fkey' })
  subdistrictId!: number;

  @Column({ name: 'canteen_id', type: 'integer' })
  canteenId!: number;

  @Column({ type: 'text' })
  note!: string;

  @Column({ name: 'explained_by', type: 'integer' })
  @ForeignKey(() => User, { name: 'meal_explanations_explained_by_fkey' })
  explainedBy!: number;

  @Column({ name: 'explained_at', type: 'timestamptz', default: () => 'now()' })
  explainedAt!: Date;
}
