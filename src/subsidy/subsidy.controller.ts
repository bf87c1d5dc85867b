import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { Allow } from 'class-validator';
import { badRequest } from '../common/app-error';
import { compareLocalDates, isDateInRange, LocalDate, todayLocal } from '../common/local-date';
import { MAX_MEAL_PRICE_FEN } from '../common/money';
import { PolicyService } from '../policy/policy.service';
import { tryParseIdNumber } from './id-number';
import { evaluateSubsidy, SubsidyReason, TierCode } from './subsidy-calculator';

// Each parameter is checked by hand so that every problem has its own stable code (ID_*, INVALID_DATE,
// INVALID_PRICE) rather than the generic VALIDATION_FAILED.
export class QuoteQuery {
  @ApiProperty({
    type: String,
    description: '18-digit (or legacy 15-digit) ID number; spaces and full-width digits allowed',
  })
  @Allow()
  idNumber?: unknown;

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    example: '2025-06-01',
    description: 'meal date YYYY-MM-DD (Shanghai); today when absent',
  })
  @Allow()
  date?: unknown;

  @ApiProperty({ type: 'integer', example: 1200, description: 'meal price in fen, a non-negative integer' })
  @Allow()
  priceFen?: unknown;
}

export class QuoteAnswer {
  @ApiProperty({
    description: "the normalised 18-character number: the caller's own input, echoed so a kiosk can show what was read",
  })
  idNumber!: string;
  @ApiProperty({ type: String, format: 'date', example: '1950-03-07' })
  birthDate!: LocalDate;
  @ApiProperty({ type: 'integer', description: '周岁 on the meal date' })
  age!: number;
  @ApiProperty({ type: String, example: '70_79', description: "'NONE' or the policy tier's code" })
  tier!: TierCode;
  @ApiProperty({ type: 'integer' })
  subsidyFen!: number;
  @ApiProperty({ type: 'integer' })
  payableFen!: number;
  @ApiProperty({ type: String, example: 'TIER_70_79', description: 'UNDER_AGE, NO_POLICY or TIER_<tier>' })
  reason!: SubsidyReason;
  @ApiProperty({ type: 'integer', nullable: true })
  policyVersionId!: number | null;
}

@ApiTags('subsidy')
@ApiBearerAuth()
@Controller('subsidy')
export class SubsidyController {
  constructor(private readonly policy: PolicyService) {}

  /** SPEC §6: what a meal on that date at that price would get. A pure policy calculation; nothing is written. */
  @Get('quote')
  @ApiOkResponse({ type: QuoteAnswer })
  @ApiErrors('ID_FORMAT', 'ID_BIRTHDATE', 'ID_CHECKSUM', 'INVALID_DATE', 'INVALID_PRICE')
  async quote(@Query() q: QuoteQuery): Promise<QuoteAnswer> {
    const today = todayLocal();
    const id = tryParseIdNumber(typeof q.idNumber === 'string' ? q.idNumber : '', today);
    if (!id.ok) throw badRequest(id.code, id.message);

    const date = q.date === undefined || q.date === '' ? today : q.date;
    if (typeof date !== 'string' || !isDateInRange(date)) {
      throw badRequest('INVALID_DATE', '日期无效，应为 YYYY-MM-DD 格式的真实日期');
    }
    if (compareLocalDates(date, id.value.birthDate) < 0) {
      throw badRequest('INVALID_DATE', '就餐日期早于身份证上的出生日期');
    }

    const price = typeof q.priceFen === 'string' && /^\d{1,10}$/.test(q.priceFen) ? Number(q.priceFen) : NaN;
    if (!(price <= MAX_MEAL_PRICE_FEN)) {
      throw badRequest(
        'INVALID_PRICE',
        '餐价无效，应为以“分”为单位的非负整数（不超过 1000 元），如 1200 表示 12.00 元',
      );
    }

    const result = evaluateSubsidy({
      policy: await this.policy.policyFor(date),
      birthDate: id.value.birthDate,
      mealDate: date,
      priceFen: price,
    });
    return {
      idNumber: id.value.idNumber,
      birthDate: id.value.birthDate,
      age: result.age,
      tier: result.tier,
      subsidyFen: result.subsidyFen,
      payableFen: result.payableFen,
      reason: result.reason,
      policyVersionId: result.policyVersionId,
    };
  }
}
