// What a scan or typed entry is: an ID number (18 characters, or a legacy 15-digit one), a number of the wrong
// length for an ID number (SPEC §4: say so, never take it as a meal card), or a meal-card number.

export type ScanInput =
  | { kind: 'id'; value: string }
  | { kind: 'card'; value: string }
  | { kind: 'wrongLength'; digits: number }
  | { kind: 'empty' };

/** Trim, drop spaces, full-width digits and letters to ASCII, lower-case x to X (SPEC §3). */
export function normalizeScan(raw: string): string {
  return raw
    .replace(/[\s\u3000]+/g, '')
    .replace(/[０-９Ａ-Ｚａ-ｚ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/x$/, 'X');
}

export function classifyScan(raw: string): ScanInput {
  const value = normalizeScan(raw);
  if (value === '') return { kind: 'empty' };
  if (/^(\d{17}[\dX]|\d{15})$/.test(value)) return { kind: 'id', value };
  // 14 to 20 digits (maybe ending in X) can only be an ID number read or typed wrong.
  if (/^\d{13,19}[\dX]$/.test(value)) return { kind: 'wrongLength', digits: value.length };
  return { kind: 'card', value };
}

export const wrongLengthMessage = (digits: number): string =>
  `身份证号码位数不对（${digits} 位），请重新刷卡或手工输入 18 位号码。`;

/** '370102194001011234' → '370102********1234': all the till ever shows of a number it holds. */
export function maskIdNumber(value: string): string {
  return value.length >= 10 ? `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}` : '****';
}

/** A random UUID v4 also on a plain-http LAN address, where crypto.randomUUID is missing (not a secure context). */
export function newIdempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
