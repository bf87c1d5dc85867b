import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CanteensService } from '../canteens/canteens.service';
import { ownSubdistrict } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { badRequest, conflict, forbidden, notFound } from '../common/app-error';
import { isMonthInRange, monthLabel } from '../common/local-date';
import { REVIEW_STATUS_LABELS, ReviewStatus } from '../common/enums';
import { isUniqueViolation } from '../database/pg-errors';
import { findSubdistrict } from '../districts/district.queries';
import {
  claimHoldingLock,
  findCoveringLock,
  insertMonthLock,
  liftMonthLock,
  MonthLockView,
  selectMonthLock,
  selectMonthLocks,
  takeMonthLockKey,
} from './month-lock.queries';

export type { MonthLockView } from './month-lock.queries';

/**
 * SPEC §3: finance locks a month (the whole sub-district or one canteen) once its claim is final; a locked month
 * refuses new, back-dated and voided meals. Unlocking is admin-only, with a reason. Both are audited.
 */
/** What a lock or unlock names: one canteen, or a whole sub-district (default: the caller's own). */
export interface LockTarget {
  canteenId?: number;
  subdistrictId?: number;
}

@Injectable()
export class MonthLocksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly canteens: CanteensService,
  ) {}

  async lock(user: AuthUser, month: string, target: LockTarget, ip: string | null): Promise<MonthLockView> {
    this.assertMonth(month);
    const { canteenId } = target;
    const subdistrictId = await this.scope(user, target);
    try {
      return await this.db.transaction(async (m) => {
        // Exclusive: waits for meals being written into this month, then keeps new ones out until commit.
        await takeMonthLockKey(m, subdistrictId, month);
        const existing = await findCoveringLock(m, subdistrictId, month, canteenId ?? null);
        if (existing) throw this.alreadyLocked(month, existing.canteenId === null);
        const id = await insertMonthLock(m, { subdistrictId, canteenId: canteenId ?? null, month, lockedBy: user.id });
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
        return selectMonthLock(m, id);
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
    target: LockTarget,
    reasonRaw: string,
    ip: string | null,
  ): Promise<MonthLockView> {
    this.assertMonth(month);
    const reason = reasonRaw.trim();
    if (reason === '') throw badRequest('UNLOCK_REASON_REQUIRED', '解锁必须填写原因');
    const { canteenId } = target;
    const subdistrictId = await this.scope(user, target);
    return this.db.transaction(async (m) => {
      await takeMonthLockKey(m, subdistrictId, month);
      // SPEC §5: the lock a submitted (approved, paid) claim holds is lifted only by the reviewer returning it.
      const holder = await claimHoldingLock(m, { subdistrictId, month, canteenId: canteenId ?? null });
      if (holder) {
        throw conflict(
          'MONTH_LOCK_HELD_BY_CLAIM',
          `${monthLabel(month)}的锁定属于第${holder.version}版申报（${REVIEW_STATUS_LABELS[holder.reviewStatus as ReviewStatus]}），` +
            '不能由管理员解锁；须由区民政审核退回该申报',
        );
      }
      const lockId = await liftMonthLock(m, { subdistrictId, month, canteenId: canteenId ?? null }, user.id, reason);
      if (lockId === undefined) {
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
          entityId: lockId,
          subdistrictId,
          canteenId: canteenId ?? null,
          ip,
          details: { month, canteenId: canteenId ?? null, reason },
        },
        m,
      );
      return selectMonthLock(m, lockId);
    });
  }

  /**
   * Every lock of the month within the caller's reach (admins: all), the lifted ones too; by district and
   * sub-district when asked (a filter never widens the reach).
   */
  async list(
    user: AuthUser,
    month: string,
    filter: { districtId?: number; subdistrictId?: number } = {},
  ): Promise<MonthLockView[]> {
    this.assertMonth(month);
    return selectMonthLocks(this.db, user, month, filter);
  }

  private assertMonth(month: string): void {
    if (!isMonthInRange(month)) throw badRequest('INVALID_MONTH');
  }

  /**
   * The sub-district the lock is for: the canteen's (which the caller must reach); else the one named — any for an
   * admin, only its own for anyone else; else the caller's own.
   */
  private async scope(user: AuthUser, { canteenId, subdistrictId }: LockTarget): Promise<number> {
    if (canteenId !== undefined) {
      const canteen = await this.canteens.getReachable(user, canteenId);
      if (subdistrictId !== undefined && subdistrictId !== canteen.subdistrictId) {
        throw badRequest('VALIDATION_FAILED', '该食堂不属于所指定的街道');
      }
      return canteen.subdistrictId;
    }
    if (subdistrictId === undefined) return ownSubdistrict(user);
    if (user.role !== 'ADMIN') {
      if (subdistrictId !== ownSubdistrict(user))
        throw forbidden('只能锁定或解锁本街道的月份', 'SUBDISTRICT_FORBIDDEN');
      return subdistrictId;
    }
    if (!(await findSubdistrict(this.db, subdistrictId))) throw notFound('SUBDISTRICT_NOT_FOUND');
    return subdistrictId;
  }

  private alreadyLocked(month: string, wholeSubdistrict: boolean) {
    return conflict(
      'MONTH_ALREADY_LOCKED',
      `${monthLabel(month)}${wholeSubdistrict ? '已整体锁定（全街道）' : '该食堂已锁定'}，无需重复锁定`,
    );
  }
}
