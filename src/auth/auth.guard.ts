import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, forbidden } from '../common/app-error';
import { Role } from '../common/enums';
import { AuthedRequest, IS_PUBLIC, ROLES_KEY } from './auth.decorators';
import { AuthService } from './auth.service';

/** Global guard: every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new AppError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', '请先登录');
    const user = await this.auth.resolve(token);
    if (!user) throw new AppError(HttpStatus.UNAUTHORIZED, 'SESSION_INVALID', '登录已失效，请重新登录');
    req.user = user;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(user.role)) throw forbidden('您的角色无权执行此操作', 'ROLE_FORBIDDEN');
    return true;
  }
}
