import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CANTEEN_TYPES, CanteenType } from '../common/enums';
import { MAX_MEAL_PRICE_FEN } from '../common/money';
import { IsId, IsLocalDate, IsNonBlank, IsOptionalNonNull } from '../common/validation';
import { PartialPeriodHoursDto } from './canteen-view.dto';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** Prices per meal period in fen; null means the period is not served. */
export class PricesDto {
  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'fen; null: not served' })
  @IsOptional()
  @IsInt({ message: '早餐价格必须是以分为单位的整数' })
  @Min(0, { message: '早餐价格不能为负数' })
  @Max(MAX_MEAL_PRICE_FEN, { message: '早餐价格过高（不超过 1000 元）' })
  BREAKFAST?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'fen; null: not served' })
  @IsOptional()
  @IsInt({ message: '午餐价格必须是以分为单位的整数' })
  @Min(0, { message: '午餐价格不能为负数' })
  @Max(MAX_MEAL_PRICE_FEN, { message: '午餐价格过高（不超过 1000 元）' })
  LUNCH?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'fen; null: not served' })
  @IsOptional()
  @IsInt({ message: '晚餐价格必须是以分为单位的整数' })
  @Min(0, { message: '晚餐价格不能为负数' })
  @Max(MAX_MEAL_PRICE_FEN, { message: '晚餐价格过高（不超过 1000 元）' })
  DINNER?: number | null;
}

export class CreateCanteenDto {
  @ApiProperty({ example: '东关国际幸福食堂' })
  @Transform(trim)
  @IsString({ message: '请填写食堂名称' })
  @IsNonBlank('请填写食堂名称')
  @MaxLength(100, { message: '食堂名称过长' })
  name!: string;

  @ApiProperty({ enum: CANTEEN_TYPES })
  @IsIn(CANTEEN_TYPES, { message: '食堂类型必须是 CARE_FACILITY（养老设施型）或 ENTERPRISE（企业挂牌型）' })
  type!: CanteenType;

  @ApiProperty({ type: PricesDto, description: '各餐次价格（分）' })
  @IsObject({ message: '请填写各餐次价格' })
  @ValidateNested()
  @Type(() => PricesDto)
  prices!: PricesDto;

  @ApiPropertyOptional({ type: String, maxLength: 200 })
  @IsOptional()
  @IsString({ message: '地址必须是文字' })
  @MaxLength(200, { message: '地址过长' })
  address?: string;

  @ApiPropertyOptional({ example: '2022-08-01' })
  @IsOptionalNonNull()
  @IsLocalDate('开业日期应为 YYYY-MM-DD 格式的真实日期')
  openedOn?: string;

  @ApiPropertyOptional({
    type: PartialPeriodHoursDto,
    example: { LUNCH: ['10:30', '13:30'] },
    description: '各餐次时段 "HH:MM"',
  })
  @IsOptionalNonNull()
  @IsObject({ message: '餐次时段格式不正确' })
  periodHours?: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptionalNonNull()
  @IsId('街道编号必须是正整数')
  subdistrictId?: number;
}

export class UpdateCanteenDto {
  @ApiPropertyOptional()
  @IsOptionalNonNull()
  @Transform(trim)
  @IsString({ message: '请填写食堂名称' })
  @IsNonBlank('请填写食堂名称')
  @MaxLength(100, { message: '食堂名称过长' })
  name?: string;

  @ApiPropertyOptional({ type: PricesDto })
  @IsOptionalNonNull()
  @IsObject({ message: '价格格式不正确' })
  @ValidateNested()
  @Type(() => PricesDto)
  prices?: PricesDto;

  @ApiPropertyOptional({ type: PartialPeriodHoursDto, description: '给出的餐次时段替换原有的 "HH:MM"' })
  @IsOptionalNonNull()
  @IsObject({ message: '餐次时段格式不正确' })
  periodHours?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, description: 'null: 清除地址' })
  @IsOptional()
  @IsString({ message: '地址必须是文字' })
  @MaxLength(200, { message: '地址过长' })
  address?: string | null;

  @ApiPropertyOptional()
  @IsOptionalNonNull()
  @IsBoolean({ message: 'active 必须是 true 或 false' })
  active?: boolean;
}

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;

/** GET /api/canteens: narrow the list (within reach) to a district or sub-district. */
export class CanteenListQueryDto {
  @ApiPropertyOptional({ description: '只列出该区的食堂' })
  @IsOptional()
  @Transform(toInt)
  @IsId('区编号必须是正整数')
  districtId?: number;

  @ApiPropertyOptional({ description: '只列出该街道的食堂' })
  @IsOptional()
  @Transform(toInt)
  @IsId('街道编号必须是正整数')
  subdistrictId?: number;
}
