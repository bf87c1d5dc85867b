import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { Request } from 'express';
import { ROLES, Role } from '../common/enums';
import { AuthUser } from './auth-user';
import { ClientIp, CurrentUser, Public } from './auth.decorators';
import { AuthService } from './auth.service';

export class LoginDto {
  @IsString({ message: '请输入用户名' })
  @MinLength(1, { message: '请输入用户名' })
  @MaxLength(64, { message: '用户名过长' })
  username!: string;

  @IsString({ message: '请输入密码' })
  @MinLength(1, { message: '请输入密码' })
  @MaxLength(256, { message: '密码过长' })
  password!: string;
}

export class ChangePasswordDto {
  @IsString({ message: '请输入当前密码' })
  @MinLength(1, { message: '请输入当前密码' })
  @MaxLength(256, { message: '密码过长' })
  currentPassword!: string;

  @IsString({ message: '请输入新密码' })
  @MinLength(1, { message: '请输入新密码' })
  @MaxLength(256, { message: '密码过长' })
  newPassword!: string;
}

/** The signed-in person, as the pages need them. */
export class SessionUserDto {
  @ApiProperty() id!: number;
  @ApiProperty() username!: string;
  @ApiProperty({ description: 'the name shown on pages (the username when none is set)' }) displayName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() subdistrictId!: number;
  @ApiProperty({ type: [Number] }) canteenIds!: number[];
}

export class LoginResponseDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ type: SessionUserDto }) user!: SessionUserDto;
}

const bearer = (req: Request): string | undefined => /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'INVALID_CREDENTIALS' })
  @ApiTooManyRequestsResponse({ description: 'LOGIN_THROTTLED' })
  login(@Body() body: LoginDto, @ClientIp() ip: string | null): Promise<{ accessToken: string; user: AuthUser }> {
    return this.auth.login(body.username, body.password, ip);
  }

  /** Who the token belongs to (the pages check it on start). Each use slides the session's idle end. */
  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ type: SessionUserDto })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED, SESSION_INVALID' })
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }

  /** Changes the caller's own password; the caller's other sessions end, this one stays. */
  @ApiBearerAuth()
  @Post('password')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'CURRENT_PASSWORD_WRONG, PASSWORD_WEAK, VALIDATION_FAILED' })
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
  async logout(@Req() req: Request): Promise<void> {
    const token = bearer(req);
    if (token) await this.auth.logout(token);
  }
}
