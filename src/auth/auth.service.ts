import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { Role } from '../common/enums';
import { AppConfig } from '../config/app-config';
import { prepared } from '../database/prepared';
import { AuthUser } from './auth-user';
import { KNOWN_ADDRESS_DAYS, loginBuckets, UNKNOWN_ADDRESS } from './login-limits';
import { LoginThrottle } from './login-throttle';
import { DUMMY_HASH, verifyPassword } from './passwords';

const tokenHash = (token: string): Buffer => createHash('sha256').update(token).digest();

// A reviewer's own district, or the district of the user's sub-district.
const DISTRICT_OF_USER = `COALESCE(u.district_id,
  (SELECT sd.district_id FROM subdistricts sd WHERE sd.id = u.subdistrict_id)) AS district_id`;

interface UserRow {
  id: number;
  username: string;
  role: Role;
  subdistrict_id: number | null;
  district_id: number;
  canteen_ids: number[];
}

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
    // One statement whether or not the user exists, known address included: timing tells nothing about usernames.
    const rows: (UserRow & { password_hash: string; active: boolean; known_address: boolean })[] = await this.db.query(
      `SELECT u.id, u.username, u.role, u.subdistrict_id, ${DISTRICT_OF_USER}, u.password_hash, u.active,
              COALESCE(array_agg(uc.canteen_id ORDER BY uc.canteen_id) FILTER (WHERE uc.canteen_id IS NOT NULL), '{}') AS canteen_ids,
              EXISTS (SELECT 1 FROM login_known_addresses k
                       WHERE k.user_id = u.id AND k.ip = $2
                         AND k.last_login_at > now() - make_interval(days => $3)) AS known_address
         FROM users u LEFT JOIN user_canteens uc ON uc.user_id = u.id
        WHERE u.username = $1 GROUP BY u.id`,
      [username, ip ?? UNKNOWN_ADDRESS, KNOWN_ADDRESS_DAYS],
    );
    const row = rows[0];
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
      `SELECT u.id, u.username, u.role, u.subdistrict_id, ${DISTRICT_OF_USER},
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
      districtId: row.district_id,
      canteenIds: row.canteen_ids.map(Number),
    };
  }
}
