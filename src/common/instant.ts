// RFC 3339 instants, the one reading of every timestamp a client sends (SPEC §6; docs/API.md "Timestamps").
// Pure: no Nest here.
import { MAX_BUSINESS_YEAR, MIN_BUSINESS_YEAR } from './local-date';

/**
 * The shape of an RFC 3339 date-time (section 5.6): 'T' or 't' between date and time, 0–9 fractional digits, 'Z',
 * 'z' or a numeric offset. Seconds may be left out ('2025-06-01T11:45+08:00'), as this API has always accepted.
 * A local time without an offset is refused: the till's time zone must never decide which day a meal falls on.
 */
export const INSTANT_SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

const MINUTE_MS = 60_000;

/**
 * The instant an RFC 3339 date-time names, to the millisecond (finer digits are truncated, never rounded: '…59.9999Z'
 * stays in second 59), or null unless every field is real. JavaScript's Date would otherwise roll '2025-02-30' over
 * into March and put a meal on a day the cashier never typed. A leap second (':60') is refused: the API keeps no
 * leap seconds. Years outside 1900..2999 are refused as no business date.
 */
export function parseInstant(text: string): Date | null {
  const m = INSTANT_SHAPE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', fraction = '', sign, oh = '0', om = '0'] = m;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [y, mo, d, h, mi, s, oh, om].map(Number);
  if (year < MIN_BUSINESS_YEAR || year > MAX_BUSINESS_YEAR) return null;
  if (month < 1 || month > 12) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * MINUTE_MS;
  // Date.UTC treats years 0..99 as 1900..1999; the business range above starts at 1900, so that never applies.
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs);
}
