import fc from 'fast-check';
import { createHash, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { makeIdNumber } from '../subsidy/id-number';
import { isPlausibleBirthDate, looksLikeIdNumber, redactDeep, redactIdNumbers, redactUrl } from './redact';
import { fullWidth, recoverableDigits } from '../../test/support/digits';

const ID = makeIdNumber('371502', '1941-05-25', 518); // 371502194105255185
const BIRTH = '19410525';

describe(redactIdNumbers.name, () => {
  it('keeps the first 6 and last 4 characters of a well-formed 18- or 15-digit number', () => {
    expect(redactIdNumbers(`no. ${ID} ok`)).toBe('no. 371502********5185 ok');
    expect(redactIdNumbers('11010519491231002x')).toBe('110105********002x');
    expect(redactIdNumbers('legacy 110105491231002')).toBe('legacy 110105*****1002');
  });

  it.each([
    ['17 digits', ID.slice(0, 17)],
    ['19 digits', `${ID}7`],
    ['dashes', '371502-19410525-5185'],
    ['spaced dashes', '371502 - 19410525 - 5185'],
    ['dots', '371502.19410525.5185'],
    ['spaces', '371502 1941 0525 5185'],
    ['ideographic spaces', '371502\u300019410525\u30005185'],
    ['full-width', fullWidth(ID)],
    ['full-width dashes', '３７１５０２－１９４１０５２５－５１８５'],
    ['a letter in front', `A${ID.slice(0, 17)}`],
    ['percent-encoded full-width', encodeURIComponent(fullWidth(ID))],
    ['percent-encoded ASCII digits', ID.replace(/\d/g, (d) => `%3${d}`)],
    ['a birth date and the sequence', '19410525-5185'],
    ['address code and birth date', '37150219410525'],
  ])('masks a number with %s, leaving no birth date', (_, raw) => {
    const out = redactIdNumbers(`姓名 张三 ${raw} 完`);
    expect(recoverableDigits(out)).not.toContain(BIRTH);
    expect(out).toContain('姓名 张三 ');
    expect(out).toContain(' 完');
  });

  it('masks a display name of 19 digits', () => {
    expect(redactIdNumbers('3715021941052551851')).toBe('[masked]');
  });

  it('leaves dates, times, amounts, short numbers, phone numbers without a date, hashes and UUIDs alone', () => {
    const sha = createHash('sha256').update('claim').digest('hex');
    const uuid = randomUUID();
    for (const text of [
      '2025-06-15',
      '2025-06-15T11:45:00+08:00',
      '2025-06-15 11:45:00.123',
      '20250615',
      'meal 123456 of canteen 12',
      '¥1,234,567.89',
      '13800138000',
      '127.0.0.1',
      '/api/claims/2147483648',
      sha,
      '00000000000000000000000000000000',
      '12345678-1234-1234-1234-123456789012',
      uuid,
    ]) {
      expect(redactIdNumbers(text)).toBe(text);
    }
  });

  it('masks every form of any valid number (property)', () => {
    const birthDate = fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const form = fc.record({
      birthDate,
      sequence: fc.integer({ min: 0, max: 999 }),
      length: fc.constantFrom(17, 18, 19),
      separator: fc.constantFrom('', ' ', '-', '.', '\u3000', '－', '/', '_', ' - ', '+'),
      cuts: fc.uniqueArray(fc.integer({ min: 1, max: 16 }), { maxLength: 4 }),
      width: fc.constantFrom('ascii', 'full'),
      encode: fc.boolean(),
      prefix: fc.constantFrom('', 'A', 'x', 'ID:', '身份证', '?q='),
      suffix: fc.constantFrom('', 'a', ' 号', '&date=2025-06-15'),
    });
    fc.assert(
      fc.property(form, (f) => {
        const id = makeIdNumber('371502', f.birthDate, f.sequence);
        const digits = f.length === 17 ? id.slice(0, 17) : f.length === 19 ? `${id}3` : id;
        const cuts = [...f.cuts].sort((a, b) => a - b);
        const parts = [0, ...cuts].map((c, i) => digits.slice(c, cuts[i] ?? digits.length)).filter(Boolean);
        let number = parts.join(f.separator);
        if (f.width === 'full') number = fullWidth(number);
        if (f.encode) number = encodeURIComponent(number);
        const out = redactIdNumbers(`${f.prefix}${number}${f.suffix}`);
        expect(recoverableDigits(out)).not.toContain(f.birthDate.replace(/-/g, ''));
      }),
      { numRuns: 2000 },
    );
  });

  it('changes nothing in text without a long digit run (property)', () => {
    const token = fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      fc.integer({ min: 0, max: 99_999_999 }).map(String),
      fc.string({ unit: fc.constantFrom(...'abc 张三-.:/'.split('')) }),
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (tokens) => {
        const text = tokens.join(', ');
        expect(redactIdNumbers(text)).toBe(text);
      }),
    );
  });
});

describe(isPlausibleBirthDate.name, () => {
  it('takes real dates of 1900–2099 only', () => {
    expect(isPlausibleBirthDate('19410525')).toBe(true);
    expect(isPlausibleBirthDate('20000229')).toBe(true);
    expect(isPlausibleBirthDate('19000229')).toBe(false);
    expect(isPlausibleBirthDate('18991231')).toBe(false);
    expect(isPlausibleBirthDate('19411301')).toBe(false);
    expect(isPlausibleBirthDate('19410431')).toBe(false);
  });
});

describe(looksLikeIdNumber.name, () => {
  it('finds numbers of 14 digits or more however written, and not phone or card numbers', () => {
    for (const v of [
      ID,
      ID.slice(0, 17),
      '371502-19410525-5185',
      fullWidth(ID),
      'A37150219410525',
      '3715 0219 4105 2551',
    ]) {
      expect(looksLikeIdNumber(v)).toBe(true);
    }
    for (const v of ['13800138000', '+86 138 0013 8000', '0635-8888888', 'CARD-0001', '20230001', '1234567890123']) {
      expect(looksLikeIdNumber(v)).toBe(false);
    }
  });
});

describe(redactUrl.name, () => {
  const id = '11010519491231002X';
  const masked = '110105********002X';

  it('masks a plain number in a query value, as redactIdNumbers does', () => {
    expect(redactUrl(`/api/subsidy/quote?idNumber=${id}&date=2025-06-15`)).toBe(
      `/api/subsidy/quote?idNumber=${masked}&date=2025-06-15`,
    );
  });

  it('masks a number sent with spaces, plus signs or full-width digits, percent-encoded', () => {
    const spaced = encodeURIComponent('110105 19491231 002X');
    const plus = '110105+19491231+002x';
    const fullWidthEncoded = encodeURIComponent('１１０１０５１９４９１２３１００２Ｘ');
    for (const value of [spaced, plus, fullWidthEncoded]) {
      const out = redactUrl(`/api/subsidy/quote?priceFen=1&idNumber=${value}`);
      expect(out.toUpperCase()).toBe(`/api/subsidy/quote?priceFen=1&idNumber=${masked}`.toUpperCase());
      expect(out).not.toMatch(/19491231/);
    }
  });

  it('masks malformed numbers in the path and in query values, also encoded twice or with a broken sequence', () => {
    for (const value of [
      '371502-19410525-5185',
      encodeURIComponent(encodeURIComponent(fullWidth(ID))),
      `${encodeURIComponent(fullWidth(ID))}%E0%A4%A`,
      `${ID}7`,
    ]) {
      const query = redactUrl(`/api/diners?idNumber=${value}&cardNo=${value}`);
      expect(recoverableDigits(query)).not.toContain(BIRTH);
      const path = redactUrl(`/api/diners/${value}`);
      expect(recoverableDigits(path)).not.toContain(BIRTH);
    }
  });

  it('masks numbers in the path and leaves other values untouched', () => {
    expect(redactUrl(`/api/diners/${id}`)).toBe(`/api/diners/${masked}`);
    expect(redactUrl('/api/meals?date=2025-06-15&name=%E5%BC%A0%E4%B8%89&bad=%E0%A4%A')).toBe(
      '/api/meals?date=2025-06-15&name=%E5%BC%A0%E4%B8%89&bad=%E0%A4%A',
    );
    expect(redactUrl('/api/health')).toBe('/api/health');
    expect(redactUrl('/api/diners/371502/19410525/5185')).toBe('/api/diners/[masked]');
    expect(redactUrl('/%E5%BC%A0/12')).toBe('/%E5%BC%A0/12');
  });

  it('agrees with redactIdNumbers on a legacy 15-digit number', () => {
    expect(redactUrl('/x?legacy=110105491231002')).toBe(`/x?legacy=${redactIdNumbers('110105491231002')}`);
  });
});

describe(redactDeep.name, () => {
  it('masks ID numbers at any depth of plain objects and arrays', () => {
    const out = redactDeep({ a: [{ b: 'x 11010519491231002X y' }], n: 1, d: null });
    expect(out).toEqual({ a: [{ b: 'x 110105********002X y' }], n: 1, d: null });
  });

  it('passes requests, streams, buffers and dates through as they are, for their serializers', () => {
    const socket = new PassThrough();
    const buffer = Buffer.from('11010519491231002X');
    const date = new Date(0);
    const out = redactDeep({ req: socket, buffer, date }) as Record<string, unknown>;
    expect(out.req).toBe(socket);
    expect(out.buffer).toBe(buffer);
    expect(out.date).toBe(date);
  });
});
