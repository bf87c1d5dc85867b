// The answers of /api/claims (OpenAPI schema).
import { ApiProperty } from '@nestjs/swagger';
import { CLAIM_STATUSES, ClaimStatus } from '../common/enums';
import type { ClaimView } from './claims.service';

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
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'the workbook totals (fen) once DONE: meals, subsidy, by canteen and tier',
  })
  totals!: Record<string, unknown> | null;
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
    type: String,
    nullable: true,
    description: "SHA-256 of the claim's data (hex): the same data asked again answers this version",
  })
  dataSha256!: string | null;
}
