// Requests and answers of a claim's review and payment (SPEC §5).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsString, MaxLength, ValidateNested } from 'class-validator';
import { CLAIM_EVENT_ACTIONS, ClaimEventAction } from '../common/enums';
import { IsId, IsLocalDate, IsOptionalNonNull } from '../common/validation';
import type { AcknowledgedFinding, ClaimEventView } from './claim.queries';
import { CHECK_CODES } from './edit-checks';
import type { Acknowledgement } from './review-rules';

export class AcknowledgementDto implements Acknowledgement {
  @ApiProperty({ enum: CHECK_CODES, example: 'BACKDATED', description: '所说明的检查' })
  @IsIn(CHECK_CODES, { message: '说明所对应的检查代码不正确' })
  code!: string;

  @ApiPropertyOptional({ type: 'integer', description: '所说明的食堂；不填：该检查在所有食堂的提示' })
  @IsOptionalNonNull()
  @IsId('食堂编号必须是正整数')
  canteenId?: number;

  @ApiProperty({ example: '3 月 12 日停电，纸质登记后补录', maxLength: 500 })
  @IsString({ message: '说明必须是文字' })
  @MaxLength(500, { message: '说明不超过 500 字' })
  note!: string;
}

export class SubmitClaimDto {
  @ApiPropertyOptional({
    type: [AcknowledgementDto],
    description: '每一项提示（WARN）的说明；没有提示时可省略',
  })
  @IsOptionalNonNull()
  @IsArray({ message: 'acknowledgements 应为数组' })
  @ArrayMaxSize(200, { message: '说明过多' })
  @ValidateNested({ each: true })
  @Type(() => AcknowledgementDto)
  acknowledgements?: AcknowledgementDto[];
}

export class ReturnClaimDto {
  @ApiProperty({
    description: '退回原因（必填）',
    example: '东关国际幸福食堂 3 月 12 日补录过多，请核实',
    maxLength: 500,
  })
  @IsString({ message: '请填写退回原因' })
  @MaxLength(500, { message: '退回原因不超过 500 字' })
  reason!: string;
}

export class PayClaimDto {
  @ApiProperty({ example: '2025-04-20', description: '拨付日期：真实日期，不晚于今天，不早于提交日期' })
  @IsLocalDate('拨付日期应为 YYYY-MM-DD 格式的真实日期')
  paidOn!: string;

  @ApiProperty({ example: '东财拨〔2025〕118号', maxLength: 100, description: '拨付凭证号' })
  @IsString({ message: '请填写拨付凭证号' })
  @MaxLength(100, { message: '拨付凭证号不超过 100 字' })
  reference!: string;
}

export class AcknowledgedFindingDto implements AcknowledgedFinding {
  @ApiProperty({ enum: CHECK_CODES })
  code!: string;
  @ApiProperty({ enum: ['WARN', 'BLOCK'] })
  severity!: 'WARN' | 'BLOCK';
  @ApiProperty({ type: 'integer', nullable: true })
  canteenId!: number | null;
  @ApiProperty({ type: String, nullable: true })
  canteenName!: string | null;
  @ApiProperty({ type: 'integer' })
  count!: number;
  @ApiProperty()
  message!: string;
  @ApiProperty({ description: '财务提交时填写的说明' })
  note!: string;
}

export class ClaimEventViewDto implements ClaimEventView {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty({ enum: CLAIM_EVENT_ACTIONS, enumName: 'ClaimEventAction' })
  action!: ClaimEventAction;
  @ApiProperty({ description: '操作人（姓名，未设置时为用户名）' })
  actor!: string;
  @ApiProperty({ example: 'REVIEWER' })
  actorRole!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  at!: Date;
  @ApiProperty({ type: String, nullable: true, description: '退回原因' })
  reason!: string | null;
  @ApiProperty({ type: [AcknowledgedFindingDto], nullable: true, description: '提交时的检查提示及说明' })
  acknowledgements!: AcknowledgedFindingDto[] | null;
  @ApiProperty({ type: String, nullable: true, example: '2025-04-20' })
  paidOn!: string | null;
  @ApiProperty({ type: String, nullable: true })
  paymentReference!: string | null;
}
