import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CanteensService } from '../canteens/canteens.service';
import { ownSubdistrict, positional, reachSql } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { badRequest, conflict, notFound } from '../common/app-error';
import { isMonthInRange, monthLabel } from '../common/local-date';
import { isUniqueViolation } from '../database/pg-errors';
import { monthLockKey } from './month-lock-key';

export interface MonthLockView {
  id: number;
  month: string;
  subdistrictId: number;
  canteenId: number | null;
  canteenName: string | null;
  lockedAt: string;
  lockedBy: string;
  active: boolean;
  unlockedAt: string | null;
  unlockedBy: string | null;
  unlockReason: string | null;
}

interface LockRow {
  id: number;
  month: string;
  subdistrict_id: number;
  canteen_id: number | null;
  canteen_name: string | null;
  locked_at: Date;
  locked_by: string;
  unlocked_at: Date | null;
  unlocked_by: string | null;
  unlock_reason: string | null;
}

const SELECT_LOCKS = `SELECT l.id, l.month, l.subdistrict_id, l.canteen_id, c.name AS canteen_name, l.locked_at,
    lu.username AS locked_by, l.unlocked_at, uu.username AS unlocked_by, l.unlock_reason
  FROM month_locks l LEFT JOIN canteens c ON c.id = l.canteen_id
  JOIN users lu ON lu.id = l.locked_by LEFT JOIN users uu ON uu.id = l.unlocked_by`;

const toView = (r: LockRow): MonthLockView => ({
  id: r.id,
  month: r.month,
  subdistrictId: r.subdistrict_id,
  canteenId: r.canteen_id,
  canteenName: r.canteen_name,
  lockedAt: r.locked_at.toISOString(),
  lockedBy: r.locked_by,
  active: r.unlocked_at === null,
  unlockedAt: r.unlocked_at?.toISOString() ?? null,
  unlockedBy: r.unlocked_by,
  unlockReason: r.unlock_reason,
});

/**
 * SPEC §3: finance locks a month (the whole sub-district or one canteen) once its claim is final; a locked month
 * refuses new, back-dated and voided meals. Unlocking is admin-only, with a reason. Both are audited.
 */
@Injectable()
export class MonthLocksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly canteens: CanteensService,
  ) {}

  async lock(user: AuthUser, month: string, canteenId: number | undefined, ip: string | null): Promise<MonthLockView> {
    this.assertMonth(month);
    const subdistrictId = await this.scope(user, canteenId);
    try {
      return await this.db.transaction(async (m) => {
        // Exclusive: waits for meals being written into this month, then keeps new ones out until commit.
        await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))::text`, [monthLockKey(subdistrictId, month)]);
        const [existing]: { canteen_id: number | null }[] = await m.query(
          `SELECT canteen_id FROM month_locks WHERE subdistrict_id = $1 AND month = $2 AND unlocked_at IS NULL
              AND (canteen_id IS NULL OR canteen_id = $3) LIMIT 1`,
          [subdistrictId, month, canteenId ?? null],
        );
        if (existing) throw this.alreadyLocked(month, existing.canteen_id === null);
        const [{ id }]: { id: number }[] = await m.query(
          `INSERT INTO month_locks (subdistrict_id, canteen_id, month, locked_by) VALUES ($1, $2, $3, $4) RETURNING id`,
          [subdistrictId, canteenId ?? null, month, user.id],
        );
        await this.audit.record(
          {
            actor: user,
            action: 'MONTH_LOCKED',
            entityType: 'month_lock',
            entityId: id,
            subdistrictId,
            canteenId: canteenId ?? null,
            ip,
            details: { month, canteenId: canteenId ?? null },
          },
          m,
        );
        const [row]: LockRow[] = await m.query(`${SELECT_LOCKS} WHERE l.id = $1`, [id]);
        return toView(row);
      });
    } catch (e) {
      if (isUniqueViolation(e, 'month_locks_active_key')) {
        throw this.alreadyLocked(month, canteenId === undefined);
      }
      throw e;
    }
  }

  async unlock(
    user: AuthUser,
    month: string,
    canteenId: number | undefined,
    reasonRaw: string,
    ip: string | null,
  ): Promise<MonthLockView> {
    this.assertMonth(month);
    const reason = reasonRaw.trim();
    if (reason === '') throw badRequest('UNLOCK_REASON_REQUIRED', '解锁必须填写原因');
    const subdistrictId = await this.scope(user, canteenId);
    return this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))::text`, [monthLockKey(subdistrictId, month)]);
      const [lock]: { id: number }[] = await m.query(
        // Wrapped in a CTE so the driver answers rows (a bare UPDATE answers [rows, count]).
        `WITH u AS (
           UPDATE month_locks SET unlocked_at = now(), unlocked_by = $4, unlock_reason = $5
            WHERE subdistrict_id = $1 AND month = $2 AND canteen_id IS NOT DISTINCT FROM $3 AND unlocked_at IS NULL
            RETURNING id)
         SELECT id FROM u`,
        [subdistrictId, month, canteenId ?? null, user.id, reason],
      );
      if (!lock) {
        throw notFound(
          'MONTH_NOT_LOCKED',
          `${monthLabel(month)}${canteenId === undefined ? '（全街道）' : '（该食堂）'}没有锁定，无需解锁`,
        );
      }
      await this.audit.record(
        {
          actor: user,
          action: 'MONTH_UNLOCKED',
          entityType: 'month_lock',
          entityId: lock.id,
          subdistrictId,
          canteenId: canteenId ?? null,
          ip,
          details: { month, canteenId: canteenId ?? null, reason },
        },
        m,
      );
      const [row]: LockRow[] = await m.query(`${SELECT_LOCKS} WHERE l.id = $1`, [lock.id]);
      return toView(row);
    });
  }

  /** Every lock of the month in the caller's sub-district (admins: all), the lifted ones too. */
  async list(user: AuthUser, month: string): Promise<MonthLockView[]> {
    this.assertMonth(month);
    const params: unknown[] = [month];
    const reach = reachSql(user, { subdistrict: 'l.subdistrict_id' }, positional(params));
    const rows: LockRow[] = await this.db.query(
      `${SELECT_LOCKS} WHERE l.month = $1 AND ${reach} ORDER BY l.id`,
      params,
    );
    return rows.map(toView);
  }

  private assertMonth(month: string): void {
    if (!isMonthInRange(month)) throw badRequest('INVALID_MONTH');
  }

  /** The sub-district the lock is for: the canteen's (which the caller must reach), else the caller's own. */
  private async scope(user: AuthUser, canteenId: number | undefined): Promise<number> {
    if (canteenId === undefined) return ownSubdistrict(user);
    return (await this.canteens.getReachable(user, canteenId)).subdistrictId;
  }

  private alreadyLocked(month: string, wholeSubdistrict: boolean) {
    return conflict(
      'MONTH_ALREADY_LOCKED',
      `${monthLabel(month)}${wholeSubdistrict ? '已整体锁定（全街道）' : '该食堂已锁定'}，无需重复锁定`,
    );
  }
}
