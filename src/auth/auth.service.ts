import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppError, badRequest } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { AuthUser } from './auth-user';
import {
  findLoginUser,
  findPasswordHash,
  findSessionUser,
  insertSession,
  revokeSession,
  setOwnPassword,
  slideSession,
  UserRow,
} from './auth.queries';
import { passwordProblem } from './password-policy';
import { KNOWN_ADDRESS_DAYS, loginBuckets, UNKNOWN_ADDRESS } from './login-limits';
import { LoginThrottle } from './login-throttle';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords';

const tokenHash = (token: string): Buffer => createHash('sha256').update(token).digest();

// A session is slid forward at most once a minute: a till's every request reads, only a few write.
const SLIDE_STEP_MS = 60_000;

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async login(
    usernameRaw: string,
    password: string,
    ip: string | null,
  ): Promise<{ accessToken: string; user: AuthUser }> {
    const username = usernameRaw.trim().toLowerCase();
    const row = await findLoginUser(this.db, username, ip ?? UNKNOWN_ADDRESS, KNOWN_ADDRESS_DAYS);
    const buckets = loginBuckets({ username, userId: row?.id ?? null, ip, knownAddress: row?.known_address ?? false });
    // Reserve, then check: the slot is taken before the slow password check, so no burst checks more than the limit.
    const full = await this.throttle.reserve(buckets);
    await this.throttle.sweep();
    if (full) {
      await this.audit.record({
        actor: null,
        action: 'LOGIN_THROTTLED',
        entityType: 'user',
        ip,
        details: { username, limit: full.key.split(':')[0] },
      });
      throw new AppError(HttpStatus.TOO_MANY_REQUESTS, 'LOGIN_THROTTLED', '登录失败次数过多，请 15 分钟后再试');
    }
    const ok = await verifyPassword(row?.password_hash ?? DUMMY_HASH, password);
    if (!row || !ok || !row.active) {
      // The reserved slots stay taken: they are this failure.
      await this.audit.record({
        actor: row ? { id: row.id, username: row.username } : null,
        action: 'LOGIN_FAILED',
        entityType: 'user',
        entityId: row?.id,
        ip,
        details: { username, reason: !row ? 'unknown user' : !ok ? 'wrong password' : 'inactive' },
      });
      throw new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_CREDENTIALS', '用户名或密码错误');
    }
    await this.throttle.succeeded(buckets, row.id, ip);
    const token = randomBytes(32).toString('base64url');
    await insertSession(this.db, {
      tokenHash: tokenHash(token),
      userId: row.id,
      ip,
      idleMinutes: this.config.SESSION_IDLE_MINUTES,
      maxHours: this.config.SESSION_MAX_HOURS,
    });
    const user = this.toAuthUser(row);
    await this.audit.record({
      actor: user,
      action: 'LOGIN',
      entityType: 'user',
      entityId: user.id,
      subdistrictId: user.subdistrictId,
      ip,
    });
    return { accessToken: token, user };
  }

  async logout(token: string): Promise<void> {
    await revokeSession(this.db, tokenHash(token));
  }

  /**
   * The user behind a bearer token, read fresh on every request: a deactivated user is out at once. Use slides the
   * session's idle end forward (never past its absolute end), written at most once a minute per session.
   */
  async resolve(token: string): Promise<AuthUser | null> {
    const hash = tokenHash(token);
    const row = await findSessionUser(this.db, hash);
    if (!row) return null;
    const now = Date.now();
    const target = Math.min(now + this.config.SESSION_IDLE_MINUTES * 60_000, row.absolute_expires_at.getTime());
    if (target - row.expires_at.getTime() > SLIDE_STEP_MS) {
      await slideSession(this.db, hash, this.config.SESSION_IDLE_MINUTES);
    }
    return this.toAuthUser(row);
  }

  /** Changes the caller's own password after checking the current one; the caller's other sessions end. */
  async changeOwnPassword(
    user: AuthUser,
    token: string,
    currentPassword: string,
    newPassword: string,
    ip: string | null,
  ): Promise<void> {
    const hash = await findPasswordHash(this.db, user.id);
    if (hash === undefined || !(await verifyPassword(hash, currentPassword))) {
      throw badRequest('CURRENT_PASSWORD_WRONG', '当前密码不正确');
    }
    const problem = passwordProblem(newPassword, user.username);
    if (problem) throw badRequest('PASSWORD_WEAK', problem.message, { rule: problem.rule });
    await setOwnPassword(this.db, user.id, await hashPassword(newPassword), tokenHash(token));
    await this.audit.record({
      actor: user,
      action: 'PASSWORD_CHANGED',
      entityType: 'user',
      entityId: user.id,
      subdistrictId: user.subdistrictId,
      ip,
    });
  }

  private toAuthUser(row: UserRow): AuthUser {
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name ?? row.username,
      role: row.role,
      subdistrictId: row.subdistrict_id,
      districtId: row.district_id,
      canteenIds: row.canteen_ids.map(Number),
    };
  }
}
