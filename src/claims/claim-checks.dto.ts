import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHECK_CODES } from './edit-checks';
import { REVIEW_STATUSES, ReviewStatus } from '../common/enums';

export class CheckFindingDto {
  @ApiProperty({ enum: CHECK_CODES, example: 'BACKDATED' })
  code!: string;

  @ApiProperty({ enum: ['WARN', 'BLOCK'], description: 'BLOCK：须作废或说明后才能提交；WARN：提交时须填写说明' })
  severity!: 'WARN' | 'BLOCK';

  @ApiPropertyOptional({ description: '所涉食堂' })
  canteenId?: number;

  @ApiPropertyOptional({ example: '东关国际幸福食堂' })
  canteenName?: string;

  @ApiProperty({ description: '笔数、收银员数或天数（见 message）', example: 3 })
  count!: number;

  @ApiProperty({ example: '东关国际幸福食堂有 3 笔补贴餐在就餐 1 小时以后才补录' })
  message!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: '至多 5 个例子；身份证号只以脱敏形式出现',
  })
  examples!: Record<string, unknown>[];

  @ApiPropertyOptional({ description: '提交时财务为这一项填写的说明（已提交过的申报）' })
  note?: string;
}

export class ClaimChecksDto {
  @ApiProperty()
  claimId!: number;

  @ApiProperty({ example: '2025-03' })
  month!: string;

  @ApiProperty({ enum: CHECK_CODES, isArray: true, description: '本次执行的检查' })
  checked!: string[];

  @ApiProperty({ type: [CheckFindingDto] })
  findings!: CheckFindingDto[];
}

export class ClaimFileMatchDto {
  @ApiProperty({ description: '文件所属的申报' })
  claimId!: number;

  @ApiProperty({ example: '2025-03' })
  month!: string;

  @ApiProperty({ description: '版本号（第 N 版）' })
  version!: number;

  @ApiProperty()
  subdistrictId!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'null：全街道' })
  canteenId!: number | null;

  @ApiProperty({ type: String, nullable: true })
  canteenName!: string | null;

  @ApiProperty({ description: '文件的 SHA-256（十六进制）' })
  sha256!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: Date | null;

  @ApiProperty({ enum: REVIEW_STATUSES, enumName: 'ReviewStatus', description: '审核与拨付状态' })
  reviewStatus!: ReviewStatus;
}
