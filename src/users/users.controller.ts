import { Body, Controller, Get, Header, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { IdParamPipe } from '../common/id-param.pipe';
import { CreateUserDto, GeneratedPasswordDto, UpdateUserDto } from './user.dto';
import { GeneratedPassword, UsersService, UserView } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Roles('OPERATOR', 'ADMIN')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Admin: any role. Operator: cashiers of its own canteens. */
  @Post()
  create(@CurrentUser() user: AuthUser, @Body() body: CreateUserDto, @ClientIp() ip: string | null): Promise<UserView> {
    return this.users.create(user, body, ip);
  }

  /** Admin: every user. Operator: the cashiers of its canteens. */
  @Get()
  list(@CurrentUser() user: AuthUser): Promise<UserView[]> {
    return this.users.list(user);
  }

  /** Deactivate / reactivate, reset the password, change canteens. */
  @Patch(':id')
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', IdParamPipe) id: number,
    @Body() body: UpdateUserDto,
    @ClientIp() ip: string | null,
  ): Promise<UserView> {
    return this.users.update(user, id, body, ip);
  }

  /**
   * Resets the password to one the server generates and answers it once (not logged, not cached); the user's
   * sessions end. Admin: anyone. Operator: cashiers of its own canteens.
   */
  @Post(':id/reset-password')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: GeneratedPasswordDto })
  @ApiNotFoundResponse({ description: 'USER_NOT_FOUND' })
  @ApiForbiddenResponse({ description: 'ROLE_FORBIDDEN / CASHIER_SHARED' })
  resetPassword(
    @CurrentUser() user: AuthUser,
    @Param('id', IdParamPipe) id: number,
    @ClientIp() ip: string | null,
  ): Promise<GeneratedPassword> {
    return this.users.resetPassword(user, id, ip);
  }
}
