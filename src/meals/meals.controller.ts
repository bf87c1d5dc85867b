import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../common/api-responses';
import {
  MealDayDto,
  MealListItemDto,
  MealQuoteDto,
  OfflineConflictDto,
  RecordedMealDto,
  TillDto,
} from './meal-view.dto';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { notFound } from '../common/app-error';
import { BigIdParamPipe, IdParamPipe } from '../common/id-param.pipe';
import { LocalDate } from '../common/local-date';
import { ExplainMealDto, ListMealsQuery, QuoteMealQuery, RecordMealDto, VoidMealDto } from './meals.dto';
import {
  MealList,
  MealListItem,
  MealQuote,
  MealsService,
  OfflineConflictView,
  RecordedMeal,
  TillCanteen,
} from './meals.service';

// What the OpenAPI document tells an integrator about the key (docs/API.md "Idempotency-Key").
const IDEMPOTENCY_KEY =
  'One key per meal (a UUID), 1–128 characters, chosen by the client. Sending the same key with the same body ' +
  'answers the first answer again (201, or 202 for an offline conflict) and records nothing, for as long as the ' +
  'meal or conflict exists (the key is stored with it in PostgreSQL, so also after a restart of the server); the ' +
  'same key with another body (another diner, period, price, verification or servedAt instant, or other offline ' +
  'fields) answers 422 IDEMPOTENCY_KEY_REUSED. Keys are per canteen and never expire. Retry a 503 or a lost ' +
  'answer with the same key.';

// A meal id that cannot exist names no meal.
const mealIdPipe = new BigIdParamPipe(() => notFound('MEAL_NOT_FOUND', '该就餐记录不存在'));

@ApiTags('meals')
@ApiBearerAuth()
@Controller()
export class MealsController {
  constructor(private readonly meals: MealsService) {}

  /** What recording this diner now would give, with warnings. Nothing is written. */
  @Get('canteens/:canteenId/meals/quote')
  @Roles('CASHIER', 'OPERATOR', 'ADMIN')
  @ApiOkResponse({ type: MealQuoteDto })
  @ApiErrors(
    'INVALID_ID',
    'DINER_IDENTITY_REQUIRED',
    'ID_FORMAT',
    'ID_BIRTHDATE',
    'ID_CHECKSUM',
    'NO_PRICE_FOR_PERIOD',
    'CANTEEN_NOT_FOUND',
    'CANTEEN_FORBIDDEN',
    'DINER_NOT_FOUND',
  )
  quote(
    @CurrentUser() user: AuthUser,
    @Param('canteenId', IdParamPipe) canteenId: number,
    @Query() query: QuoteMealQuery,
  ): Promise<MealQuote> {
    return this.meals.quote(user, canteenId, query);
  }

  /**
   * Records one meal (SPEC §6). A replay of the same Idempotency-Key with the same body answers the first answer
   * again (201, or 202 for an offline conflict) and writes nothing, so a till can retry blindly.
   */
  @Post('canteens/:canteenId/meals')
  @HttpCode(201)
  @Roles('CASHIER', 'OPERATOR', 'ADMIN')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: IDEMPOTENCY_KEY,
    schema: { type: 'string', minLength: 1, maxLength: 128 },
  })
  @ApiCreatedResponse({ type: RecordedMealDto, description: 'recorded, or the first answer again for a replayed key' })
  @ApiAcceptedResponse({
    type: OfflineConflictDto,
    description:
      'offline only: the register does not know the diner; the meal is kept as an offline conflict (no meal row) for ' +
      'the operator to settle; a replayed key answers it again',
  })
  @ApiErrors(
    'OFFLINE_FIELDS_INVALID',
    'OFFLINE_WINDOW_EXPIRED',
    'OFFLINE_ID_NUMBER_REQUIRED',
    'INVALID_ID',
    'IDEMPOTENCY_KEY_MISSING',
    'IDEMPOTENCY_KEY_INVALID',
    'DINER_IDENTITY_REQUIRED',
    'ID_FORMAT',
    'ID_BIRTHDATE',
    'ID_CHECKSUM',
    'NO_PRICE_FOR_PERIOD',
    'SERVED_AT_INVALID',
    'SERVED_AT_OUT_OF_RANGE',
    'CANTEEN_NOT_FOUND',
    'CANTEEN_FORBIDDEN',
    'DINER_NOT_FOUND',
    'MONTH_LOCKED',
    'CANTEEN_INACTIVE',
    'IDEMPOTENCY_KEY_REUSED',
  )
  async record(
    @CurrentUser() user: AuthUser,
    @Param('canteenId', IdParamPipe) canteenId: number,
    @Headers('idempotency-key') key: string | undefined,
    @Body() body: RecordMealDto,
    @ClientIp() ip: string | null,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RecordedMeal | OfflineConflictView> {
    const answer = await this.meals.record(user, canteenId, key, body, ip);
    if ('underCollectedFen' in answer) res.status(202);
    return answer;
  }

  /** A day's meals of a canteen, filtered and maybe paged, with totals over every page (the operator's list). */
  @Get('canteens/:canteenId/meals')
  @ApiOkResponse({ type: MealDayDto, description: 'one day of the canteen, filtered, maybe paged, with the totals' })
  @ApiErrors('INVALID_ID', 'CANTEEN_NOT_FOUND', 'CANTEEN_FORBIDDEN')
  list(
    @CurrentUser() user: AuthUser,
    @Param('canteenId', IdParamPipe) canteenId: number,
    @Query() query: ListMealsQuery,
  ): Promise<MealList> {
    return this.meals.list(user, canteenId, query);
  }

  @Post('meals/:id/void')
  @HttpCode(200)
  @Roles('CASHIER', 'OPERATOR', 'ADMIN')
  @ApiOkResponse({ type: MealListItemDto, description: 'the meal, voided' })
  @ApiErrors('VOID_REASON_REQUIRED', 'MEAL_NOT_FOUND', 'VOID_FORBIDDEN', 'MEAL_ALREADY_VOIDED', 'MONTH_LOCKED')
  void(
    @CurrentUser() user: AuthUser,
    @Param('id', mealIdPipe) id: string,
    @Body() body: VoidMealDto,
    @ClientIp() ip: string | null,
  ): Promise<MealListItem> {
    return this.meals.void(user, id, body.reason, ip);
  }

  /** SPEC §5: an operator's note that lets a meal eaten while the diner's status was not active stand. */
  @Post('meals/:id/explanation')
  @HttpCode(201)
  @Roles('OPERATOR', 'ADMIN')
  @ApiCreatedResponse({ type: MealListItemDto, description: 'the meal, with its explanation' })
  @ApiErrors(
    'EXPLANATION_NOTE_REQUIRED',
    'MEAL_NOT_FOUND',
    'MEAL_ALREADY_VOIDED',
    'MEAL_NOT_FLAGGED',
    'MEAL_ALREADY_EXPLAINED',
    'MONTH_LOCKED',
  )
  explain(
    @CurrentUser() user: AuthUser,
    @Param('id', mealIdPipe) id: string,
    @Body() body: ExplainMealDto,
    @ClientIp() ip: string | null,
  ): Promise<MealListItem> {
    return this.meals.explain(user, id, body.note, ip);
  }

  /** The till page's start: the caller's canteens with prices, hours and the period by the clock. */
  @Get('till')
  @ApiOkResponse({ type: TillDto })
  till(@CurrentUser() user: AuthUser): Promise<{ today: LocalDate; now: string; canteens: TillCanteen[] }> {
    return this.meals.till(user);
  }
}
