import { InjectQueue } from '@nestjs/bullmq';
import { Page, pageOf } from '../common/paging';
import type { ListClaimsQuery } from './claims.controller';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JobsOptions, Queue } from 'bullmq';
import { createReadStream, ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { ownSubdistrict } from '../auth/access';
import { CanteensService } from '../canteens/canteens.service';
import { AuditService } from '../audit/audit.service';
import { AppError, badRequest, conflict, notFound } from '../common/app-error';
import { ReviewStatus } from '../common/enums';
import { isMonthInRange, localDateTimeOf, monthBounds, monthLabel, monthOf, todayLocal } from '../common/local-date';
import { ClaimPrintData, ClaimWorkbookBuilder } from './claim-workbook.builder';
import { claimDataSha256 } from './workbook-format';
import { AppConfig } from '../config/app-config';
import { CLAIMS_QUEUE, ClaimJobData, claimJobId, claimJobOptions, JOB_BUILD_CLAIM } from '../queue/queue.constants';
import {
  activeClaimIds,
  claimById,
  claimFingerprint,
  claimForBuild,
  claimIdBySha256,
  claimInReach,
  ClaimRequest,
  ClaimView,
  findActiveClaimId,
  hasClosedMonthClaim,
  insertClaimVersion,
  latestClaim,
  listClaims,
  subdistrictName,
} from './claim.queries';
import { isUniqueViolation } from '../database/pg-errors';

export type { ClaimRequest, ClaimView } from './claim.queries';

/** POST /api/claims/verify: the claim and version a file is. */
export interface ClaimFileMatch {
  claimId: number;
  month: string;
  version: number;
  subdistrictId: number;
  canteenId: number | null;
  canteenName: string | null;
  sha256: string;
  finishedAt: Date | null;
  /** SPEC §5/§6: where the claim stands in review and payment. */
  reviewStatus: ReviewStatus;
}

/** GET /api/claims/{id}/print: the claim's sheets as data (issue 18). Money in fen. */
export interface ClaimPrint extends ClaimPrintData {
  claimId: number;
  canteenId: number | null;
  /** 全部食堂, or the claim's canteen. */
  scopeName: string;
  /** When the claim's workbook was built (Asia/Shanghai, YYYY-MM-DD HH:MM:SS). */
  generatedAt: string;
}

/** Claims in PostgreSQL (the source of truth) and their BullMQ jobs. Used by the API and the worker. */
@Injectable()
export class ClaimsService {
  private readonly logger = new Logger(ClaimsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(CLAIMS_QUEUE) private readonly queue: Queue<ClaimJobData>,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly canteens: CanteensService,
    private readonly builder: ClaimWorkbookBuilder,
  ) {}

  /** POST /api/claims: checks the caller's reach, then creates or returns the running claim. */
  async requestForUser(user: AuthUser, month: string, canteenId: number | undefined): Promise<ClaimView> {
    if (!isMonthInRange(month)) throw badRequest('INVALID_MONTH');
    if (month > monthOf(todayLocal())) throw badRequest('MONTH_IN_FUTURE', '不能申报尚未开始的月份');
    const subdistrictId =
      canteenId === undefined
        ? ownSubdistrict(user)
        : (await this.canteens.getReachable(user, canteenId)).subdistrictId;
    return this.request({ subdistrictId, canteenId: canteenId ?? null, month, requestedBy: user.id });
  }

  /**
   * SPEC §5: the same request while one is queued or running returns that one; otherwise version n+1.
   * Two requests at once both try to insert; the partial unique index lets one win and the other returns it.
   */
  async request(req: ClaimRequest): Promise<ClaimView> {
    const unchanged = await this.unchangedClaim(req);
    if (unchanged !== null) return this.view(unchanged);
    let claimId: number | null = null;
    for (let tries = 0; claimId === null && tries < 3; tries++) {
      try {
        claimId = await this.dataSource.transaction(async (m) => {
          return (await findActiveClaimId(m, req)) ?? (await insertClaimVersion(m, req));
        });
      } catch (e) {
        // A concurrent request inserted first: loop and return its claim.
        if (!isUniqueViolation(e)) throw e;
      }
    }
    if (claimId === null) throw conflict('CLAIM_BUSY', '申报请求过于频繁，请稍后重试');
    await this.enqueue(claimId);
    return this.view(claimId);
  }

  /**
   * The latest version of the scope's claim when asking again would build the same workbook: it is DONE, its file
   * is there, and the data's SHA-256 is still the one it was built from.
   */
  private async unchangedClaim(req: ClaimRequest): Promise<number | null> {
    const latest = await latestClaim(this.dataSource, req);
    if (latest?.status !== 'DONE' || latest.dataSha256 === null || latest.filePath === null) return null;
    if (!(await stat(this.absolutePath(latest.filePath)).catch(() => null))) return null;
    return (await this.currentDataSha256(this.dataSource, req)) === latest.dataSha256 ? latest.id : null;
  }

  /** The SHA-256 a workbook of the scope would be built from now (compared with a claim's `dataSha256`). */
  async currentDataSha256(
    db: DataSource | EntityManager,
    scope: Pick<ClaimRequest, 'subdistrictId' | 'canteenId' | 'month'>,
  ): Promise<string> {
    const { firstDay, lastDay } = monthBounds(scope.month);
    const fingerprint = await claimFingerprint(
      db,
      [scope.subdistrictId, scope.canteenId, firstDay, lastDay],
      scope.month,
    );
    return claimDataSha256(scope, { ...fingerprint }, scope.month < monthOf(todayLocal()));
  }

  /** Adds the build job; the job id derives from the claim, so adding it twice is harmless. */
  async enqueue(claimId: number): Promise<void> {
    try {
      await this.queue.add(JOB_BUILD_CLAIM, { claimId }, this.jobOptions(claimId));
    } catch (e) {
      // The claim stays QUEUED in PostgreSQL: a retry of the request or a worker's next sweep re-queues it.
      this.logger.error(`claim ${claimId}: could not queue the job: ${e instanceof Error ? e.message : String(e)}`);
      throw new AppError(HttpStatus.SERVICE_UNAVAILABLE, 'QUEUE_UNAVAILABLE', '任务队列暂时不可用，请稍后重试');
    }
  }

  private jobOptions(claimId: number): JobsOptions {
    return claimJobOptions(claimId, this.config.CLAIM_JOB_BACKOFF_MS);
  }

  /** Re-queues QUEUED/RUNNING claims whose job Redis no longer holds (flushed, or restarted empty). */
  async requeueOrphans(): Promise<number[]> {
    const requeued: number[] = [];
    for (const id of await activeClaimIds(this.dataSource)) {
      const job = await this.queue.getJob(claimJobId(id));
      if (job) {
        const state = await job.getState();
        // A finished job next to an unfinished claim is stale: replace it.
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
        await job.remove();
      }
      await this.queue.add(JOB_BUILD_CLAIM, { claimId: id }, this.jobOptions(id));
      requeued.push(id);
    }
    return requeued;
  }

  /** Within reach, by month, review status, district and sub-district when asked (a filter never widens the reach). */
  async list(user: AuthUser, query: ListClaimsQuery): Promise<Page<ClaimView>> {
    if (query.month !== undefined && !isMonthInRange(query.month)) throw badRequest('INVALID_MONTH');
    // One statement for the page and its total (a statement per claim made a 500-claim list 501 round trips).
    const { page, pageSize, offset } = pageOf(query);
    const { items, total } = await listClaims(this.dataSource, user, query, { offset, limit: pageSize });
    return { items, total, page, pageSize };
  }

  async getForUser(user: AuthUser, id: number): Promise<ClaimView> {
    // Existence is private: a claim out of reach is "not found".
    if (!(await claimInReach(this.dataSource, user, id))) throw notFound('CLAIM_NOT_FOUND', '申报记录不存在');
    return this.view(id);
  }

  /**
   * SPEC §5: the claim a file belongs to, by the SHA-256 of its bytes recorded when it was built; any altered byte
   * (or a claim out of the caller's reach) answers 404 CLAIM_FILE_UNKNOWN.
   */
  async verifyFile(user: AuthUser, upload: { sha256: string; size: number } | undefined): Promise<ClaimFileMatch> {
    if (!upload || upload.size === 0) throw badRequest('CLAIM_FILE_REQUIRED');
    const id = await claimIdBySha256(this.dataSource, user, upload.sha256);
    if (id === null) throw notFound('CLAIM_FILE_UNKNOWN');
    const claim = await this.view(id);
    return {
      claimId: claim.id,
      month: claim.month,
      version: claim.version,
      subdistrictId: claim.subdistrictId,
      canteenId: claim.canteenId,
      canteenName: claim.canteenName,
      sha256: upload.sha256,
      finishedAt: claim.finishedAt,
      reviewStatus: claim.reviewStatus,
    };
  }

  /**
   * Issue 18: the claim's sheets as data for the print view, from the same queries as the workbook. Only for a
   * DONE claim whose data has not changed since it was built (same data SHA-256), so the print shows the
   * workbook's figures; at most CLAIM_PRINT_MAX_ROWS rows (20,000; a sub-district month has ~6,000 meals) (a bigger claim is printed from the workbook).
   */
  async printForUser(user: AuthUser, id: number): Promise<ClaimPrint> {
    const claim = await this.getForUser(user, id);
    if (claim.status !== 'DONE') throw conflict('CLAIM_NOT_READY', '申报表尚未生成完成，请稍后再打印');
    const data = await this.builder.printData(
      { subdistrictId: claim.subdistrictId, canteenId: claim.canteenId, month: claim.month, version: claim.version },
      this.config.CLAIM_PRINT_MAX_ROWS,
      claim.dataSha256,
    );
    if ('refused' in data && data.refused === 'CHANGED') throw conflict('CLAIM_DATA_CHANGED');
    if ('refused' in data) {
      throw conflict(
        'CLAIM_PRINT_TOO_LARGE',
        `该申报约 ${data.rows} 行，超过浏览器打印上限（${this.config.CLAIM_PRINT_MAX_ROWS} 行），请下载申报表（Excel）打印`,
      );
    }
    return {
      claimId: claim.id,
      canteenId: claim.canteenId,
      scopeName: claim.canteenName ?? '全部食堂',
      generatedAt: localDateTimeOf(claim.finishedAt ?? claim.requestedAt),
      ...data,
    };
  }

  /** The finished workbook of a claim, audited as CLAIM_DOWNLOADED. */
  async openFile(
    user: AuthUser,
    id: number,
    ip: string | null,
  ): Promise<{ claim: ClaimView; stream: ReadStream; size: number; filename: string }> {
    const claim = await this.getForUser(user, id);
    if (claim.status !== 'DONE') throw conflict('CLAIM_NOT_READY', '申报表尚未生成完成，请稍后再下载');
    const claimRow = await claimForBuild(this.dataSource, id);
    const path = this.absolutePath(claimRow!.filePath!);
    const info = await stat(path).catch(() => null);
    if (!info) throw notFound('CLAIM_FILE_MISSING', '申报表文件不存在，请重新生成');
    const subName = await subdistrictName(this.dataSource, claim.subdistrictId);
    await this.auditDownload(user, claim, ip);
    return { claim, stream: createReadStream(path), size: info.size, filename: claimFileName(subName, claim) };
  }

  private async auditDownload(user: AuthUser, claim: ClaimView, ip: string | null): Promise<void> {
    await this.audit.record({
      actor: user,
      action: 'CLAIM_DOWNLOADED',
      entityType: 'claim',
      entityId: claim.id,
      subdistrictId: claim.subdistrictId,
      canteenId: claim.canteenId,
      ip,
      details: { month: claim.month, version: claim.version, sha256: claim.sha256 },
    });
  }

  /** Where a claim's relative file_path lives; never outside CLAIMS_DIR. */
  absolutePath(relative: string): string {
    const root = resolve(this.config.CLAIMS_DIR);
    const path = resolve(root, relative);
    if (!path.startsWith(root + sep)) throw new Error(`claim file path escapes CLAIMS_DIR: ${relative}`);
    return path;
  }

  async view(id: number): Promise<ClaimView> {
    const claim = await claimById(this.dataSource, id);
    if (!claim) throw notFound('CLAIM_NOT_FOUND', '申报记录不存在');
    return claim;
  }

  /** Whether a complete sub-district claim of the month (requested after the month ended) exists already. */
  hasClosedMonthClaim(subdistrictId: number, month: string): Promise<boolean> {
    return hasClosedMonthClaim(this.dataSource, subdistrictId, month);
  }
}

/** 柳园街道幸福食堂补贴申报表-2025年3月-第1版.xlsx (or …-{canteen}-…). */
function claimFileName(subdistrictName: string, claim: Pick<ClaimView, 'month' | 'version' | 'canteenName'>): string {
  const scope = claim.canteenName ? `-${claim.canteenName}` : '';
  return `${subdistrictName}幸福食堂补贴申报表${scope}-${monthLabel(claim.month)}-第${claim.version}版.xlsx`;
}
