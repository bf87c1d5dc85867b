// Money is integer fen (分) everywhere; yuan exist only as text on pages and numbers in the spreadsheet.

// The highest meal price anywhere (canteen prices, a meal's priceFen, the quote): ¥1,000. Above it is a typo, not a
// price (the meals column itself would hold any int4).
export const MAX_MEAL_PRICE_FEN = 100_000;

const YUAN_PATTERN = /^(\d+)(?:\.(\d{1,2}))?$/;

/** A safe, non-negative integer: an amount of fen that can be stored and added without rounding. */
export function isFen(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function assertSafeInteger(fen: number): void {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`Amount in fen must be a safe integer: ${fen}`);
}

/** 1250 → '12.50', -50 → '-0.50'; no thousands separator. */
export function formatYuan(fen: number): string {
  assertSafeInteger(fen);
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${fen < 0 ? '-' : ''}${yuan}.${String(cents).padStart(2, '0')}`;
}

/** 1250 → '¥12.50', -50 → '-¥0.50' (the sign goes before the currency symbol, as in the spreadsheet format). */
export function formatYuanWithSign(fen: number): string {
  const text = formatYuan(fen);
  return text.startsWith('-') ? `-¥${text.slice(1)}` : `¥${text}`;
}

/**
 * Yuan as a number for spreadsheet cells. IEEE division is correctly rounded, so the result is the double
 * nearest the exact decimal value: the same number the literal '12.34' parses to.
 */
export function fenToYuan(fen: number): number {
  assertSafeInteger(fen);
  return fen / 100;
}

/** Exact parse of a non-negative yuan amount with at most two decimals: '12.5' → 1250, '0.05' → 5. */
export function parseYuanToFen(s: string): number {
  const m = YUAN_PATTERN.exec(s.trim());
  if (!m) throw new Error(`金额格式不正确：'${s}'，应为不超过两位小数的非负数，如 12.50`);
  const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  // Above 2^53 the multiplication may round; such amounts are refused rather than silently changed.
  if (!Number.isSafeInteger(fen)) throw new Error(`金额过大：'${s}'`);
  return fen;
}
