// The answers of the till's routes and of month locks (OpenAPI schemas; the services build plain objects).
import { PageDto } from '../common/paging';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { MEAL_PERIODS, MealPeriod, VERIFICATIONS, Verification } from '../common/enums';
import { LocalDate } from '../common/local-date';
import { PeriodHoursDto } from '../canteens/canteen-view.dto';
import type { DinerBrief, MealListItem, RecordedMeal } from './meal.queries';
import type { OfflineConflictView } from './offline-conflict.queries';
import type { MealTotals } from './meal-totals';
import type { MealQuote, TillCanteen } from './meals.service';
import type { MonthLockView } from './month-locks.service';
import type { QuoteWarning } from './quote-warnings';

const DATE = { type: String, format: 'date', example: '2025-06-01', description: 'Shanghai local date YYYY-MM-DD' };
const INSTANT = { type: String, format: 'date-time', description: 'RFC 3339, UTC, milliseconds' };
const SUBSIDY_DESCRIPTION = 'UNDER_AGE, NOT_ELIGIBLE, ALREADY_SUBSIDISED, NO_POLICY, or TIER_<tier> (the tier paid)';

export class DinerBriefDto implements DinerBrief {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty()
  name!: string;
  @ApiProperty({ example: '371502********1234' })
  maskedIdNumber!: string;
  @ApiProperty({ type: 'integer', description: '周岁 on the meal date' })
  age!: number;
}

/** The answer of recording a meal, also of a replay of its Idempotency-Key. */
export class RecordedMealDto implements RecordedMeal {
  @ApiProperty({ description: 'int8 as text', example: '1024' })
  id!: string;
  @ApiProperty(DATE)
  mealDate!: LocalDate;
  @ApiProperty({ enum: MEAL_PERIODS, enumName: 'MealPeriod' })
  mealPeriod!: MealPeriod;
  @ApiProperty({ type: DinerBriefDto })
  diner!: DinerBriefDto;
  @ApiProperty({ example: '70_79', description: "'NONE' or the policy tier's code" })
  tier!: string;
  @ApiProperty({ type: 'integer', description: 'fen' })
  priceFen!: number;
  @ApiProperty({ type: 'integer', description: 'fen' })
  subsidyFen!: number;
  @ApiProperty({ type: 'integer', description: 'fen; price − subsidy' })
  payableFen!: number;
  @ApiProperty({ example: 'TIER_70_79', description: SUBSIDY_DESCRIPTION })
  reason!: string;
  @ApiProperty({
    description: "served outside its period's hours at the canteen (Asia/Shanghai); recorded only when confirmed",
  })
  outsideHours!: boolean;
  @ApiProperty({ description: 'recorded by a till that could not reach the server (SPEC §4 "Offline")' })
  offline!: boolean;
}

export class CashierDto {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty()
  username!: string;
  @ApiProperty({ description: 'the name shown on pages (the username when none is set)' })
  name!: string;
}

export class VoidedDto {
  @ApiProperty(INSTANT)
  at!: string;
  @ApiProperty({ type: 'integer', description: 'the user who voided it' })
  by!: number;
  @ApiProperty()
  reason!: string;
}

export class ExplainedByDto {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty()
  name!: string;
}

export class MealExplanationDto {
  @ApiProperty()
  note!: string;
  @ApiProperty(INSTANT)
  at!: string;
  @ApiProperty({ type: ExplainedByDto })
  by!: ExplainedByDto;
}

export class MealListItemDto extends RecordedMealDto implements MealListItem {
  @ApiProperty({ type: 'integer' })
  canteenId!: number;
  @ApiProperty(INSTANT)
  servedAt!: string;
  @ApiProperty({ enum: VERIFICATIONS, enumName: 'Verification' })
  verification!: Verification;
  @ApiProperty({ type: CashierDto })
  cashier!: CashierDto;
  @ApiProperty({ type: VoidedDto, nullable: true })
  voided!: VoidedDto | null;
  @ApiProperty({
    description:
      "subsidised while the diner's status (not active) was in effect on the meal date: the claim's DINER_INACTIVE_AT_MEAL",
  })
  dinerInactiveAtMeal!: boolean;
  @ApiProperty({
    type: MealExplanationDto,
    nullable: true,
    description: "an operator's explanation that lets such a meal stand (POST /api/meals/{id}/explanation)",
  })
  explanation!: MealExplanationDto | null;
}

export class TierTotalDto {
  @ApiProperty({ type: 'integer' })
  count!: number;
  @ApiProperty({ type: 'integer' })
  subsidyFen!: number;
}

@ApiExtraModels(TierTotalDto)
export class MealTotalsDto implements MealTotals {
  @ApiProperty({ type: 'integer', description: 'meals not voided' })
  count!: number;
  @ApiProperty({ type: 'integer' })
  subsidisedCount!: number;
  @ApiProperty({ type: 'integer' })
  priceFen!: number;
  @ApiProperty({ type: 'integer' })
  subsidyFen!: number;
  @ApiProperty({ type: 'integer' })
  payableFen!: number;
  @ApiProperty({ type: 'integer' })
  voidedCount!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(TierTotalDto) },
    description: 'subsidised meals by tier code',
  })
  byTier!: Record<string, TierTotalDto>;
}

/** One day of a canteen's meals, filtered; the whole day at once (the till) or one page of it (the operator). */
export class MealDayDto {
  @ApiProperty(DATE)
  date!: LocalDate;
  @ApiProperty({ type: MealListItemDto, isArray: true, description: 'newest first; one page when pageSize is given' })
  items!: MealListItemDto[];
  @ApiProperty({ type: MealTotalsDto, description: 'over every page of the filtered meals' })
  totals!: MealTotalsDto;
  @ApiProperty({ type: 'integer', description: 'meals matching the filters, voided ones included (the pager total)' })
  total!: number;
  @ApiProperty({ type: 'integer', description: 'the page answered, from 1' })
  page!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: the whole day in one answer' })
  pageSize!: number | null;
}

export class QuoteWarningDto implements QuoteWarning {
  @ApiProperty({ enum: ['UNDER_AGE', 'NOT_ELIGIBLE', 'ALREADY_SUBSIDISED', 'NO_POLICY', 'OUTSIDE_HOURS'] })
  code!: QuoteWarning['code'];
  @ApiProperty({ description: 'for the cashier, zh-CN' })
  message!: string;
  @ApiPropertyOptional({ enum: ['ACTIVE', 'SUSPENDED', 'MOVED_AWAY', 'DECEASED'] })
  status?: 'ACTIVE' | 'SUSPENDED' | 'MOVED_AWAY' | 'DECEASED';
  @ApiPropertyOptional({ ...DATE, nullable: true })
  statusEffectiveFrom?: LocalDate | null;
  @ApiPropertyOptional({ description: 'ALREADY_SUBSIDISED: where the subsidised meal was' })
  canteenName?: string;
  @ApiPropertyOptional({ ...INSTANT, description: 'ALREADY_SUBSIDISED: when the subsidised meal was' })
  servedAt?: string;
}

export class MealQuoteDto implements MealQuote {
  @ApiProperty({ type: DinerBriefDto })
  diner!: DinerBriefDto;
  @ApiProperty(DATE)
  mealDate!: LocalDate;
  @ApiProperty({ enum: MEAL_PERIODS, enumName: 'MealPeriod' })
  mealPeriod!: MealPeriod;
  @ApiProperty({ example: '70_79' })
  tier!: string;
  @ApiProperty({ type: 'integer' })
  priceFen!: number;
  @ApiProperty({ type: 'integer' })
  subsidyFen!: number;
  @ApiProperty({ type: 'integer' })
  payableFen!: number;
  @ApiProperty({ description: SUBSIDY_DESCRIPTION })
  reason!: string;
  @ApiProperty({ type: 'integer', nullable: true })
  policyVersionId!: number | null;
  @ApiProperty({ description: "now is outside the period's hours: recording needs confirmOutsideHours: true" })
  outsideHours!: boolean;
  @ApiProperty({ type: QuoteWarningDto, isArray: true })
  warnings!: QuoteWarningDto[];
}

/** The prices of the periods a canteen serves (fen); a period it does not serve is absent. */
export class TillPricesDto implements Partial<Record<MealPeriod, number>> {
  @ApiPropertyOptional({ type: 'integer' })
  BREAKFAST?: number;
  @ApiPropertyOptional({ type: 'integer' })
  LUNCH?: number;
  @ApiPropertyOptional({ type: 'integer' })
  DINNER?: number;
}

export class TillCanteenDto implements TillCanteen {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty()
  name!: string;
  @ApiProperty({ type: TillPricesDto })
  prices!: TillPricesDto;
  @ApiProperty({ type: PeriodHoursDto })
  periodHours!: PeriodHoursDto;
  @ApiProperty({ enum: MEAL_PERIODS, enumName: 'MealPeriod', nullable: true })
  currentPeriod!: MealPeriod | null;
}

export class TillDto {
  @ApiProperty(DATE)
  today!: LocalDate;
  @ApiProperty(INSTANT)
  now!: string;
  @ApiProperty({ type: TillCanteenDto, isArray: true })
  canteens!: TillCanteenDto[];
}

export class MonthLockViewDto implements MonthLockView {
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
  @ApiProperty(INSTANT)
  lockedAt!: string;
  @ApiProperty({ description: 'username' })
  lockedBy!: string;
  @ApiProperty()
  active!: boolean;
  @ApiProperty({ ...INSTANT, nullable: true })
  unlockedAt!: string | null;
  @ApiProperty({ type: String, nullable: true })
  unlockedBy!: string | null;
  @ApiProperty({ type: String, nullable: true })
  unlockReason!: string | null;
}

export class MonthLockPageDto extends PageDto(MonthLockViewDto, 'MonthLockPageDto') {}

export class ConflictDinerDto {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty()
  name!: string;
}

export class ConflictSettledDto {
  @ApiProperty(INSTANT)
  at!: string;
  @ApiProperty({ type: 'integer', description: 'the user who settled it' })
  by!: number;
  @ApiProperty()
  byUsername!: string;
  @ApiProperty()
  note!: string;
}

/** SPEC §4 "Offline": an offline meal whose server subsidy is lower than the till's provisional one. */
export class OfflineConflictDto implements OfflineConflictView {
  @ApiProperty({ description: 'int8 as text' })
  id!: string;
  @ApiProperty({ type: 'integer' })
  canteenId!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the meal recorded; null when the diner was not registered (this conflict is the only record)',
  })
  mealId!: string | null;
  @ApiProperty(DATE)
  mealDate!: LocalDate;
  @ApiProperty({ enum: MEAL_PERIODS, enumName: 'MealPeriod' })
  mealPeriod!: MealPeriod;
  @ApiProperty({ ...INSTANT, description: 'when the offline till served it' })
  servedAt!: string;
  @ApiProperty({ ...INSTANT, description: 'when the till lost the server' })
  offlineSince!: string;
  @ApiProperty({ ...INSTANT, description: 'when the meal reached the server' })
  receivedAt!: string;
  @ApiProperty({ type: ConflictDinerDto, nullable: true, description: 'null: not registered' })
  diner!: ConflictDinerDto | null;
  @ApiProperty({ example: '371502********1234' })
  maskedIdNumber!: string;
  @ApiProperty({ type: 'integer', description: 'fen' })
  priceFen!: number;
  @ApiProperty({ type: 'integer', description: 'fen; what the offline till quoted' })
  provisionalSubsidyFen!: number;
  @ApiProperty({ type: 'integer', description: "fen; the server's subsidy" })
  subsidyFen!: number;
  @ApiProperty({ type: 'integer', description: 'fen; provisional − server subsidy: what the canteen did not collect' })
  underCollectedFen!: number;
  @ApiProperty({
    example: 'ALREADY_SUBSIDISED',
    description:
      "the server's reason (ALREADY_SUBSIDISED, NOT_ELIGIBLE, UNDER_AGE, NO_POLICY, TIER_…) or NOT_REGISTERED",
  })
  reason!: string;
  @ApiProperty({ description: 'the meal was voided since' })
  mealVoided!: boolean;
  @ApiProperty({ type: CashierDto })
  cashier!: CashierDto;
  @ApiProperty({ type: ConflictSettledDto, nullable: true })
  settled!: ConflictSettledDto | null;
}

export class OfflineConflictPageDto extends PageDto(OfflineConflictDto, 'OfflineConflictPageDto') {}
