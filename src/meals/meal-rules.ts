// Pure rules of the till: back-dating windows, the period by the clock, the request fingerprint.
import { Role, MealPeriod, MEAL_PERIODS } from '../common/enums';
import { parseInstant } from '../common/instant';

const HOUR_MS = 3_600_000;

// SPEC §3: cashiers may back-date 24 hours, operators (and admins) 7 days; 5 minutes of clock skew ahead.
const BACKDATE_LIMIT_MS: Readonly<Record<Role, number>> = {
  CASHIER: 24 * HOUR_MS,
  OPERATOR: 7 * 24 * HOUR_MS,
  ADMIN: 7 * 24 * HOUR_MS,
  FINANCE: 0,
  REVIEWER: 0,
};
const FUTURE_SKEW_MS = 5 * 60_000;

/** Null when `servedAt` may be recorded by this role at `now`; otherwise a zh-CN sentence saying why not. */
export function servedAtProblem(role: Role, servedAt: Date, now: Date): string | null {
  const diff = now.getTime() - servedAt.getTime();
  if (diff < -FUTURE_SKEW_MS) return '就餐时间不能晚于当前时间（允许误差 5 分钟），请检查收银机时钟';
  if (diff > BACKDATE_LIMIT_MS[role]) {
    return role === 'CASHIER'
      ? '收银员只能补录 24 小时以内的就餐记录，更早的请联系站点管理员'
      : '只能补录 7 天以内的就餐记录';
  }
  return null;
}

/**
 * Serving hours as the rules read them: period → [start, end] 'HH:MM'. A PeriodHours, or what a JSON client holds of
 * one (an array of two).
 */
export type ServingHours = Partial<Record<MealPeriod, readonly string[]>>;

/**
 * SPEC §4 "Offline", §6: a meal an offline till recorded is accepted within the back-dating window counted from when
 * the till lost the server (`offlineSince`): it must arrive no later than the role's window after that instant (24 h
 * for a cashier, 7 days for an operator or admin), and it cannot have been served before the till went offline nor
 * in the future. Counting from `offlineSince` never stretches the window: each such meal is younger than it.
 * Null when accepted; otherwise which code and a zh-CN sentence.
 */
export function offlineProblem(
  role: Role,
  servedAt: Date,
  offlineSince: Date,
  now: Date,
): { code: 'OFFLINE_FIELDS_INVALID' | 'OFFLINE_WINDOW_EXPIRED' | 'SERVED_AT_OUT_OF_RANGE'; message: string } | null {
  if (servedAt.getTime() - now.getTime() > FUTURE_SKEW_MS) {
    return { code: 'SERVED_AT_OUT_OF_RANGE', message: '就餐时间不能晚于当前时间（允许误差 5 分钟），请检查收银机时钟' };
  }
  if (servedAt.getTime() < offlineSince.getTime()) {
    return { code: 'OFFLINE_FIELDS_INVALID', message: '离线记录的就餐时间早于收银台离线的时间（offlineSince）' };
  }
  if (now.getTime() - offlineSince.getTime() > BACKDATE_LIMIT_MS[role]) {
    return {
      code: 'OFFLINE_WINDOW_EXPIRED',
      message:
        role === 'CASHIER'
          ? '收银台离线已超过 24 小时，离线记录不能再上传，请联系站点管理员补录'
          : '收银台离线已超过 7 天，离线记录不能再上传',
    };
  }
  return null;
}

/**
 * The period a till preselects at a local time 'HH:MM': the one whose hours hold it, else the next one to
 * start today, else the last one of the day. Only periods the canteen sells (`available`) are considered.
 */
export function periodAt(hours: ServingHours, hhmm: string, available: readonly MealPeriod[]): MealPeriod | null {
  const periods = MEAL_PERIODS.filter((p) => available.includes(p));
  if (periods.length === 0) return null;
  const within = periods.find((p) => {
    const h = hours[p];
    return h !== undefined && h[0] <= hhmm && hhmm <= h[1];
  });
  if (within) return within;
  const next = periods.find((p) => {
    const h = hours[p];
    return h !== undefined && hhmm < h[0];
  });
  return next ?? periods[periods.length - 1];
}

/**
 * SPEC §4: a meal is outside hours when the local time 'HH:MM' it was served at is not within its period's hours
 * at the canteen (both ends included). A period without hours is never outside.
 */
export function isOutsideHours(hours: ServingHours, period: MealPeriod, hhmm: string): boolean {
  const h = hours[period];
  return h !== undefined && !(h[0] <= hhmm && hhmm <= h[1]);
}

export interface MealRequestFields {
  canteenId: number;
  /** The normalised 18-character ID number, or null when a card number identifies the diner. */
  idNumber: string | null;
  cardNo: string | null;
  mealPeriod: MealPeriod;
  priceFen: number | null;
  verification: string;
  /** RFC 3339 instant as sent (already checked by parseInstant), or null when the server's clock decides. */
  servedAt: string | null;
  /** An offline till's meal: when it lost the server and the subsidy it quoted. */
  offline?: { since: Date; provisionalSubsidyFen: number };
}

/**
 * The canonical text of a meal request, for the idempotency fingerprint. It holds the ID number, so it is only
 * ever stored as a keyed HMAC (a plain hash of an ID number can be reversed by trying every number).
 */
export function canonicalMealRequest(f: MealRequestFields): string {
  // The instant, not the text: '…59.123Z' and '…59.123456+00:00' are one meal, whatever a client's clock library writes.
  const servedAt = f.servedAt === null ? null : (parseInstant(f.servedAt)?.toISOString() ?? f.servedAt);
  const fields: unknown[] = [f.canteenId, f.idNumber, f.cardNo, f.mealPeriod, f.priceFen, f.verification, servedAt];
  // Only offline meals carry more, so the fingerprints of meals recorded before offline meals existed stay the same.
  if (f.offline) fields.push('OFFLINE', f.offline.since.toISOString(), f.offline.provisionalSubsidyFen);
  return JSON.stringify(fields);
}
