// The answers of /api/canteens (OpenAPI schemas; the services build plain objects of the same shape).
import { ApiProperty } from '@nestjs/swagger';
import { CANTEEN_TYPES, CanteenType, MealPeriod, PeriodHours } from '../common/enums';
import type { CanteenView } from './canteens.service';

const HHMM_PAIR = {
  type: 'array',
  items: { type: 'string', pattern: '^\\d{2}:\\d{2}$' },
  minItems: 2,
  maxItems: 2,
  example: ['11:00', '13:00'],
} as const;

/** Each period's price in fen; null: the period is not served. */
export class MealPricesDto implements Record<MealPeriod, number | null> {
  @ApiProperty({ type: 'integer', nullable: true, example: 500 })
  BREAKFAST!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 1200 })
  LUNCH!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 1000 })
  DINNER!: number | null;
}

/** Each period's serving hours, Shanghai local time ['HH:MM', 'HH:MM']. */
export class PeriodHoursDto implements PeriodHours {
  @ApiProperty(HHMM_PAIR)
  BREAKFAST!: [string, string];
  @ApiProperty(HHMM_PAIR)
  LUNCH!: [string, string];
  @ApiProperty(HHMM_PAIR)
  DINNER!: [string, string];
}

/** Some periods' serving hours (a request: the periods given replace those of the canteen). */
export class PartialPeriodHoursDto implements Partial<PeriodHours> {
  @ApiProperty({ ...HHMM_PAIR, required: false })
  BREAKFAST?: [string, string];
  @ApiProperty({ ...HHMM_PAIR, required: false })
  LUNCH?: [string, string];
  @ApiProperty({ ...HHMM_PAIR, required: false })
  DINNER?: [string, string];
}

export class CanteenViewDto implements CanteenView {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty({ type: 'integer' })
  subdistrictId!: number;
  @ApiProperty({ example: '东关国际幸福食堂' })
  name!: string;
  @ApiProperty({ enum: CANTEEN_TYPES })
  type!: CanteenType;
  @ApiProperty({ example: '养老设施型' })
  typeLabel!: string;
  @ApiProperty({ type: String, nullable: true })
  address!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'YYYY-MM-DD' })
  openedOn!: string | null;
  @ApiProperty({ type: MealPricesDto })
  prices!: MealPricesDto;
  @ApiProperty({ type: PeriodHoursDto })
  periodHours!: PeriodHoursDto;
  @ApiProperty()
  active!: boolean;
}
