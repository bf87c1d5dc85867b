// Calendar dates and months in the sub-district's time zone, Asia/Shanghai.
// A LocalDate is a 'YYYY-MM-DD' string; a month is 'YYYY-MM'. Both sort correctly as strings.
// All arithmetic is integer day counting (proleptic Gregorian), so nothing depends on the machine's TZ.

export type LocalDate = string;

// China has observed no daylight saving time since 1991, so Asia/Shanghai is a fixed UTC+08:00 for every
// date this system handles; a fixed offset keeps localDateOf (called for every meal) free of Intl lookups.
export const SHANGHAI_OFFSET_MINUTES = 480;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const OFFSET_MS = SHANGHAI_OFFSET_MINUTES * MS_PER_MINUTE;

const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidLocalDate(s: string): boolean {
  const m = LOCAL_DATE_PATTERN.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

// The years a meal, a status change, a policy or a claim can fall in. Dates outside are typing errors, and year 0000
// is one PostgreSQL cannot even store.
export const MIN_BUSINESS_YEAR = 1900;
export const MAX_BUSINESS_YEAR = 2999;

/** A real 'YYYY-MM-DD' date whose year is within MIN_BUSINESS_YEAR..MAX_BUSINESS_YEAR. */
export function isDateInRange(s: unknown): boolean {
  if (typeof s !== 'string' || !isValidLocalDate(s)) return false;
  const year = Number(s.slice(0, 4));
  return year >= MIN_BUSINESS_YEAR && year <= MAX_BUSINESS_YEAR;
}

/** A 'YYYY-MM' month whose year is within MIN_BUSINESS_YEAR..MAX_BUSINESS_YEAR. */
export function isMonthInRange(s: unknown): boolean {
  if (typeof s !== 'string' || !isValidMonth(s)) return false;
  const year = Number(s.slice(0, 4));
  return year >= MIN_BUSINESS_YEAR && year <= MAX_BUSINESS_YEAR;
}

export function parseLocalDate(s: string): { year: number; month: number; day: number } {
  if (!isValidLocalDate(s)) throw new RangeError(`Invalid local date (expected a real YYYY-MM-DD date): '${s}'`);
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)), day: Number(s.slice(8, 10)) };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function formatLocalDate(year: number, month: number, day: number): LocalDate {
  if (year < 0 || year > 9999) throw new RangeError(`Year ${year} is outside 0000..9999`);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
function epochDayOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

// Inverse of epochDayOf (H. Hinnant's civil_from_days).
function localDateOfEpochDay(epochDay: number): LocalDate {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return formatLocalDate(year, month, day);
}

function epochDayOfLocalDate(d: LocalDate): number {
  const { year, month, day } = parseLocalDate(d);
  return epochDayOf(year, month, day);
}

/** The Asia/Shanghai calendar date of an instant. */
export function localDateOf(instant: Date): LocalDate {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid Date');
  return localDateOfEpochDay(Math.floor((ms + OFFSET_MS) / MS_PER_DAY));
}

/** An instant as Shanghai wall-clock time, 'YYYY-MM-DD HH:mm:ss', whatever the machine's time zone. */
export function localDateTimeOf(instant: Date): string {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid Date');
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The Shanghai wall-clock time of an instant, 'HH:MM'. */
export function localTimeOf(instant: Date): string {
  return localDateTimeOf(instant).slice(11, 16);
}

export function todayLocal(now: Date = new Date()): LocalDate {
  return localDateOf(now);
}

export function addDays(d: LocalDate, n: number): LocalDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`Day count must be an integer: ${n}`);
  return localDateOfEpochDay(epochDayOfLocalDate(d) + n);
}

/** Negative, zero or positive like a sort comparator. Valid LocalDates order lexically, so no parsing. */
export function compareLocalDates(a: LocalDate, b: LocalDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The instant of 00:00 Asia/Shanghai on that date. */
export function startOfLocalDay(d: LocalDate): Date {
  return new Date(epochDayOfLocalDate(d) * MS_PER_DAY - OFFSET_MS);
}

export function isValidMonth(s: string): boolean {
  const m = MONTH_PATTERN.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  return month >= 1 && month <= 12;
}

function parseMonth(month: string): { year: number; month: number } {
  if (!isValidMonth(month)) throw new RangeError(`Invalid month (expected YYYY-MM): '${month}'`);
  return { year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) };
}

function formatMonth(year: number, month: number): string {
  if (year < 0 || year > 9999) throw new RangeError(`Year ${year} is outside 0000..9999`);
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

/** '2025-03' → '2025年3月' (titles and messages). */
export function monthLabel(month: string): string {
  const m = parseMonth(month);
  return `${m.year}年${m.month}月`;
}

export function monthOf(d: LocalDate): string {
  parseLocalDate(d);
  return d.slice(0, 7);
}

export function nextMonth(month: string): string {
  const m = parseMonth(month);
  return m.month === 12 ? formatMonth(m.year + 1, 1) : formatMonth(m.year, m.month + 1);
}

export function previousMonth(month: string): string {
  const m = parseMonth(month);
  return m.month === 1 ? formatMonth(m.year - 1, 12) : formatMonth(m.year, m.month - 1);
}

/** First and last local day of a month, and its instants [start, end): end is the start of the next month. */
export function monthBounds(month: string): { firstDay: LocalDate; lastDay: LocalDate; start: Date; end: Date } {
  const m = parseMonth(month);
  const firstDay = `${month}-01`;
  const lastDay = `${month}-${pad(daysInMonth(m.year, m.month), 2)}`;
  return { firstDay, lastDay, start: startOfLocalDay(firstDay), end: startOfLocalDay(`${nextMonth(month)}-01`) };
}
