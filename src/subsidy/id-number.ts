// 居民身份证号码 (GB 11643-1999): 6-digit address code, 8-digit birth date YYYYMMDD, 3-digit sequence
// (odd = male) and a check character by ISO 7064 MOD 11-2. Legacy 15-digit numbers (YYMMDD meaning 19YY,
// no check character) are upgraded to 18. Address codes are not checked: old codes stay valid.
import { ERROR_CODES } from '../common/error-codes';
import { compareLocalDates, isValidLocalDate, LocalDate, todayLocal } from '../common/local-date';

export type IdErrorCode = Extract<keyof typeof ERROR_CODES, 'ID_FORMAT' | 'ID_BIRTHDATE' | 'ID_CHECKSUM'>;

export class IdNumberError extends Error {
  constructor(
    readonly code: IdErrorCode,
    message: string = ERROR_CODES[code].message,
  ) {
    super(message);
    this.name = 'IdNumberError';
  }
}

export interface ParsedIdNumber {
  idNumber: string;
  birthDate: LocalDate;
  sex: 'M' | 'F';
}

export type IdParseResult = { ok: true; value: ParsedIdNumber } | { ok: false; code: IdErrorCode; message: string };

// Nobody alive was born earlier; a birth year like 0001 is a forged or garbled number, not a person.
// (The standard's own example, 440524188001010014, is born 1880.)
export const EARLIEST_BIRTH_DATE: LocalDate = '1850-01-01';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
const FIRST_17_PATTERN = /^\d{17}$/;
const ID18_PATTERN = /^\d{17}[\dX]$/;
const ID15_PATTERN = /^\d{15}$/;

/** Trim, drop all whitespace (incl. U+3000), full-width digits and Ｘ/ｘ to ASCII, x to X. Nothing else. */
export function normaliseIdNumber(raw: string): string {
  return raw.replace(/\s+/g, '').replace(/[０-９Ｘｘx]/g, (c) => {
    if (c === 'Ｘ' || c === 'ｘ' || c === 'x') return 'X';
    return String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30);
  });
}

/** ISO 7064 MOD 11-2 check character of the first 17 digits. */
export function checkCharacter(first17: string): string {
  if (!FIRST_17_PATTERN.test(first17)) throw new IdNumberError('ID_FORMAT');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/**
 * Validates and normalises an ID number to 18 characters. Checks, in order: shape (ID_FORMAT), birth date
 * is a real date not after `today` (ID_BIRTHDATE), check character (ID_CHECKSUM).
 */
export function parseIdNumber(raw: string, today: LocalDate = todayLocal()): ParsedIdNumber {
  if (!isValidLocalDate(today)) throw new RangeError(`Invalid 'today': '${today}'`);
  const n = normaliseIdNumber(raw);
  let first17: string;
  let given: string | null;
  if (ID18_PATTERN.test(n)) {
    first17 = n.slice(0, 17);
    given = n[17];
  } else if (ID15_PATTERN.test(n)) {
    first17 = `${n.slice(0, 6)}19${n.slice(6)}`;
    given = null;
  } else {
    throw new IdNumberError('ID_FORMAT');
  }

  const birthDate = `${first17.slice(6, 10)}-${first17.slice(10, 12)}-${first17.slice(12, 14)}`;
  if (
    !isValidLocalDate(birthDate) ||
    compareLocalDates(birthDate, EARLIEST_BIRTH_DATE) < 0 ||
    compareLocalDates(birthDate, today) > 0
  ) {
    throw new IdNumberError('ID_BIRTHDATE');
  }

  const expected = checkCharacter(first17);
  if (given !== null && given !== expected) throw new IdNumberError('ID_CHECKSUM');

  return {
    idNumber: first17 + expected,
    birthDate,
    sex: (first17.charCodeAt(16) - 48) % 2 === 1 ? 'M' : 'F',
  };
}

/** Like parseIdNumber, but returns the error instead of throwing it. */
export function tryParseIdNumber(raw: string, today?: LocalDate): IdParseResult {
  try {
    return { ok: true, value: parseIdNumber(raw, today) };
  } catch (e) {
    if (e instanceof IdNumberError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

/**
 * '371502********1234': first 6 and last 4 characters of an 18-character number. Anything else (which should
 * not reach here) is masked entirely, so a malformed value never leaks into a log or a page.
 */
export function maskIdNumber(id18: string): string {
  if (id18.length !== 18) return '*'.repeat(id18.length);
  return `${id18.slice(0, 6)}********${id18.slice(14)}`;
}

/** A valid 18-digit number, for tests and demo data. */
export function makeIdNumber(addressCode: string, birthDate: LocalDate, sequence: number): string {
  if (!/^\d{6}$/.test(addressCode)) throw new RangeError(`Address code must be 6 digits: '${addressCode}'`);
  if (!isValidLocalDate(birthDate)) throw new RangeError(`Invalid birth date: '${birthDate}'`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 999) {
    throw new RangeError(`Sequence must be an integer 0..999: ${sequence}`);
  }
  const first17 = `${addressCode}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}
