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
import { Canteen } from '../canteens/canteen.entity';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { User } from '../users/user.entity';
import { DINER_STATUSES, DinerStatusValue } from '../common/enums';

@Entity({ name: 'diners' })
// One register for the city (SPEC §3): found by the keyed hash of the normalised ID number or the card number,
// unique among current rows; a row merged into another by migration CityRegister is kept but no longer current.
@Index('diners_id_number_hmac_key', ['idNumberHmac'], { unique: true, where: 'merged_into_id IS NULL' })
@Index('diners_card_no_key', ['cardNo'], { unique: true, where: 'card_no IS NOT NULL AND merged_into_id IS NULL' })
@Index('diners_name_idx', ['subdistrictId', 'name'])
// (subdistrict_id, right(id_number_masked, 4)): the register searched by the last four digits.
@Index('diners_id_last4_idx', { synchronize: false })
@Check('diners_name_check', `length(btrim(name)) > 0`)
@Check('diners_sex_check', `sex IN ('M', 'F')`)
@Check('diners_card_no_check', `card_no IS NULL OR (length(card_no) >= 1 AND length(card_no) <= 64)`)
@Check('diners_status_check', `status IN ('ACTIVE', 'SUSPENDED', 'MOVED_AWAY', 'DECEASED')`)
@Check('diners_check', `status = 'ACTIVE' OR status_effective_from IS NOT NULL`)
export class Diner {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'diners_pkey' })
  id!: number;

  @Column({ name: 'subdistrict_id', type: 'integer' })
  @ForeignKey(() => Subdistrict, { name: 'diners_subdistrict_id_fkey' })
  subdistrictId!: number;

  @Column({ type: 'text' })
  name!: string;

  // AES-256-GCM: iv(12) | tag(16) | ciphertext. Never selected unless asked for.
  @Column({ name: 'id_number_enc', type: 'bytea', select: false })
  idNumberEnc!: Buffer;

  @Column({ name: 'id_number_hmac', type: 'bytea', select: false })
  idNumberHmac!: Buffer;

  @Column({ name: 'id_number_masked', type: 'text' })
  idNumberMasked!: string;

  @Column({ name: 'birth_date', type: 'date' })
  birthDate!: string;

  @Column({ type: 'char', length: 1 })
  sex!: 'M' | 'F';

  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ type: 'text', nullable: true })
  community!: string | null;

  @Column({ name: 'card_no', type: 'text', nullable: true })
  cardNo!: string | null;

  @Column({ type: 'text', enum: DINER_STATUSES, default: 'ACTIVE' })
  status!: DinerStatusValue;

  @Column({ name: 'status_effective_from', type: 'date', nullable: true })
  statusEffectiveFrom!: string | null;

  @Column({ name: 'status_note', type: 'text', nullable: true })
  statusNote!: string | null;

  @Column({ name: 'registered_canteen_id', type: 'integer', nullable: true })
  @ForeignKey(() => Canteen, { name: 'diners_registered_canteen_id_fkey' })
  registeredCanteenId!: number | null;

  @Column({ name: 'registered_by', type: 'integer', nullable: true })
  @ForeignKey(() => User, { name: 'diners_registered_by_fkey' })
  registeredBy!: number | null;

  /** Set on a duplicate registration merged into the oldest one (migration CityRegister); null for current rows. */
  @Column({ name: 'merged_into_id', type: 'integer', nullable: true })
  @ForeignKey(() => Diner, { name: 'diners_merged_into_id_fkey' })
  mergedIntoId!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
