import { EventEmitter } from 'node:events';

// SPEC §7: ID numbers never appear in plain text in logs or the audit log, however they were typed.
//
// The rule (docs/DEVELOPING.md): a *digit run* is a stretch of digits — ASCII, full-width, or either
// percent-encoded (%31, %EF%BC%91) — where neighbouring digits may be apart by up to three separators (whitespace,
// - . · _ / + and their full-width or percent-encoded forms), optionally ending in a check character X. Letters
// around it do not matter ("A371502…" is a run). A run is masked when it holds
//   1. 14 digits or more (an address code and a birth date; every 15-, 17-, 18- or 19-digit number), or
//   2. 9 to 13 digits, 8 of them side by side forming a real date 1900-01-01…2099-12-31 (a birth date with part of
//      the rest, "19410525-5185"; a bare date like 20250615 or 2025-06-15 is left alone).
// A run that is exactly a 15-digit or 18-character number keeps its first 6 and last 4 characters (as maskedIdNumber
// does); any other masked run becomes "[masked]". Runs inside a SHA-256 or other ≥ 32-hex-digit token or a UUID are
// left alone: those are our own hashes and ids, and masking them would only corrupt the record.
const DIGIT = String.raw`(?:[0-9\uFF10-\uFF19]|%3[0-9]|%EF%BC%9[0-9])`;
const SEP = String.raw`(?:[\s\-\u2010-\u2015\uFF0D.\uFF0E\u00B7\u30FB_/+]|%20|%2[BDEF]|%C2%A0|%E3%80%80|%EF%BC%8[DEF])`;
const CHECK = String.raw`(?:[X\uFF38\uFF58]|%EF%BC%B8|%EF%BD%98)`;
const RUN = new RegExp(`${DIGIT}(?:${SEP}{0,3}${DIGIT})*(?:${SEP}{0,3}${CHECK})?`, 'gi');
const DIGIT_ONLY = new RegExp(DIGIT, 'gi');
const SEP_ONLY = new RegExp(`(?:${SEP})+`, 'gi');
const STANDARD_18 = /^\d{17}[\dXx]$/;
const STANDARD_15 = /^\d{15}$/;
const HEX_TOKEN = /^[0-9a-f]{32,}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_CHAR = /[0-9a-f-]/i;
const MIN_RUN_DIGITS = 9;
const ALWAYS_MASKED_DIGITS = 14;

/** The ASCII digits of a run's digit characters (full-width or percent-encoded). */
function asciiDigits(run: string): string {
  return (run.match(DIGIT_ONLY) ?? [])
    .map((d) => {
      if (d.length === 1) {
        const c = d.charCodeAt(0);
        return c >= 0xff10 ? String.fromCharCode(c - 0xff10 + 0x30) : d;
      }
      return d.slice(-1);
    })
    .join('');
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether 8 digits read as a real date YYYYMMDD between 1900 and 2099. */
export function isPlausibleBirthDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]);
}

function holdsBirthDate(run: string): boolean {
  // Only digits side by side: "2025-06-15" is a date in a log, "19410525" inside a longer run may be a birth date.
  for (const group of run.split(SEP_ONLY)) {
    const digits = asciiDigits(group);
    for (let i = 0; i + 8 <= digits.length; i++) {
      if (isPlausibleBirthDate(digits.slice(i, i + 8))) return true;
    }
  }
  return false;
}

function shouldMask(run: string): boolean {
  const count = asciiDigits(run).length;
  if (count >= ALWAYS_MASKED_DIGITS) return true;
  return count >= MIN_RUN_DIGITS && holdsBirthDate(run);
}

function insideOwnToken(text: string, start: number, end: number): boolean {
  let l = start;
  let r = end;
  while (l > 0 && HEX_CHAR.test(text[l - 1])) l--;
  while (r < text.length && HEX_CHAR.test(text[r])) r++;
  const token = text.slice(l, r);
  return token.length >= 32 && (HEX_TOKEN.test(token) || UUID.test(token));
}

function maskRun(run: string): string {
  if (STANDARD_18.test(run)) return `${run.slice(0, 6)}********${run.slice(14)}`;
  if (STANDARD_15.test(run)) return `${run.slice(0, 6)}*****${run.slice(11)}`;
  return '[masked]';
}

/** A cheap first look (most log strings have few digits): at least MIN_RUN_DIGITS digits or percent signs. */
function mayHoldRun(text: string): boolean {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || c === 0x25 || (c >= 0xff10 && c <= 0xff19)) {
      if (++n >= MIN_RUN_DIGITS) return true;
    }
  }
  return false;
}

/** The text with every digit run that could carry an ID number masked (the rule above). */
export function redactIdNumbers(text: string): string {
  if (text.length < MIN_RUN_DIGITS || !mayHoldRun(text)) return text;
  return text.replace(RUN, (run: string, offset: number) =>
    shouldMask(run) && !insideOwnToken(text, offset, offset + run.length) ? maskRun(run) : run,
  );
}

/** Whether a value holds a number shaped like an ID number (14 digits or more in one run, however written). */
export function looksLikeIdNumber(value: string): boolean {
  return (value.match(RUN) ?? []).some((run) => asciiDigits(run).length >= ALWAYS_MASKED_DIGITS);
}

/**
 * A copy of a log or audit object with ID numbers masked in every string. Streams, sockets, requests and
 * responses (anything that emits events), buffers and dates are passed through untouched: they are the serializers'
 * business (the request's is redactUrl), and walking them copied a request's whole object graph on every log line.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactIdNumbers(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value instanceof Error || value instanceof EventEmitter || value instanceof Date || ArrayBuffer.isView(value)) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v, depth + 1);
  return out;
}

const FULLWIDTH_CHAR = /[０-９Ｘｘ]/g;

/** Percent-decoding that never throws: valid UTF-8 sequences decoded, broken ones as U+FFFD. */
function lenientDecode(raw: string): string {
  const plus = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus.replace(/(?:%[0-9a-f]{2})+/gi, (seq) => Buffer.from(seq.replace(/%/g, ''), 'hex').toString('utf8'));
  }
}

function redactQueryValue(raw: string): string {
  // An ID typed with spaces or full-width digits (or encoded twice) arrives percent-encoded: look at it as the app
  // will read it, and log its masked, normalised form; otherwise the value as sent, masked where it must be.
  let decoded = raw;
  for (let i = 0; i < 3 && /[%+]/.test(decoded); i++) {
    decoded = lenientDecode(decoded);
    const compact = decoded
      .replace(/[\s\u3000]+/g, '')
      .replace(FULLWIDTH_CHAR, (c) => (c === 'Ｘ' || c === 'ｘ' ? 'X' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
    const masked = redactIdNumbers(compact);
    if (masked !== compact) return masked;
  }
  return redactIdNumbers(raw);
}

/** A request URL for the log: ID numbers masked in the path and in every query value, however encoded. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return redactPath(url);
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? redactQueryValue(pair) : pair.slice(0, eq + 1) + redactQueryValue(pair.slice(eq + 1));
    })
    .join('&');
  return `${redactPath(url.slice(0, q))}?${query}`;
}

function redactPath(path: string): string {
  // Runs may span segments ("/371502/19410525/5185"); a segment encoded twice is looked at decoded, too.
  return redactIdNumbers(path)
    .split('/')
    .map((segment) => (segment.includes('%') ? redactQueryValue(segment) : segment))
    .join('/');
}
