// The answers of /api/claims (OpenAPI schema).
import { PageDto } from '../common/paging';
import { ApiProperty } from '@nestjs/swagger';
import {
  CANTEEN_TYPES,
  CanteenType,
  CLAIM_STATUSES,
  ClaimStatus,
  REVIEW_STATUSES,
  ReviewStatus,
} from '../common/enums';
import { AcknowledgedFindingDto } from './claim-review.dto';
import type { ClaimView } from './claims.service';
import type { CanteenTotals, ClaimTotals, TierTotals } from './claim-workbook.builder';

/** One tier's subsidised meals and money (fen). */
export class TierTotalsDto implements TierTotals {
  @ApiProperty({ example: 'TIER_80_PLUS' }) code!: string;
  @ApiProperty({ example: '80岁以上' }) label!: string;
  @ApiProperty({ type: 'integer' }) meals!: number;
  @ApiProperty({ type: 'integer' }) subsidyFen!: number;
}

/** The figures every summary line has (fen). */
class SummaryLineDto {
  @ApiProperty({ type: [TierTotalsDto], description: 'every tier column of the claim, in column order' })
  tiers!: TierTotalsDto[];
  @ApiProperty({ type: 'integer', description: 'subsidised meals' }) meals!: number;
  @ApiProperty({ type: 'integer' }) subsidyFen!: number;
  @ApiProperty({ type: 'integer', description: 'distinct diners (a diner at two canteens counts once in a total)' })
  diners!: number;
  @ApiProperty({ type: 'integer', description: 'voided meals' }) voided!: number;
  @ApiProperty({ type: 'integer', description: 'kept for older readers; see tiers' }) meals7079!: number;
  @ApiProperty({ type: 'integer', description: 'kept for older readers; see tiers' }) subsidy7079Fen!: number;
  @ApiProperty({ type: 'integer', description: 'kept for older readers; see tiers' }) meals80Plus!: number;
  @ApiProperty({ type: 'integer', description: 'kept for older readers; see tiers' }) subsidy80PlusFen!: number;
}

/** One canteen's line of the summary. */
export class CanteenTotalsDto extends SummaryLineDto implements CanteenTotals {
  @ApiProperty({ type: 'integer' }) canteenId!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CANTEEN_TYPES, enumName: 'CanteenType' }) type!: CanteenType;
}

/** What the claim stores: the summary's numbers, equal to SQL sums over the month's meals. */
export class ClaimTotalsDto extends SummaryLineDto implements ClaimTotals {
  @ApiProperty({ type: [CanteenTotalsDto] }) canteens!: CanteenTotalsDto[];
}

export class ClaimViewDto implements ClaimView {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty({ example: '2025-03', pattern: '^\\d{4}-\\d{2}$' })
  month!: string;
  @ApiProperty({ type: 'integer' })
  subdistrictId!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: the whole sub-district' })
  canteenId!: number | null;
  @ApiProperty({ type: String, nullable: true })
  canteenName!: string | null;
  @ApiProperty({ type: 'integer', description: '1, 2, … per month and scope' })
  version!: number;
  @ApiProperty({ enum: CLAIM_STATUSES, enumName: 'ClaimStatus' })
  status!: ClaimStatus;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  progress!: number;
  @ApiProperty({
    type: ClaimTotalsDto,
    nullable: true,
    description: 'the workbook totals (fen) once DONE: meals, subsidy, by canteen and tier',
  })
  totals!: ClaimTotalsDto | null;
  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the workbook, hex' })
  sha256!: string | null;
  @ApiProperty({ type: 'integer', nullable: true })
  fileSize!: number | null;
  @ApiProperty({ type: String, format: 'date-time' })
  requestedAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, description: 'why it FAILED (zh-CN)' })
  error!: string | null;
  @ApiProperty({ description: 'whether the month is locked for this claim (its canteen or the whole sub-district)' })
  monthLocked!: boolean;
  @ApiProperty({ description: 'whether the month has ended (Asia/Shanghai): a month not ended is a preview' })
  monthEnded!: boolean;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'whether the month was locked for this claim when this version was built (null until its job starts)',
  })
  monthLockedAtBuild!: boolean | null;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description:
      'whether the month had ended when this version was built: false, a preview (null until its job starts)',
  })
  monthEndedAtBuild!: boolean | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "SHA-256 of the claim's data (hex): the same data asked again answers this version",
  })
  dataSha256!: string | null;
  @ApiProperty({ example: '柳园街道' })
  subdistrictName!: string;
  @ApiProperty({ type: String, nullable: true, description: '生成该版的人（自动生成的为 null）' })
  requestedBy!: string | null;
  @ApiProperty({
    enum: REVIEW_STATUSES,
    enumName: 'ReviewStatus',
    description: 'SPEC §5: DRAFT → SUBMITTED → RETURNED | APPROVED → PAID',
  })
  reviewStatus!: ReviewStatus;
  @ApiProperty({
    type: [AcknowledgedFindingDto],
    nullable: true,
    description: '提交时的检查提示及财务的说明（未提交过为 null）',
  })
  acknowledgements!: AcknowledgedFindingDto[] | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  submittedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true })
  submittedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '最近一次退回的原因' })
  returnReason!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2025-04-20' })
  paidOn!: string | null;
  @ApiProperty({ type: String, nullable: true })
  paymentReference!: string | null;
}

export class ClaimPageDto extends PageDto(ClaimViewDto, 'ClaimPageDto') {}
