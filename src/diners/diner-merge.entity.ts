import { Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Diner } from './diner.entity';

// What migration CityRegister moved when it merged duplicate registrations, so that its down() can move it back.
@Entity({ name: 'diner_merges' })
export class DinerMerge {
  @PrimaryColumn({ name: 'diner_id', type: 'integer', primaryKeyConstraintName: 'diner_merges_pkey' })
  @ForeignKey(() => Diner, { name: 'diner_merges_diner_id_fkey' })
  dinerId!: number;

  @Column({ name: 'into_id', type: 'integer' })
  @ForeignKey(() => Diner, { name: 'diner_merges_into_id_fkey' })
  intoId!: number;

  @Column({ name: 'card_no_moved', type: 'boolean' })
  cardNoMoved!: boolean;

  @CreateDateColumn({ name: 'merged_at', type: 'timestamptz' })
  mergedAt!: Date;
}
