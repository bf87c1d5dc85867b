import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { LockMonthDto, UnlockMonthDto } from './meals.dto';
import { MonthLocksService, MonthLockView } from './month-locks.service';

@ApiTags('months')
@ApiBearerAuth()
@Controller('months')
export class MonthLocksController {
  constructor(private readonly locks: MonthLocksService) {}

  @Post(':month/lock')
  @HttpCode(200)
  @Roles('FINANCE', 'ADMIN')
  lock(
    @CurrentUser() user: AuthUser,
    @Param('month') month: string,
    @Body() body: LockMonthDto,
    @ClientIp() ip: string | null,
  ): Promise<MonthLockView> {
    return this.locks.lock(user, month, body.canteenId, ip);
  }

  @Post(':month/unlock')
  @HttpCode(200)
  @Roles('ADMIN')
  unlock(
    @CurrentUser() user: AuthUser,
    @Param('month') month: string,
    @Body() body: UnlockMonthDto,
    @ClientIp() ip: string | null,
  ): Promise<MonthLockView> {
    return this.locks.unlock(user, month, body.canteenId, body.reason, ip);
  }

  @Get(':month/locks')
  list(@CurrentUser() user: AuthUser, @Param('month') month: string): Promise<MonthLockView[]> {
    return this.locks.list(user, month);
  }
}
