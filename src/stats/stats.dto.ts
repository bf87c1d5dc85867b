import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { MEAL_PERIODS, MealPeriod } from '../common/enums';
import { IsId, IsLocalDate, IsLocalMonth } from '../common/validation';

// Query strings are text: a canteen or sub-district id becomes a number before it is checked.
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;

/** The filters every statistics call takes, narrowed further by the caller's reach. */
export class StatsFilterQuery {
  @ApiPropertyOptional({ description: '只统计一个食堂（须在本人范围内）' })
  @IsOptional()
  @Transform(toInt)
  @IsId('食堂编号应为正整数')
  canteenId?: number;

  @ApiPropertyOptional({ description: '只统计一个区（须在本人范围内）' })
  @IsOptional()
  @Transform(toInt)
  @IsId('区编号应为正整数')
  districtId?: number;

  @ApiPropertyOptional({ description: '只统计一个街道（须在本人范围内）' })
  @IsOptional()
  @Transform(toInt)
  @IsId('街道编号应为正整数')
  subdistrictId?: number;
}

export class DailyStatsQuery extends StatsFilterQuery {
  @ApiProperty({ example: '2025-06-01', description: '开始日期（含）' })
  @IsLocalDate('开始日期应为 YYYY-MM-DD 格式的真实日期')
  from!: string;

  @ApiProperty({ example: '2025-06-30', description: '结束日期（含）；区间不超过 366 天' })
  @IsLocalDate('结束日期应为 YYYY-MM-DD 格式的真实日期')
  to!: string;
}

export class SummaryStatsQuery extends StatsFilterQuery {
  @ApiProperty({ example: '2025-06', description: '统计月份' })
  @IsLocalMonth('月份格式应为 YYYY-MM，如 2025-06')
  month!: string;
}

export const SUMMARY_TABLES = ['kpis', 'tiers', 'periods', 'canteens', 'months', 'hours'] as const;
export type SummaryTable = (typeof SUMMARY_TABLES)[number];

export class SummaryExportQuery extends SummaryStatsQuery {
  @ApiPropertyOptional({ enum: SUMMARY_TABLES, description: '只导出一张表；缺省导出全部（每表一页）' })
  @IsOptional()
  @IsIn(SUMMARY_TABLES, { message: '表名应为 kpis、tiers、periods、canteens、months 或 hours' })
  table?: SummaryTable;
}

// ---- answers -------------------------------------------------------------------------------------------------------

const TIER_MEALS = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  example: { '70_79': 12, '80_PLUS': 7, NONE: 3 },
  description: '按就餐时记录的补贴档次统计的人次（含 NONE，合计等于 meals）',
} as const;

export class StatsFiguresDto {
  @ApiProperty({ description: '就餐人次（不含作废）' })
  meals!: number;

  @ApiProperty({ description: '享受补贴的人次' })
  subsidisedMeals!: number;

  @ApiProperty({ description: '补贴金额（分）' })
  subsidyFen!: number;

  @ApiProperty({ description: '就餐老人数：区间内去重，一位老人只计一次（不是各日之和）' })
  distinctDiners!: number;
}

export class DailyRowDto extends StatsFiguresDto {
  @ApiProperty({ example: '2025-06-01' })
  date!: string;

  @ApiProperty(TIER_MEALS)
  byTier!: Record<string, number>;
}

export class DailyTotalsDto extends StatsFiguresDto {
  @ApiProperty(TIER_MEALS)
  byTier!: Record<string, number>;
}

export class DailyStatsDto {
  @ApiProperty({ example: '2025-06-01' })
  from!: string;

  @ApiProperty({ example: '2025-06-30' })
  to!: string;

  @ApiProperty({ type: [DailyRowDto], description: '区间内每一天（无就餐的日子为 0）' })
  days!: DailyRowDto[];

  @ApiProperty({ type: DailyTotalsDto, description: '整个区间；distinctDiners 为区间内去重的老人数' })
  totals!: DailyTotalsDto;
}

export class KpiDto {
  @ApiProperty({ description: '本月' })
  value!: number;

  @ApiProperty({ description: '上月' })
  previous!: number;

  @ApiProperty({ description: '本月 − 上月' })
  change!: number;

  @ApiProperty({ type: Number, nullable: true, description: '变化比例（0.125 即 +12.5%）；上月为 0 时为 null' })
  changeRatio!: number | null;

  @ApiProperty({
    type: () => KpiToDateDto,
    nullable: true,
    description: '本月未过完时与上月同期（summary.toDateRange）比较；本月已过完或尚未开始时为 null',
  })
  toDate!: KpiToDateDto | null;
}

/** A month under way against the same days of the previous month. */
export class KpiToDateDto {
  @ApiProperty({ description: '上月同期' })
  previous!: number;

  @ApiProperty({ description: '本月至今 − 上月同期' })
  change!: number;

  @ApiProperty({ type: Number, nullable: true, description: '变化比例；上月同期为 0 时为 null' })
  changeRatio!: number | null;
}

export class KpisDto {
  @ApiProperty({ type: KpiDto, description: '本月人次' })
  meals!: KpiDto;

  @ApiProperty({ type: KpiDto, description: '补贴人次' })
  subsidisedMeals!: KpiDto;

  @ApiProperty({ type: KpiDto, description: '补贴金额（分）' })
  subsidyFen!: KpiDto;

  @ApiProperty({ type: KpiDto, description: '就餐老人数（当月去重）' })
  distinctDiners!: KpiDto;
}

export class TierStatsDto extends StatsFiguresDto {
  @ApiProperty({ example: '80_PLUS', description: '就餐时记录的档次；NONE 为未满补贴年龄' })
  tier!: string;
}

export class PeriodStatsDto extends StatsFiguresDto {
  @ApiProperty({ enum: MEAL_PERIODS })
  mealPeriod!: MealPeriod;
}

export class CanteenStatsDto extends StatsFiguresDto {
  @ApiProperty()
  canteenId!: number;

  @ApiProperty()
  canteenName!: string;

  @ApiProperty()
  subdistrictId!: number;
}

export class MonthStatsDto extends StatsFiguresDto {
  @ApiProperty({ example: '2025-06' })
  month!: string;
}

export class HourCellDto {
  @ApiProperty({ description: '星期（Asia/Shanghai）：1 周一 … 7 周日' })
  weekday!: number;

  @ApiProperty({ description: '小时（Asia/Shanghai）：0–23' })
  hour!: number;

  @ApiProperty()
  meals!: number;
}

/** The same days of the previous month as those of a month under way. */
export class DateRangeDto {
  @ApiProperty({ example: '2025-05-01' })
  from!: string;

  @ApiProperty({ example: '2025-05-12' })
  to!: string;
}

export class SummaryStatsDto {
  @ApiProperty({ example: '2025-06' })
  month!: string;

  @ApiProperty({ example: '2025-05' })
  previousMonth!: string;

  @ApiProperty({
    type: DateRangeDto,
    nullable: true,
    description:
      '本月未过完（今天在本月内）时的上月同期：上月 1 日起、天数与本月已开始的天数相同（上月较短时到上月末）；否则为 null',
  })
  toDateRange!: DateRangeDto | null;

  @ApiProperty({ type: KpisDto, description: '本月与上月；本月未过完时另有与上月同期的比较（toDate）' })
  kpis!: KpisDto;

  @ApiProperty({ type: [TierStatsDto] })
  byTier!: TierStatsDto[];

  @ApiProperty({ type: [PeriodStatsDto] })
  byPeriod!: PeriodStatsDto[];

  @ApiProperty({
    type: [CanteenStatsDto],
    description: '范围内每个食堂（停用且本月无就餐的除外）；就餐老人数按食堂去重，各食堂之和可大于合计',
  })
  byCanteen!: CanteenStatsDto[];

  @ApiProperty({ type: [MonthStatsDto], description: '截至本月的 12 个月（无就餐的月份为 0）' })
  months!: MonthStatsDto[];

  @ApiProperty({ type: [HourCellDto], description: '本月按星期 × 小时的人次（无就餐的格子省略）' })
  busiestHours!: HourCellDto[];
}
