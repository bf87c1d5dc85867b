import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHECK_CODES } from './edit-checks';

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
