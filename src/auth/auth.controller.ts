import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { LoginAnswerDto } from '../users/user-view.dto';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { Request } from 'express';
import { AuthUser } from './auth-user';
import { ClientIp, Public } from './auth.decorators';
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

  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the session is ended (also when it had already ended)' })
  async logout(@Req() req: Request): Promise<void> {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token) await this.auth.logout(token);
  }
}
