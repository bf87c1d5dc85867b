// SPEC §5 "edit checks before submitting": what an auditor would question in a claim. Pure rules and thresholds
// (no Nest, no SQL); the statements that gather the figures are in claim.queries.ts.

export type CheckSeverity = 'WARN' | 'BLOCK';

/**
 * The checks, in the order they are listed: the seven of SPEC §5, and DINER_INACTIVE_EXPLAINED — the meals of the
 * first that an operator explained, which no longer block but still need finance's acknowledgement.
 */
export const CHECK_CODES = [
  'DINER_INACTIVE_AT_MEAL',
  'DINER_INACTIVE_EXPLAINED',
  'OUTSIDE_HOURS',
  'BACKDATED',
  'MANUAL_ENTRY_SHARE',
  'VOID_SHARE',
  'DAILY_OUTLIER',
  'OFFLINE_CONFLICT',
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

export const CHECK_SEVERITY: Record<CheckCode, CheckSeverity> = {
  // Subsidy paid for someone who was not eligible that day: submission waits until it is voided or explained.
  DINER_INACTIVE_AT_MEAL: 'BLOCK',
  DINER_INACTIVE_EXPLAINED: 'WARN',
  OUTSIDE_HOURS: 'WARN',
  BACKDATED: 'WARN',
  MANUAL_ENTRY_SHARE: 'WARN',
  VOID_SHARE: 'WARN',
  DAILY_OUTLIER: 'WARN',
  // An offline till quoted more subsidy than the server paid; the operator settles it (SPEC §4 "Offline").
  OFFLINE_CONFLICT: 'WARN',
};

/** A meal recorded more than this long after it was served is back-dated. */
export const BACKDATED_AFTER_MS = 60 * 60 * 1000;
/** A cashier typing more than this share of ID numbers by hand (of meals identified by ID number). */
export const MANUAL_ENTRY_MAX_SHARE = 0.3;
/** A cashier voiding more than this share of the meals they recorded. */
export const VOID_MAX_SHARE = 0.05;
/** A share is judged only over at least this many meals (1 void in 3 meals says nothing). */
export const SHARE_MIN_MEALS = 10;
/** A canteen day with more than this many times the canteen's median subsidised meals of the month. */
export const OUTLIER_FACTOR = 2;
/** Examples shown per finding. */
export const MAX_EXAMPLES = 5;

/** One finding: a check that fired, for one canteen. */
export interface CheckFinding {
  code: CheckCode;
  severity: CheckSeverity;
  canteenId?: number;
  canteenName?: string;
  count: number;
  message: string;
  examples: Record<string, unknown>[];
}

/** Whether `part` of `whole` is over the share `limit` — only once `whole` is large enough to judge. */
export function overShare(part: number, whole: number, limit: number, minWhole = SHARE_MIN_MEALS): boolean {
  return whole >= minWhole && whole > 0 && part / whole > limit;
}

/** The median of a list of counts (the mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The days whose count is more than OUTLIER_FACTOR × the median of all the days given (days with meals). */
export function outlierDays<T extends { meals: number }>(days: readonly T[]): { median: number; days: T[] } {
  const m = median(days.map((d) => d.meals));
  return { median: m, days: days.filter((d) => d.meals > OUTLIER_FACTOR * m) };
}

/** A share as a percentage with one decimal, for messages: 0.3333 → '33.3%'. */
export const percent = (share: number): string => `${(Math.round(share * 1000) / 10).toFixed(1)}%`;

/** Findings in a stable order: blocking first, then by check, then by canteen. */
export function sortFindings(findings: CheckFinding[]): CheckFinding[] {
  const rank = (f: CheckFinding): number => (f.severity === 'BLOCK' ? 0 : 1);
  return [...findings].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      CHECK_CODES.indexOf(a.code) - CHECK_CODES.indexOf(b.code) ||
      (a.canteenId ?? 0) - (b.canteenId ?? 0),
  );
}

export const CHECK_MESSAGES: Record<CheckCode, (count: number, canteen: string) => string> = {
  DINER_INACTIVE_AT_MEAL: (n, c) =>
    `${c}有 ${n} 笔补贴餐的老人在就餐日状态不是“正常”（停用、迁出或死亡），须作废或由站点说明后才能提交`,
  DINER_INACTIVE_EXPLAINED: (n, c) =>
    `${c}有 ${n} 笔补贴餐的老人在就餐日状态不是“正常”，站点已逐笔说明理由（见示例），请核对后确认`,
  OUTSIDE_HOURS: (n, c) => `${c}有 ${n} 笔补贴餐记录在该餐次的供餐时段以外（收银时已再次确认）`,
  BACKDATED: (n, c) => `${c}有 ${n} 笔补贴餐在就餐 1 小时以后才补录`,
  MANUAL_ENTRY_SHARE: (n, c) => `${c}有 ${n} 名收银员手工输入身份证号的比例超过 30%`,
  VOID_SHARE: (n, c) => `${c}有 ${n} 名收银员作废的比例超过其所录餐次的 5%`,
  DAILY_OUTLIER: (n, c) => `${c}有 ${n} 天的补贴人次超过本月日中位数的 2 倍`,
  OFFLINE_CONFLICT: (n, c) => `${c}有 ${n} 笔离线就餐的补贴与服务器核定不一致，站点尚未处理（少收的金额待补收或说明）`,
};
