import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DINER_STATUSES, DinerStatusValue } from '../common/enums';

@Entity({ name: 'diners' })
export class Diner {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'subdistrict_id', type: 'integer' })
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
  registeredCanteenId!: number | null;

  @Column({ name: 'registered_by', type: 'integer', nullable: true })
  registeredBy!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
