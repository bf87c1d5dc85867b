import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MEAL_PERIODS, MealPeriod, VERIFICATIONS, Verification } from '../common/enums';
import { MAX_MEAL_PRICE_FEN } from '../common/money';
import { IsId, IsLocalDate, IsOptionalNonNull } from '../common/validation';

// An ISO 8601 instant with an explicit offset, so a till's time zone never changes which day a meal falls on.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Who is eating, and which meal: the part a quote and a recording share. */
class DinerMealDto {
  @ApiPropertyOptional({ description: '身份证号码（18 位或 15 位旧号）；与 cardNo 二选一' })
  @IsOptional()
  @IsString({ message: '身份证号码应为文本' })
  @MaxLength(40, { message: '身份证号码过长' })
  idNumber?: string;

  @ApiPropertyOptional({ description: '就餐卡号；与 idNumber 二选一' })
  @IsOptional()
  @IsString({ message: '就餐卡号应为文本' })
  @Length(1, 64, { message: '就餐卡号应为 1–64 个字符' })
  cardNo?: string;

  @ApiProperty({ enum: MEAL_PERIODS })
  @IsIn(MEAL_PERIODS, { message: '餐次应为 BREAKFAST（早餐）、LUNCH（午餐）或 DINNER（晚餐）' })
  mealPeriod!: MealPeriod;
}

export class RecordMealDto extends DinerMealDto {
  @ApiPropertyOptional({ description: '餐价（分）；缺省为本食堂该餐次的价格' })
  @IsOptionalNonNull()
  @IsInt({ message: '餐价应为整数（分）' })
  @Min(0, { message: '餐价不能为负数' })
  @Max(MAX_MEAL_PRICE_FEN, { message: '餐价过高（不超过 1000 元）' })
  priceFen?: number;

  @ApiProperty({ enum: VERIFICATIONS })
  @IsIn(VERIFICATIONS, { message: '核验方式应为 ID_CARD_READER、MANUAL_ENTRY 或 MEAL_CARD' })
  verification!: Verification;

  @ApiPropertyOptional({ example: '2025-06-01T11:45:00+08:00', description: '就餐时间（补录时填写），带时区' })
  @IsOptionalNonNull()
  @IsString({ message: '就餐时间应为文本' })
  @Matches(INSTANT, { message: '就餐时间格式不正确，应如 2025-06-01T11:45:00+08:00' })
  servedAt?: string;

  @ApiPropertyOptional({
    description: '就餐时间不在该餐次时段内时必须为 true（收银员已再次确认），否则 409 MEAL_OUTSIDE_HOURS',
  })
  @IsOptionalNonNull()
  @IsBoolean({ message: 'confirmOutsideHours 应为 true 或 false' })
  confirmOutsideHours?: boolean;
}

export class QuoteMealQuery extends DinerMealDto {
  // Query strings are text: the price is converted before it is checked.
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '餐价应为整数（分）' })
  @Min(0, { message: '餐价不能为负数' })
  @Max(MAX_MEAL_PRICE_FEN, { message: '餐价过高（不超过 1000 元）' })
  priceFen?: number;
}

export class ListMealsQuery {
  @ApiPropertyOptional({ example: '2025-06-01' })
  @IsOptional()
  @IsLocalDate('日期应为 YYYY-MM-DD 格式的真实日期')
  date?: string;
}

export class VoidMealDto {
  @ApiProperty({ description: '作废原因' })
  @IsString({ message: '请填写作废原因' })
  @MinLength(1, { message: '请填写作废原因' })
  @MaxLength(200, { message: '作废原因不超过 200 字' })
  reason!: string;
}

export class LockMonthDto {
  @ApiPropertyOptional({ description: '只锁定一个食堂；缺省为整个街道' })
  @IsOptionalNonNull()
  @IsId('食堂编号应为正整数')
  canteenId?: number;
}

export class UnlockMonthDto extends LockMonthDto {
  @ApiProperty({ description: '解锁原因（必填）' })
  @IsString({ message: '请填写解锁原因' })
  @MinLength(1, { message: '请填写解锁原因' })
  @MaxLength(200, { message: '解锁原因不超过 200 字' })
  reason!: string;
}
