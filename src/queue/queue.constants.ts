import type { DefaultJobOptions, JobsOptions } from 'bullmq';

// Every queue and job name of the app lives here.
export const CLAIMS_QUEUE = 'claims';

export const JOB_BUILD_CLAIM = 'build-claim';
export const JOB_MONTHLY_CLAIM = 'monthly-claim';
export const MONTHLY_CLAIM_SCHEDULER_ID = 'monthly-claim-scheduler';
// Housekeeping rides on the same queue and workers: expired and logged-out sessions are deleted every hour.
export const JOB_PURGE_SESSIONS = 'purge-sessions';
export const SESSION_PURGE_SCHEDULER_ID = 'session-purge-scheduler';
export const SESSION_PURGE_SCHEDULE = { every: 60 * 60 * 1000 } as const;
// SPEC §7: audit entries are sealed into the hash chain every AUDIT_SEAL_EVERY_MS, off the till's path.
export const JOB_SEAL_AUDIT = 'seal-audit';
export const AUDIT_SEAL_SCHEDULER_ID = 'audit-seal-scheduler';

/** Job ids derive from business keys so a re-queued claim can never be built twice at once. */
export const claimJobId = (claimId: number): string => `claim-${claimId}`;

// A queue command (add, getJob) that Redis has not answered by then fails: the API answers 503 QUEUE_UNAVAILABLE.
export const QUEUE_COMMAND_TIMEOUT_MS = 5_000;

// Retry/backoff and retention, set once for every job.
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** A build-claim job carries only the claim id: no personal data ever goes to Redis. */
export interface ClaimJobData {
  claimId: number;
}

/** The monthly job builds last month's claim; `month` overrides that (manual runs, tests). */
export interface MonthlyClaimJobData {
  month?: string;
}

// SPEC §5: on the 1st of each month at 02:00 Asia/Shanghai, last month's claim is generated.
export const MONTHLY_CLAIM_SCHEDULE = { pattern: '0 2 1 * *', tz: 'Asia/Shanghai' } as const;

/** A build-claim job: its id from the claim, retries as DEFAULT_JOB_OPTIONS with the configured first backoff. */
export const claimJobOptions = (claimId: number, backoffDelayMs: number): JobsOptions => ({
  jobId: claimJobId(claimId),
  backoff: { type: 'exponential', delay: backoffDelayMs },
});
