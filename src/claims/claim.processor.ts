import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataSource } from 'typeorm';
import { isValidMonth, monthOf, previousMonth, todayLocal } from '../common/local-date';
import { AppConfig } from '../config/app-config';
import {
  AUDIT_SEAL_SCHEDULER_ID,
  CLAIMS_QUEUE,
  ClaimJobData,
  JOB_BUILD_CLAIM,
  JOB_MONTHLY_CLAIM,
  JOB_PURGE_SESSIONS,
  JOB_SEAL_AUDIT,
  MONTHLY_CLAIM_SCHEDULE,
  MONTHLY_CLAIM_SCHEDULER_ID,
  MonthlyClaimJobData,
  SESSION_PURGE_SCHEDULE,
  SESSION_PURGE_SCHEDULER_ID,
} from '../queue/queue.constants';
import { purgeEndedSessions } from '../auth/session-purge';
import { AuditChainService } from '../audit/audit-chain.service';
import {
  allSubdistrictIds,
  ClaimBuildRow,
  claimForBuild,
  claimStatus,
  finishClaim,
  recordClaimFailure,
  setClaimProgress,
  startClaimAttempt,
} from './claim.queries';
import { ClaimTotals, ClaimWorkbookBuilder } from './claim-workbook.builder';
import { ClaimsService } from './claims.service';

// Progress goes to PostgreSQL and Redis at most this often.
const PROGRESS_INTERVAL_MS = 500;

type ClaimsJob = Job<ClaimJobData | MonthlyClaimJobData>;

/**
 * The worker side of monthly claims. One handler per job name; each is idempotent because BullMQ delivers
 * at least once. Worker options (lock, stalled check) are applied by ClaimsWorkerModule from the config.
 */
@Processor(CLAIMS_QUEUE)
@Injectable()
export class ClaimProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClaimProcessor.name);
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(CLAIMS_QUEUE) private readonly queue: Queue,
    private readonly claims: ClaimsService,
    private readonly builder: ClaimWorkbookBuilder,
    private readonly config: AppConfig,
    private readonly auditChain: AuditChainService,
  ) {
    super();
  }

  /**
   * At worker start and then every CLAIM_SWEEP_INTERVAL_MS: the monthly, session-purge and audit-seal schedulers, and claims
   * whose job Redis lost.
   * A timer in the process, not a BullMQ scheduler: what it repairs is Redis having lost its keys, schedulers too.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.sweepTimer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((e: unknown) => this.logger.error(`claim sweep failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => (this.sweeping = null));
    }, this.config.CLAIM_SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.sweeping;
  }

  private async sweep(): Promise<void> {
    await this.queue.upsertJobScheduler(
      MONTHLY_CLAIM_SCHEDULER_ID,
      { ...MONTHLY_CLAIM_SCHEDULE },
      {
        name: JOB_MONTHLY_CLAIM,
        data: {},
      },
    );
    await this.queue.upsertJobScheduler(
      SESSION_PURGE_SCHEDULER_ID,
      { ...SESSION_PURGE_SCHEDULE },
      { name: JOB_PURGE_SESSIONS, data: {} },
    );
    await this.queue.upsertJobScheduler(
      AUDIT_SEAL_SCHEDULER_ID,
      { every: this.config.AUDIT_SEAL_EVERY_MS },
      { name: JOB_SEAL_AUDIT, data: {} },
    );
    const requeued = await this.claims.requeueOrphans();
    if (requeued.length > 0) this.logger.warn(`re-queued claims missing from Redis: ${requeued.join(', ')}`);
  }

  async process(job: ClaimsJob): Promise<unknown> {
    const started = Date.now();
    this.logger.log(`job ${job.name} ${job.id} started (attempt ${job.attemptsMade + 1})`);
    try {
      switch (job.name) {
        case JOB_BUILD_CLAIM:
          return await this.buildClaim(job as Job<ClaimJobData>);
        case JOB_MONTHLY_CLAIM:
          return await this.monthlyClaims(job as Job<MonthlyClaimJobData>);
        case JOB_PURGE_SESSIONS:
          return { purged: await purgeEndedSessions(this.dataSource) };
        case JOB_SEAL_AUDIT:
          return await this.auditChain.sealPending(this.config.AUDIT_SEAL_LAG_MS);
        default:
          throw new UnrecoverableError(`unknown job name ${job.name}`);
      }
    } finally {
      this.logger.log(`job ${job.name} ${job.id} ended after ${Date.now() - started} ms`);
    }
  }

  /** SPEC §5: last month's sub-district claim for every sub-district, through the same path as finance's. */
  private async monthlyClaims(job: Job<MonthlyClaimJobData>): Promise<{ claimIds: number[] }> {
    const month =
      job.data.month && isValidMonth(job.data.month) ? job.data.month : previousMonth(monthOf(todayLocal()));
    const claimIds: number[] = [];
    for (const id of await allSubdistrictIds(this.dataSource)) {
      // A re-delivered job must not make a second version.
      if (await this.claims.hasClosedMonthClaim(id, month)) continue;
      const claim = await this.claims.request({ subdistrictId: id, canteenId: null, month, requestedBy: null });
      claimIds.push(claim.id);
    }
    return { claimIds };
  }

  private async buildClaim(job: Job<ClaimJobData>): Promise<{ claimId: number; sha256?: string }> {
    const { claimId } = job.data;
    const claim = await claimForBuild(this.dataSource, claimId);
    // A re-delivered job for a finished claim does nothing.
    if (!claim || claim.status === 'DONE' || claim.status === 'FAILED') return { claimId };
    if (!(await startClaimAttempt(this.dataSource, claimId))) return { claimId };

    const relative = join(claim.month, claimFileKey(claim));
    const finalPath = this.claims.absolutePath(relative);
    const tmpPath = `${finalPath}.tmp-${job.id}-${job.attemptsStarted}`;
    try {
      await mkdir(dirname(finalPath), { recursive: true });
      await removeLeftovers(finalPath);
      const { totals, dataSha256 } = await this.builder.build(
        { subdistrictId: claim.subdistrictId, canteenId: claim.canteenId, month: claim.month, version: claim.version },
        tmpPath,
        this.progressReporter(job, claimId),
      );
      const file = await seal(tmpPath);
      await publish(tmpPath, finalPath, () => this.isDone(claimId));
      const finished = await finishClaim(this.dataSource, claimId, {
        totals: totals satisfies ClaimTotals,
        filePath: relative,
        fileSize: file.size,
        sha256: file.sha256,
        dataSha256,
      });
      if (!finished) this.logger.warn(`claim ${claimId}: finished by another attempt; this result is dropped`);
      await job.updateProgress(100);
      this.logger.log(`claim ${claimId} done: ${totals.meals} meals, ${totals.subsidyFen} fen, ${file.size} bytes`);
      return { claimId, sha256: file.sha256 };
    } catch (e) {
      await unlink(tmpPath).catch(() => undefined);
      await this.recordFailure(job, claimId, e);
      throw e;
    }
  }

  /**
   * What finance sees: a code and a plain sentence, never the raw PostgreSQL or Redis-client message (that goes
   * to the log, in one JSON line with the error, from the worker's 'failed' event).
   */
  private async recordFailure(job: Job<ClaimJobData>, claimId: number, e: unknown): Promise<void> {
    const attempts = job.opts.attempts ?? 1;
    const attempt = job.attemptsMade + 1;
    const last = attempt >= attempts || e instanceof UnrecoverableError;
    await recordClaimFailure(this.dataSource, claimId, last, claimErrorText(e, attempt, last));
  }

  /** One JSON line per failed attempt, with the error's detail (pino's err serializer: type, message, stack). */
  @OnWorkerEvent('failed')
  onFailed(job: Job<unknown> | undefined, err: Error): void {
    this.logger.error({
      msg: `job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade ?? '?'}/${job?.opts.attempts ?? '?'})`,
      jobId: job?.id,
      data: job?.data,
      err,
    });
  }

  /** The worker's own errors (Redis connection lost, a stalled-check failure): logged, not printed as a stack. */
  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.error({ msg: `claims worker: ${err.message}`, err });
  }

  private async isDone(claimId: number): Promise<boolean> {
    return (await claimStatus(this.dataSource, claimId)) === 'DONE';
  }

  private progressReporter(job: Job<ClaimJobData>, claimId: number): (percent: number) => void {
    let lastAt = 0;
    let last = 0;
    return (percent) => {
      const now = Date.now();
      if (percent <= last || now - lastAt < PROGRESS_INTERVAL_MS) return;
      lastAt = now;
      last = percent;
      // Progress is advisory: a lost update must never fail the build.
      void job.updateProgress(percent).catch(() => undefined);
      void setClaimProgress(this.dataSource, claimId, percent).catch(() => undefined);
    };
  }
}

/** claim-12-all-v3.xlsx / claim-13-c5-v1.xlsx: unique per claim, no personal data. */
function claimFileKey(claim: Pick<ClaimBuildRow, 'id' | 'canteenId' | 'version'>): string {
  return `claim-${claim.id}-${claim.canteenId === null ? 'all' : `c${claim.canteenId}`}-v${claim.version}.xlsx`;
}

/** Temp files of attempts that died (SIGKILL, power loss) never become visible; remove them. */
async function removeLeftovers(finalPath: string): Promise<void> {
  const prefix = `${basename(finalPath)}.tmp-`;
  const names = await readdir(dirname(finalPath));
  await Promise.all(
    names.filter((n) => n.startsWith(prefix)).map((n) => unlink(join(dirname(finalPath), n)).catch(() => undefined)),
  );
}

/** Flushes the file to disk and hashes what is on disk. */
async function seal(path: string): Promise<{ size: number; sha256: string }> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { size: (await stat(path)).size, sha256: hash.digest('hex') };
}

/**
 * Moves the finished file into place. link() refuses to replace an existing file, so a second attempt racing a
 * finished one cannot swap the file under a recorded SHA-256; a file left by an attempt that died before
 * marking the claim DONE is replaced.
 */
async function publish(tmpPath: string, finalPath: string, claimIsDone: () => Promise<boolean>): Promise<void> {
  try {
    await link(tmpPath, finalPath);
    await unlink(tmpPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    if (await claimIsDone()) {
      await unlink(tmpPath);
      return;
    }
    await rename(tmpPath, finalPath);
  }
  const dir = await open(dirname(finalPath), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

// File-system failures as sentences finance can act on; anything else keeps its own message.
const FS_ERRORS: Record<string, string> = {
  ENOSPC: '服务器磁盘空间不足',
  EDQUOT: '服务器磁盘配额已用完',
  EACCES: '没有写入申报表文件夹的权限',
  EPERM: '没有写入申报表文件夹的权限',
  EROFS: '申报表文件夹是只读的',
  EEXIST: '申报表文件夹不可用（同名文件已存在）',
  ENOTDIR: '申报表文件夹不可用（路径不是文件夹）',
};

/**
 * The claim's `error` for people: `CODE: sentence`. A file-system cause finance can pass on is named; anything
 * else (a PostgreSQL or Redis error) is not, since its text means nothing to finance and may leak internals.
 */
function claimErrorText(e: unknown, attempt: number, last: boolean): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const cause = code && FS_ERRORS[code] ? `原因：${FS_ERRORS[code]}。` : '';
  return last
    ? `CLAIM_BUILD_FAILED: 申报表生成失败（已尝试 ${attempt} 次）。${cause}请稍后重新生成或联系管理员`
    : `CLAIM_BUILD_RETRYING: 第 ${attempt} 次生成失败，系统将自动重试。${cause}`;
}
