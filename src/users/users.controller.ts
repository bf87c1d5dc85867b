import { Body, Controller, Get, Header, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Page, paginate } from '../common/paging';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { UserPageDto, UserViewDto } from './user-view.dto';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { IdParamPipe } from '../common/id-param.pipe';
import { CreateUserDto, GeneratedPasswordDto, UpdateUserDto, UserListQueryDto } from './user.dto';
import { GeneratedPassword, UsersService, UserView } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Roles('OPERATOR', 'ADMIN')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Admin: any role. Operator: cashiers of its own canteens. */
  @Post()
  @ApiCreatedResponse({ type: UserViewDto })
  @ApiErrors(
    'PASSWORD_WEAK',
    'CANTEENS_REQUIRED',
    'CANTEENS_NOT_ALLOWED',
    'CANTEENS_MIXED_SUBDISTRICTS',
    'CANTEEN_FORBIDDEN',
    'SUBDISTRICT_NOT_FOUND',
    'USERNAME_TAKEN',
  )
  create(@CurrentUser() user: AuthUser, @Body() body: CreateUserDto, @ClientIp() ip: string | null): Promise<UserView> {
    return this.users.create(user, body, ip);
  }

  /** Admin: every user. Operator: the cashiers of its canteens. */
  @Get()
  @ApiOkResponse({ type: UserPageDto, description: 'the users in reach, by id' })
  async list(@CurrentUser() user: AuthUser, @Query() query: UserListQueryDto): Promise<Page<UserView>> {
    return paginate(
      await this.users.list(user, { districtId: query.districtId, subdistrictId: query.subdistrictId }),
      query,
    );
  }

  /** Deactivate / reactivate, reset the password, change canteens. */
  @Patch(':id')
  @ApiOkResponse({ type: UserViewDto })
  @ApiErrors(
    'INVALID_ID',
    'PASSWORD_WEAK',
    'CANNOT_DEACTIVATE_SELF',
    'CANTEENS_REQUIRED',
    'CANTEENS_NOT_ALLOWED',
    'CANTEENS_MIXED_SUBDISTRICTS',
    'CANTEEN_FORBIDDEN',
    'CASHIER_SHARED',
    'USER_NOT_FOUND',
    'SUBDISTRICT_NOT_FOUND',
  )
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
  @ApiErrors('INVALID_ID', 'USER_NOT_FOUND', 'CASHIER_SHARED')
  resetPassword(
    @CurrentUser() user: AuthUser,
    @Param('id', IdParamPipe) id: number,
    @ClientIp() ip: string | null,
  ): Promise<GeneratedPassword> {
    return this.users.resetPassword(user, id, ip);
  }
}
