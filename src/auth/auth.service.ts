import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { Role } from '../common/enums';
import { REDIS } from '../common/redis.provider';
import { AppConfig } from '../config/app-config';
import { prepared } from '../database/prepared';
import { AuthUser } from './auth-user';
import { DUMMY_HASH, verifyPassword } from './passwords';

// Per user: 5 tries. Per address: more, since a canteen's shared PC or NAT puts many cashiers behind one address.
const MAX_FAILURES_PER_USER = 5;
const MAX_FAILURES_PER_ADDRESS = 20;
const FAILURE_WINDOW_SECONDS = 15 * 60;

const tokenHash = (token: string): Buffer => createHash('sha256').update(token).digest();

interface UserRow {
  id: number;
  username: string;
  role: Role;
  subdistrict_id: number;
  canteen_ids: number[];
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async login(
    usernameRaw: string,
    password: string,
    ip: string | null,
  ): Promise<{ accessToken: string; user: AuthUser }> {
    const username = usernameRaw.trim().toLowerCase();
    const keys = [this.throttleKey('user', username), this.throttleKey('ip', ip ?? 'unknown')];
    const counts = await this.redis.mget(...keys);
    if (Number(counts[0] ?? 0) >= MAX_FAILURES_PER_USER || Number(counts[1] ?? 0) >= MAX_FAILURES_PER_ADDRESS) {
      await this.audit.record({
        actor: null,
        action: 'LOGIN_THROTTLED',
        entityType: 'user',
        ip,
        details: { username },
      });
      throw new AppError(HttpStatus.TOO_MANY_REQUESTS, 'LOGIN_THROTTLED', '登录失败次数过多，请 15 分钟后再试');
    }
    const rows: (UserRow & { password_hash: string; active: boolean })[] = await this.db.query(
      `SELECT u.id, u.username, u.role, u.subdistrict_id, u.password_hash, u.active,
              COALESCE(array_agg(uc.canteen_id ORDER BY uc.canteen_id) FILTER (WHERE uc.canteen_id IS NOT NULL), '{}') AS canteen_ids
         FROM users u LEFT JOIN user_canteens uc ON uc.user_id = u.id
        WHERE u.username = $1 GROUP BY u.id`,
      [username],
    );
    const row = rows[0];
    const ok = await verifyPassword(row?.password_hash ?? DUMMY_HASH, password);
    if (!row || !ok || !row.active) {
      const multi = this.redis.multi();
      for (const key of keys) multi.incr(key).expire(key, FAILURE_WINDOW_SECONDS);
      await multi.exec();
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
    await this.redis.del(keys[0]);
    const token = randomBytes(32).toString('base64url');
    const expires = new Date(Date.now() + this.config.SESSION_TTL_HOURS * 3600_000);
    await this.db.query(`INSERT INTO sessions (token_hash, user_id, expires_at, ip) VALUES ($1, $2, $3, $4)`, [
      tokenHash(token),
      row.id,
      expires,
      ip,
    ]);
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
    await this.db.query(`UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, [
      tokenHash(token),
    ]);
  }

  /** The user behind a bearer token, read fresh on every request: a deactivated user is out at once. */
  async resolve(token: string): Promise<AuthUser | null> {
    const rows: UserRow[] = await prepared(
      this.db,
      'auth_resolve',
      `SELECT u.id, u.username, u.role, u.subdistrict_id,
              ARRAY(SELECT uc.canteen_id FROM user_canteens uc WHERE uc.user_id = u.id ORDER BY uc.canteen_id) AS canteen_ids
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active`,
      [tokenHash(token)],
    );
    return rows[0] ? this.toAuthUser(rows[0]) : null;
  }

  private toAuthUser(row: UserRow): AuthUser {
    return {
      id: row.id,
      username: row.username,
      role: row.role,
      subdistrictId: row.subdistrict_id,
      canteenIds: row.canteen_ids.map(Number),
    };
  }

  private throttleKey(kind: 'user' | 'ip', value: string): string {
    return `${this.config.BULLMQ_PREFIX}:login-failures:${kind}:${value}`;
  }
}
