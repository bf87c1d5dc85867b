import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Page, paginate } from '../common/paging';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { MonthLockPageDto, MonthLockViewDto } from './meal-view.dto';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { LockMonthDto, MonthLockListQueryDto, UnlockMonthDto } from './meals.dto';
import { MonthLocksService, MonthLockView } from './month-locks.service';

@ApiTags('months')
@ApiBearerAuth()
@ApiParam({ name: 'month', example: '2025-03', description: 'YYYY-MM' })
@Controller('months')
export class MonthLocksController {
  constructor(private readonly locks: MonthLocksService) {}

  @Post(':month/lock')
  @HttpCode(200)
  @Roles('FINANCE', 'ADMIN')
  @ApiOkResponse({ type: MonthLockViewDto })
  @ApiErrors(
    'INVALID_MONTH',
    'CANTEEN_NOT_FOUND',
    'CANTEEN_FORBIDDEN',
    'SUBDISTRICT_NOT_FOUND',
    'SUBDISTRICT_FORBIDDEN',
    'MONTH_ALREADY_LOCKED',
  )
  lock(
    @CurrentUser() user: AuthUser,
    @Param('month') month: string,
    @Body() body: LockMonthDto,
    @ClientIp() ip: string | null,
  ): Promise<MonthLockView> {
    return this.locks.lock(user, month, { canteenId: body.canteenId, subdistrictId: body.subdistrictId }, ip);
  }

  @Post(':month/unlock')
  @HttpCode(200)
  @Roles('ADMIN')
  @ApiOkResponse({ type: MonthLockViewDto })
  @ApiErrors(
    'INVALID_MONTH',
    'UNLOCK_REASON_REQUIRED',
    'CANTEEN_NOT_FOUND',
    'CANTEEN_FORBIDDEN',
    'SUBDISTRICT_NOT_FOUND',
    'MONTH_NOT_LOCKED',
    'MONTH_LOCK_HELD_BY_CLAIM',
  )
  unlock(
    @CurrentUser() user: AuthUser,
    @Param('month') month: string,
    @Body() body: UnlockMonthDto,
    @ClientIp() ip: string | null,
  ): Promise<MonthLockView> {
    return this.locks.unlock(
      user,
      month,
      { canteenId: body.canteenId, subdistrictId: body.subdistrictId },
      body.reason,
      ip,
    );
  }

  @Get(':month/locks')
  @ApiOkResponse({ type: MonthLockPageDto, description: 'the locks of the month in reach' })
  @ApiErrors('INVALID_MONTH')
  async list(
    @CurrentUser() user: AuthUser,
    @Param('month') month: string,
    @Query() query: MonthLockListQueryDto,
  ): Promise<Page<MonthLockView>> {
    return paginate(
      await this.locks.list(user, month, { districtId: query.districtId, subdistrictId: query.subdistrictId }),
      query,
    );
  }
}
