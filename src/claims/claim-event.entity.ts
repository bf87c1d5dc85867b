import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';
import { CLAIM_EVENT_ACTIONS, ClaimEventAction } from '../common/enums';
import { Claim } from './claim.entity';

// SPEC §5: a claim's history of review and payment (who, what, when, and why). Append-only: the triggers
// claim_events_no_update_delete and claim_events_no_truncate refuse changes (migration ClaimReview).
@Entity({ name: 'claim_events' })
@Index('claim_events_claim_id_idx', ['claimId', 'id'])
@Check('claim_events_action_check', `action IN ('SUBMITTED', 'RETURNED', 'APPROVED', 'PAID')`)
export class ClaimEvent {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'claim_events_pkey' })
  id!: number;

  @Column({ name: 'claim_id', type: 'integer' })
  @ForeignKey(() => Claim, { name: 'claim_events_claim_id_fkey' })
  claimId!: number;

  @Column({ type: 'text', enum: CLAIM_EVENT_ACTIONS })
  action!: ClaimEventAction;

  @Column({ name: 'actor_user_id', type: 'integer' })
  @ForeignKey(() => User, { name: 'claim_events_actor_user_id_fkey' })
  actorUserId!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  acknowledgements!: unknown[] | null;

  @Column({ name: 'paid_on', type: 'date', nullable: true })
  paidOn!: string | null;

  @Column({ name: 'payment_reference', type: 'text', nullable: true })
  paymentReference!: string | null;
}
