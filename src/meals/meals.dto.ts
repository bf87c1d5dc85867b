import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '../common/paging';
import { Transform, Type } from 'class-transformer';
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
import {
  ApiInstantProperty,
  IsId,
  IsInstant,
  IsLocalDate,
  IsOptionalNonNull,
  queryIdToInt,
} from '../common/validation';

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

  @ApiInstantProperty('就餐时间（补录时填写）；缺省为服务器收到请求的时刻', { required: false })
  @IsOptionalNonNull()
  @IsInstant('就餐时间格式不正确，应为带时区的 RFC 3339 时间，如 2025-06-01T11:45:00+08:00')
  servedAt?: string;

  @ApiPropertyOptional({
    description: '就餐时间不在该餐次时段内时必须为 true（收银员已再次确认），否则 409 MEAL_OUTSIDE_HOURS',
  })
  @IsOptionalNonNull()
  @IsBoolean({ message: 'confirmOutsideHours 应为 true 或 false' })
  confirmOutsideHours?: boolean;

  @ApiPropertyOptional({
    description:
      'true: recorded by a till that could not reach the server (SPEC §4 "Offline"); then servedAt, offlineSince ' +
      'and provisionalSubsidyFen are required and the diner is identified by idNumber',
  })
  @IsOptionalNonNull()
  @IsBoolean({ message: 'offline 应为 true 或 false' })
  offline?: boolean;

  @ApiInstantProperty('离线记录：收银台与服务器失去联系的时刻（可补录的时限从此刻算起）', { required: false })
  @IsOptionalNonNull()
  @IsInstant('offlineSince 格式不正确，应为带时区的 RFC 3339 时间，如 2025-06-01T11:45:00+08:00')
  offlineSince?: string;

  @ApiPropertyOptional({ description: '离线记录：收银台离线时按出生日期和缓存的政策报出的补贴（分）' })
  @IsOptionalNonNull()
  @IsInt({ message: '离线报价的补贴应为整数（分）' })
  @Min(0, { message: '离线报价的补贴不能为负数' })
  @Max(MAX_MEAL_PRICE_FEN, { message: '离线报价的补贴过高' })
  provisionalSubsidyFen?: number;
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

// Query strings are text: numbers and booleans are converted before they are checked.
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export const MEAL_PAGE_SIZE_MAX = 200;

export class ListMealsQuery {
  @ApiPropertyOptional({ example: '2025-06-01', description: '日期；缺省为今天' })
  @IsOptional()
  @IsLocalDate('日期应为 YYYY-MM-DD 格式的真实日期')
  date?: string;

  @ApiPropertyOptional({ enum: MEAL_PERIODS, description: '只看一个餐次' })
  @IsOptional()
  @IsIn(MEAL_PERIODS, { message: '餐次应为 BREAKFAST（早餐）、LUNCH（午餐）或 DINNER（晚餐）' })
  mealPeriod?: MealPeriod;

  @ApiPropertyOptional({ example: '80_PLUS', description: '只看一个补贴档次（NONE：未满补贴年龄）' })
  @IsOptional()
  @IsString({ message: '补贴档次应为文本' })
  @Matches(/^[0-9A-Z_]{1,20}$/, { message: '补贴档次格式不正确，如 70_79、80_PLUS、NONE' })
  tier?: string;

  @ApiPropertyOptional({ description: '只看一个收银员记录的' })
  @IsOptional()
  @Transform(toInt)
  @IsId('收银员编号应为正整数')
  cashierId?: number;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true：只看已作废的；false：只看有效的' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'voided 应为 true 或 false' })
  voided?: boolean;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true：只看时段外记录的；false：只看时段内的' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'outsideHours 应为 true 或 false' })
  outsideHours?: boolean;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true：只看离线收银台记录的；false：只看在线记录的' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'offline 应为 true 或 false' })
  offline?: boolean;

  @ApiPropertyOptional({ description: '页码，从 1 起；与 pageSize 一起使用' })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: '页码应为正整数' })
  @Min(1, { message: '页码应为正整数' })
  @Max(100_000, { message: '页码过大' })
  page?: number;

  @ApiPropertyOptional({ description: `每页条数（1–${MEAL_PAGE_SIZE_MAX}）；缺省为当天全部（收银台）` })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: `每页条数应为 1–${MEAL_PAGE_SIZE_MAX} 的整数` })
  @Min(1, { message: `每页条数应为 1–${MEAL_PAGE_SIZE_MAX} 的整数` })
  @Max(MEAL_PAGE_SIZE_MAX, { message: `每页条数应为 1–${MEAL_PAGE_SIZE_MAX} 的整数` })
  pageSize?: number;
}

export class VoidMealDto {
  @ApiProperty({ description: '作废原因' })
  @IsString({ message: '请填写作废原因' })
  @MinLength(1, { message: '请填写作废原因' })
  @MaxLength(200, { message: '作废原因不超过 200 字' })
  reason!: string;
}

export class ExplainMealDto {
  @ApiProperty({ description: '说明：为何老人状态非正常时这餐仍应补贴（例如状态的生效日期登记有误）' })
  @IsString({ message: '请填写说明' })
  @MinLength(1, { message: '请填写说明' })
  @MaxLength(500, { message: '说明不超过 500 字' })
  note!: string;
}

export class LockMonthDto {
  @ApiPropertyOptional({ description: '只锁定一个食堂；缺省为整个街道' })
  @IsOptionalNonNull()
  @IsId('食堂编号应为正整数')
  canteenId?: number;

  @ApiPropertyOptional({
    description: '整个街道（不给 canteenId 时）：缺省为本人所在街道；管理员可指定任一街道，其他角色只能是本街道',
  })
  @IsOptionalNonNull()
  @IsId('街道编号应为正整数')
  subdistrictId?: number;
}

export class UnlockMonthDto extends LockMonthDto {
  @ApiProperty({ description: '解锁原因（必填）' })
  @IsString({ message: '请填写解锁原因' })
  @MinLength(1, { message: '请填写解锁原因' })
  @MaxLength(200, { message: '解锁原因不超过 200 字' })
  reason!: string;
}

export class ListOfflineConflictsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true：只看已处理的；false：只看未处理的；缺省全部' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'settled 应为 true 或 false' })
  settled?: boolean;
}

export class SettleOfflineConflictDto {
  @ApiProperty({ description: '处理说明，如“已向老人补收 ¥4.00”或“已为老人登记并补录”' })
  @IsString({ message: '请填写处理说明' })
  @MinLength(1, { message: '请填写处理说明' })
  @MaxLength(200, { message: '处理说明不超过 200 字' })
  note!: string;
}

/** GET /api/months/{month}/locks: narrow the list (within reach) to a district or sub-district. */
export class MonthLockListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', description: '只列出该区的锁定（在本人范围内）' })
  @IsOptional()
  @Transform(queryIdToInt)
  @IsId('区编号必须是正整数')
  districtId?: number;

  @ApiPropertyOptional({ type: 'integer', description: '只列出该街道的锁定（在本人范围内）' })
  @IsOptional()
  @Transform(queryIdToInt)
  @IsId('街道编号必须是正整数')
  subdistrictId?: number;
}
