import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { badRequest, conflict, notFound } from '../common/app-error';
import { REVIEW_STATUS_LABELS, ReviewStatus } from '../common/enums';
import { compareLocalDates, localDateOf, monthLabel, monthOf, todayLocal } from '../common/local-date';
import { isUniqueViolation } from '../database/pg-errors';
import { holdMonthLockForClaim, releaseClaimMonthLock, takeMonthLockKey } from '../meals/month-lock.queries';
import { ClaimChecksService } from './claim-checks.service';
import {
  AcknowledgedFinding,
  claimEvents,
  ClaimEventView,
  claimForReview,
  insertClaimEvent,
  otherVersionUnderReview,
  ReviewChange,
  ReviewRow,
  setReviewStatus,
} from './claim.queries';
import { ClaimsService, ClaimView } from './claims.service';
import { acknowledge, Acknowledgement } from './review-rules';

export type { ClaimEventView } from './claim.queries';

/**
 * SPEC §5 review and payment of a sub-district's monthly claim: finance submits (DRAFT or RETURNED → SUBMITTED,
 * taking the month lock), the district's reviewer returns it with a reason (lifting the lock) or approves it, then
 * records the payment (APPROVED → PAID). Each step is one transaction: the claim row locked, the step's checks, the
 * new status, a claim_events row and an audit entry — all or nothing.
 */
@Injectable()
export class ClaimReviewService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly claims: ClaimsService,
    private readonly checks: ClaimChecksService,
    private readonly audit: AuditService,
  ) {}

  async submit(user: AuthUser, id: number, acks: Acknowledgement[], ip: string | null): Promise<ClaimView> {
    await this.claims.getForUser(user, id);
    try {
      await this.db.transaction(async (m) => {
        const claim = await this.lockRow(m, id);
        if (claim.canteenId !== null) throw conflict('CLAIM_NOT_SUBDISTRICT');
        this.assertFrom(claim, ['DRAFT', 'RETURNED'], '提交');
        if (claim.status !== 'DONE') throw conflict('CLAIM_NOT_READY', '申报表尚未生成完成，不能提交');
        if (claim.month >= monthOf(todayLocal())) {
          throw conflict('CLAIM_MONTH_NOT_ENDED', `${monthLabel(claim.month)}尚未结束，申报表仅供预览，不能提交`);
        }
        // Exclusive: waits for meals being written into the month, then keeps them out until the lock is in.
        await takeMonthLockKey(m, claim.subdistrictId, claim.month);
        const other = await otherVersionUnderReview(m, claim);
        if (other) {
          throw conflict(
            'CLAIM_VERSION_UNDER_REVIEW',
            `${monthLabel(claim.month)}第${other.version}版申报${REVIEW_STATUS_LABELS[other.reviewStatus]}，同一时间只能有一版`,
          );
        }
        if (claim.dataSha256 === null || claim.dataSha256 !== (await this.claims.currentDataSha256(m, claim))) {
          throw conflict('CLAIM_DATA_CHANGED');
        }
        const findings = await this.checks.forClaim(m, claim);
        const blocking = findings.filter((f) => f.severity === 'BLOCK');
        if (blocking.length > 0) {
          throw conflict('CLAIM_CHECK_BLOCKING', blocking.map((f) => f.message).join('；'), {
            findings: blocking.map((f) => ({ code: f.code, canteenId: f.canteenId ?? null, count: f.count })),
          });
        }
        const acknowledged = this.acknowledged(findings, acks);
        await this.move(m, claim, ['DRAFT', 'RETURNED'], {
          reviewStatus: 'SUBMITTED',
          acknowledgements: acknowledged,
          submittedBy: user.id,
        });
        const lock = await holdMonthLockForClaim(m, {
          subdistrictId: claim.subdistrictId,
          month: claim.month,
          claimId: claim.id,
          userId: user.id,
        });
        await insertClaimEvent(m, {
          claimId: id,
          action: 'SUBMITTED',
          actorUserId: user.id,
          acknowledgements: acknowledged,
        });
        await this.record(m, user, ip, claim, 'CLAIM_SUBMITTED', {
          acknowledgements: acknowledged.map((a) => ({ code: a.code, canteenId: a.canteenId, note: a.note })),
          monthLockId: lock.id,
        });
        if (lock.taken) {
          await this.record(m, user, ip, claim, 'MONTH_LOCKED', { month: claim.month, canteenId: null, claimId: id });
        }
      });
    } catch (e) {
      // Two versions submitted at once: the unique index lets one through.
      if (isUniqueViolation(e, 'claims_one_under_review_key')) throw conflict('CLAIM_VERSION_UNDER_REVIEW');
      throw e;
    }
    return this.claims.view(id);
  }

  /** SUBMITTED → RETURNED with a reason; lifts the month lock the claim holds so operators can correct (audited). */
  async return(user: AuthUser, id: number, reasonRaw: string, ip: string | null): Promise<ClaimView> {
    const reason = reasonRaw.trim();
    await this.claims.getForUser(user, id);
    if (reason === '') throw badRequest('RETURN_REASON_REQUIRED');
    await this.db.transaction(async (m) => {
      const claim = await this.lockRow(m, id);
      this.assertFrom(claim, ['SUBMITTED'], '退回');
      await takeMonthLockKey(m, claim.subdistrictId, claim.month);
      await this.move(m, claim, ['SUBMITTED'], { reviewStatus: 'RETURNED', returnReason: reason });
      const lockId = await releaseClaimMonthLock(m, id, user.id, `申报第${claim.version}版被退回：${reason}`);
      await insertClaimEvent(m, { claimId: id, action: 'RETURNED', actorUserId: user.id, reason });
      await this.record(m, user, ip, claim, 'CLAIM_RETURNED', { reason, monthLockId: lockId ?? null });
      if (lockId !== undefined) {
        await this.record(m, user, ip, claim, 'MONTH_UNLOCKED', {
          month: claim.month,
          canteenId: null,
          reason: `申报退回：${reason}`,
          claimId: id,
        });
      }
    });
    return this.claims.view(id);
  }

  async approve(user: AuthUser, id: number, ip: string | null): Promise<ClaimView> {
    await this.claims.getForUser(user, id);
    await this.db.transaction(async (m) => {
      const claim = await this.lockRow(m, id);
      this.assertFrom(claim, ['SUBMITTED'], '审核通过');
      await this.move(m, claim, ['SUBMITTED'], { reviewStatus: 'APPROVED' });
      await insertClaimEvent(m, { claimId: id, action: 'APPROVED', actorUserId: user.id });
      await this.record(m, user, ip, claim, 'CLAIM_APPROVED', {});
    });
    return this.claims.view(id);
  }

  /** APPROVED → PAID: the payment date (a real date, not in the future, not before the submission) and reference. */
  async pay(user: AuthUser, id: number, paidOn: string, referenceRaw: string, ip: string | null): Promise<ClaimView> {
    const reference = referenceRaw.trim();
    await this.claims.getForUser(user, id);
    if (reference === '') throw badRequest('PAYMENT_REFERENCE_REQUIRED');
    if (compareLocalDates(paidOn, todayLocal()) > 0) {
      throw badRequest('PAYMENT_DATE_IN_FUTURE', `拨付日期 ${paidOn} 晚于今天（${todayLocal()}）`);
    }
    await this.db.transaction(async (m) => {
      const claim = await this.lockRow(m, id);
      this.assertFrom(claim, ['APPROVED'], '登记拨付');
      const submittedOn = localDateOf(claim.submittedAt!);
      if (compareLocalDates(paidOn, submittedOn) < 0) {
        throw badRequest('PAYMENT_DATE_BEFORE_SUBMISSION', `拨付日期 ${paidOn} 早于申报提交的日期 ${submittedOn}`);
      }
      await this.move(m, claim, ['APPROVED'], { reviewStatus: 'PAID', paidOn, paymentReference: reference });
      await insertClaimEvent(m, {
        claimId: id,
        action: 'PAID',
        actorUserId: user.id,
        paidOn,
        paymentReference: reference,
      });
      await this.record(m, user, ip, claim, 'CLAIM_PAID', { paidOn, reference });
    });
    return this.claims.view(id);
  }

  async history(user: AuthUser, id: number): Promise<ClaimEventView[]> {
    await this.claims.getForUser(user, id);
    return claimEvents(this.db, id);
  }

  private async lockRow(m: EntityManager, id: number): Promise<ReviewRow> {
    const claim = await claimForReview(m, id);
    if (!claim) throw notFound('CLAIM_NOT_FOUND');
    return claim;
  }

  private assertFrom(claim: ReviewRow, from: readonly ReviewStatus[], what: string): void {
    if (!from.includes(claim.reviewStatus)) {
      throw conflict(
        'CLAIM_REVIEW_STATUS',
        `该申报${REVIEW_STATUS_LABELS[claim.reviewStatus]}，不能${what}（须为${from.map((s) => REVIEW_STATUS_LABELS[s]).join('或')}）`,
      );
    }
  }

  private async move(
    m: EntityManager,
    claim: ReviewRow,
    from: readonly ReviewStatus[],
    change: ReviewChange,
  ): Promise<void> {
    // The row is locked FOR UPDATE, so this cannot miss; kept conditional so that a mistake never skips a state.
    if (!(await setReviewStatus(m, claim.id, from, change))) throw conflict('CLAIM_REVIEW_STATUS');
  }

  /** Every warning finding matched by a note (BLOCK findings never reach here). */
  private acknowledged(
    findings: Awaited<ReturnType<ClaimChecksService['forClaim']>>,
    acks: Acknowledgement[],
  ): AcknowledgedFinding[] {
    const result = acknowledge(findings, acks);
    if (result.unexpected.length > 0) {
      throw badRequest(
        'CLAIM_ACK_UNEXPECTED',
        `以下说明没有对应的检查提示：${result.unexpected.map((a) => a.code).join('、')}，请刷新后重新填写`,
        { acknowledgements: result.unexpected },
      );
    }
    if (result.missing.length > 0) {
      throw badRequest(
        'CLAIM_ACK_MISSING',
        `以下检查提示还没有填写说明：${result.missing.map((f) => f.message).join('；')}`,
        { findings: result.missing.map((f) => ({ code: f.code, canteenId: f.canteenId ?? null })) },
      );
    }
    return result.acknowledged;
  }

  private async record(
    m: EntityManager,
    user: AuthUser,
    ip: string | null,
    claim: ReviewRow,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(
      {
        actor: user,
        action,
        entityType: action === 'MONTH_LOCKED' || action === 'MONTH_UNLOCKED' ? 'claim_month_lock' : 'claim',
        entityId: claim.id,
        subdistrictId: claim.subdistrictId,
        canteenId: null,
        ip,
        details: { month: claim.month, version: claim.version, ...details },
      },
      m,
    );
  }
}
