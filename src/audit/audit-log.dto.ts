import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsId, IsLocalDate, queryIdToInt } from '../common/validation';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export const AUDIT_PAGE_SIZE_MAX = 200;

export class AuditLogQuery {
  @ApiPropertyOptional({ type: 'integer', description: '只列出该区各街道的条目' })
  @IsOptional()
  @Transform(queryIdToInt)
  @IsId('区编号必须是正整数')
  districtId?: number;

  @ApiPropertyOptional({ type: 'integer', description: '只列出该街道的条目' })
  @IsOptional()
  @Transform(queryIdToInt)
  @IsId('街道编号必须是正整数')
  subdistrictId?: number;

  @ApiPropertyOptional({ description: '操作人用户名（精确）' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: '操作人应为用户名' })
  @MaxLength(64, { message: '用户名过长' })
  actor?: string;

  @ApiPropertyOptional({ example: 'DINER_REVEALED', description: '操作，如 LOGIN、MEAL_VOIDED、DINER_REVEALED' })
  @IsOptional()
  @Matches(/^[A-Z][A-Z_]{1,63}$/, { message: '操作应为大写英文代码，如 DINER_REVEALED' })
  action?: string;

  @ApiPropertyOptional({ example: 'diner', description: '对象类型，如 diner、meal、user、canteen、claim' })
  @IsOptional()
  @Matches(/^[a-z][a-z_]{0,31}$/, { message: '对象类型应为小写英文，如 diner' })
  entityType?: string;

  @ApiPropertyOptional({ description: '对象编号' })
  @IsOptional()
  @Matches(/^[0-9A-Za-z:_-]{1,64}$/, { message: '对象编号格式不正确' })
  entityId?: string;

  @ApiPropertyOptional({ example: '2025-06-01', description: '开始日期（北京时间，含）' })
  @IsOptional()
  @IsLocalDate('开始日期应为 YYYY-MM-DD 格式的真实日期')
  from?: string;

  @ApiPropertyOptional({ example: '2025-06-30', description: '结束日期（北京时间，含）' })
  @IsOptional()
  @IsLocalDate('结束日期应为 YYYY-MM-DD 格式的真实日期')
  to?: string;

  @ApiPropertyOptional({ description: '页码，从 1 起' })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: '页码应为正整数' })
  @Min(1, { message: '页码应为正整数' })
  @Max(100_000, { message: '页码过大' })
  page?: number;

  @ApiPropertyOptional({ description: `每页条数（1–${AUDIT_PAGE_SIZE_MAX}，缺省 50）` })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: `每页条数应为 1–${AUDIT_PAGE_SIZE_MAX} 的整数` })
  @Min(1, { message: `每页条数应为 1–${AUDIT_PAGE_SIZE_MAX} 的整数` })
  @Max(AUDIT_PAGE_SIZE_MAX, { message: `每页条数应为 1–${AUDIT_PAGE_SIZE_MAX} 的整数` })
  pageSize?: number;
}

export class AuditLogItemDto {
  @ApiProperty({ description: '条目编号（int8，文本）' })
  id!: string;

  @ApiProperty({ description: '时间（ISO 8601）' })
  at!: string;

  @ApiProperty({ type: Number, nullable: true })
  actorUserId!: number | null;

  @ApiProperty({ type: String, nullable: true })
  actorUsername!: string | null;

  @ApiProperty({ example: 'DINER_REVEALED' })
  action!: string;

  @ApiProperty({ type: String, nullable: true })
  entityType!: string | null;

  @ApiProperty({ type: String, nullable: true })
  entityId!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  subdistrictId!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  canteenId!: number | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: '详情；身份证号码只以掩码出现（如查看身份证号的 maskedIdNumber）',
  })
  details!: Record<string, unknown>;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogItemDto], description: '最新的在前' })
  items!: AuditLogItemDto[];

  @ApiProperty({ description: '符合条件的条目数' })
  total!: number;

  @ApiProperty()
  page!: number;

  @ApiProperty()
  pageSize!: number;
}
