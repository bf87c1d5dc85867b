// Money and time as people read them: yuan from integer fen with thousands separators, Shanghai wall-clock time
// whatever the browser's time zone.
import { formatYuan } from '@server/common/money';
import { localDateTimeOf, localTimeOf } from '@server/common/local-date';

/** 123450 → '¥1,234.50'. */
export function yuan(fen: number): string {
  const text = formatYuan(fen);
  const negative = text.startsWith('-');
  const [whole, cents] = (negative ? text.slice(1) : text).split('.');
  return `${negative ? '-' : ''}¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/** 12345 → '12,345': counts (人次, 人) with thousands separators, as money has them. */
export const count = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** '11:42' in Asia/Shanghai. */
export const hhmm = (at: Date | string): string => localTimeOf(typeof at === 'string' ? new Date(at) : at);

/** '2026-12-01 11:42' in Asia/Shanghai. */
export const dateTime = (at: Date | string): string =>
  localDateTimeOf(typeof at === 'string' ? new Date(at) : at).slice(0, 16);

/** '罗玉山' → '罗**': the diner's display shows no full name. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? name : chars[0] + '*'.repeat(chars.length - 1);
}
