import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { Request } from 'express';
import { AuthUserDto, LoginAnswerDto } from '../users/user-view.dto';
import { AuthUser } from './auth-user';
import { ClientIp, CurrentUser, Public } from './auth.decorators';
import { AuthService } from './auth.service';

export class LoginDto {
  @ApiProperty({ example: 'cashier01', maxLength: 64 })
  @IsString({ message: '请输入用户名' })
  @MinLength(1, { message: '请输入用户名' })
  @MaxLength(64, { message: '用户名过长' })
  username!: string;

  @IsString({ message: '请输入密码' })
  @MinLength(1, { message: '请输入密码' })
  @MaxLength(256, { message: '密码过长' })
  @ApiProperty({ maxLength: 256 })
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ maxLength: 256 })
  @IsString({ message: '请输入当前密码' })
  @MinLength(1, { message: '请输入当前密码' })
  @MaxLength(256, { message: '密码过长' })
  currentPassword!: string;

  @ApiProperty({ maxLength: 256, description: 'the password rules of docs/API.md' })
  @IsString({ message: '请输入新密码' })
  @MinLength(1, { message: '请输入新密码' })
  @MaxLength(256, { message: '密码过长' })
  newPassword!: string;
}

const bearer = (req: Request): string | undefined => /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginAnswerDto, description: 'a session token, valid until logout or expiry' })
  @ApiErrors('INVALID_CREDENTIALS', 'LOGIN_THROTTLED')
  login(@Body() body: LoginDto, @ClientIp() ip: string | null): Promise<{ accessToken: string; user: AuthUser }> {
    return this.auth.login(body.username, body.password, ip);
  }

  /** Who the token belongs to (the pages check it on start). Each use slides the session's idle end. */
  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ type: AuthUserDto })
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }

  /** Changes the caller's own password; the caller's other sessions end, this one stays. */
  @ApiBearerAuth()
  @Post('password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'changed; the other sessions of the caller have ended' })
  @ApiErrors('CURRENT_PASSWORD_WRONG', 'PASSWORD_WEAK')
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Body() body: ChangePasswordDto,
    @ClientIp() ip: string | null,
  ): Promise<void> {
    await this.auth.changeOwnPassword(user, bearer(req) ?? '', body.currentPassword, body.newPassword, ip);
  }

  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the session is ended (also when it had already ended)' })
  async logout(@Req() req: Request): Promise<void> {
    const token = bearer(req);
    if (token) await this.auth.logout(token);
  }
}
