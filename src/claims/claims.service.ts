import { InjectQueue } from '@nestjs/bullmq';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JobsOptions, Queue } from 'bullmq';
import { createReadStream, ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { ownSubdistrict, positional, reachSql } from '../auth/access';
import { CanteensService } from '../canteens/canteens.service';
import { AuditService } from '../audit/audit.service';
import { AppError, badRequest, conflict, notFound } from '../common/app-error';
import { ClaimStatus } from '../common/enums';
import { isMonthInRange, monthBounds, monthLabel, monthOf, todayLocal } from '../common/local-date';
import { AppConfig } from '../config/app-config';
import { CLAIMS_QUEUE, ClaimJobData, claimJobId, claimJobOptions, JOB_BUILD_CLAIM } from '../queue/queue.constants';
import { Claim } from './claim.entity';
import { isUniqueViolation } from '../database/pg-errors';

/** What the API answers for a claim. Money in fen. */
export interface ClaimView {
  id: number;
  month: string;
  subdistrictId: number;
  canteenId: number | null;
  canteenName: string | null;
  version: number;
  status: ClaimStatus;
  progress: number;
  totals: Record<string, unknown> | null;
  sha256: string | null;
  fileSize: number | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

export interface ClaimRequest {
  subdistrictId: number;
  canteenId: number | null;
  month: string;
  requestedBy: number | null;
}

interface ClaimRow {
  id: number;
  month: string;
  subdistrict_id: number;
  canteen_id: number | null;
  canteen_name: string | null;
  version: number;
  status: ClaimStatus;
  progress: number;
  totals: Record<string, unknown> | null;
  sha256: string | null;
  file_size: string | null;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
}

const SELECT_CLAIM = `SELECT c.id, c.month, c.subdistrict_id, c.canteen_id, cn.name AS canteen_name, c.version, c.status,
       c.progress, c.totals, c.sha256, c.file_size, c.requested_at, c.started_at, c.finished_at, c.error
  FROM claims c LEFT JOIN canteens cn ON cn.id = c.canteen_id`;

const toClaimView = (r: ClaimRow): ClaimView => ({
  id: r.id,
  month: r.month,
  subdistrictId: r.subdistrict_id,
  canteenId: r.canteen_id,
  canteenName: r.canteen_name,
  version: r.version,
  status: r.status,
  progress: r.progress,
  totals: r.totals,
  sha256: r.sha256,
  fileSize: r.file_size === null ? null : Number(r.file_size),
  requestedAt: r.requested_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error,
});

const ACTIVE: ClaimStatus[] = ['QUEUED', 'RUNNING'];

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
    let claimId: number | null = null;
    for (let tries = 0; claimId === null && tries < 3; tries++) {
      try {
        claimId = await this.dataSource.transaction(async (m) => {
          const [active]: { id: number }[] = await m.query(
            `SELECT id FROM claims WHERE subdistrict_id = $1 AND COALESCE(canteen_id, 0) = COALESCE($2::int, 0)
               AND month = $3 AND status = ANY($4)`,
            [req.subdistrictId, req.canteenId, req.month, ACTIVE],
          );
          if (active) return active.id;
          const [row]: { id: number }[] = await m.query(
            `INSERT INTO claims (subdistrict_id, canteen_id, month, version, requested_by)
             SELECT $1, $2, $3, COALESCE(MAX(version), 0) + 1, $4 FROM claims
              WHERE subdistrict_id = $1 AND COALESCE(canteen_id, 0) = COALESCE($2::int, 0) AND month = $3
             RETURNING id`,
            [req.subdistrictId, req.canteenId, req.month, req.requestedBy],
          );
          return row.id;
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
    const rows: { id: number }[] = await this.dataSource.query(
      `SELECT id FROM claims WHERE status = ANY($1) ORDER BY id`,
      [ACTIVE],
    );
    const requeued: number[] = [];
    for (const { id } of rows) {
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

  async list(user: AuthUser, month: string | undefined): Promise<ClaimView[]> {
    if (month !== undefined && !isMonthInRange(month)) throw badRequest('INVALID_MONTH');
    // One statement for the whole list (a statement per claim made a 500-claim list 501 round trips).
    const params: unknown[] = [month ?? null];
    const rows: ClaimRow[] = await this.dataSource.query(
      `${SELECT_CLAIM} WHERE ($1::text IS NULL OR c.month = $1) AND ${this.reach(user, params)}
       ORDER BY c.month DESC, COALESCE(c.canteen_id, 0), c.version DESC LIMIT 500`,
      params,
    );
    return rows.map(toClaimView);
  }

  async getForUser(user: AuthUser, id: number): Promise<ClaimView> {
    const params: unknown[] = [id];
    const [row]: { id: number }[] = await this.dataSource.query(
      `SELECT c.id FROM claims c WHERE c.id = $1 AND ${this.reach(user, params)}`,
      params,
    );
    // Existence is private: a claim out of reach is "not found".
    if (!row) throw notFound('CLAIM_NOT_FOUND', '申报记录不存在');
    return this.view(id);
  }

  /** The finished workbook of a claim, audited as CLAIM_DOWNLOADED. */
  async openFile(
    user: AuthUser,
    id: number,
    ip: string | null,
  ): Promise<{ claim: ClaimView; stream: ReadStream; size: number; filename: string }> {
    const claim = await this.getForUser(user, id);
    if (claim.status !== 'DONE') throw conflict('CLAIM_NOT_READY', '申报表尚未生成完成，请稍后再下载');
    const claimRow = await this.dataSource.getRepository(Claim).findOneByOrFail({ id });
    const path = this.absolutePath(claimRow.filePath!);
    const info = await stat(path).catch(() => null);
    if (!info) throw notFound('CLAIM_FILE_MISSING', '申报表文件不存在，请重新生成');
    const [sub]: { name: string }[] = await this.dataSource.query(`SELECT name FROM subdistricts WHERE id = $1`, [
      claim.subdistrictId,
    ]);
    await this.auditDownload(user, claim, ip);
    return { claim, stream: createReadStream(path), size: info.size, filename: claimFileName(sub.name, claim) };
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
    const [r]: ClaimRow[] = await this.dataSource.query(`${SELECT_CLAIM} WHERE c.id = $1`, [id]);
    if (!r) throw notFound('CLAIM_NOT_FOUND', '申报记录不存在');
    return toClaimView(r);
  }

  /** Whether a complete sub-district claim of the month (requested after the month ended) exists already. */
  async hasClosedMonthClaim(subdistrictId: number, month: string): Promise<boolean> {
    const [row]: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM claims WHERE subdistrict_id = $1 AND canteen_id IS NULL AND month = $2
         AND status <> 'FAILED' AND requested_at >= $3 LIMIT 1`,
      [subdistrictId, month, monthBounds(month).end],
    );
    return row !== undefined;
  }

  // SPEC §2: finance and admin see the sub-district's claims; operators only claims of their own canteens (not
  // the sub-district's, whose canteen_id is NULL).
  private reach(user: AuthUser, params: unknown[]): string {
    return reachSql(user, { subdistrict: 'c.subdistrict_id', canteen: 'c.canteen_id' }, positional(params));
  }
}

/** 柳园街道幸福食堂补贴申报表-2025年3月-第1版.xlsx (or …-{canteen}-…). */
function claimFileName(subdistrictName: string, claim: Pick<ClaimView, 'month' | 'version' | 'canteenName'>): string {
  const scope = claim.canteenName ? `-${claim.canteenName}` : '';
  return `${subdistrictName}幸福食堂补贴申报表${scope}-${monthLabel(claim.month)}-第${claim.version}版.xlsx`;
}
