import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { notFound } from '../common/app-error';
import { BigIdParamPipe, IdParamPipe } from '../common/id-param.pipe';
import { LocalDate } from '../common/local-date';
import { ListMealsQuery, QuoteMealQuery, RecordMealDto, VoidMealDto } from './meals.dto';
import { MealList, MealListItem, MealQuote, MealsService, RecordedMeal, TillCanteen } from './meals.service';

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
  quote(
    @CurrentUser() user: AuthUser,
    @Param('canteenId', IdParamPipe) canteenId: number,
    @Query() query: QuoteMealQuery,
  ): Promise<MealQuote> {
    return this.meals.quote(user, canteenId, query);
  }

  /**
   * Records one meal (SPEC §6). A replay of the same Idempotency-Key with the same body answers 201 with the
   * same body as the first answer and writes nothing, so a till can retry blindly.
   */
  @Post('canteens/:canteenId/meals')
  @HttpCode(201)
  @Roles('CASHIER', 'OPERATOR', 'ADMIN')
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'one per meal; reuse it when retrying' })
  record(
    @CurrentUser() user: AuthUser,
    @Param('canteenId', IdParamPipe) canteenId: number,
    @Headers('idempotency-key') key: string | undefined,
    @Body() body: RecordMealDto,
    @ClientIp() ip: string | null,
  ): Promise<RecordedMeal> {
    return this.meals.record(user, canteenId, key, body, ip);
  }

  /** A day's meals of a canteen, filtered and maybe paged, with totals over every page (the operator's list). */
  @Get('canteens/:canteenId/meals')
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
  void(
    @CurrentUser() user: AuthUser,
    @Param('id', mealIdPipe) id: string,
    @Body() body: VoidMealDto,
    @ClientIp() ip: string | null,
  ): Promise<MealListItem> {
    return this.meals.void(user, id, body.reason, ip);
  }

  /** The till page's start: the caller's canteens with prices, hours and the period by the clock. */
  @Get('till')
  till(@CurrentUser() user: AuthUser): Promise<{ today: LocalDate; now: string; canteens: TillCanteen[] }> {
    return this.meals.till(user);
  }
}
