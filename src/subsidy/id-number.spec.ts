import fc from 'fast-check';
import { addDays, LocalDate } from '../common/local-date';
import {
  checkCharacter,
  EARLIEST_BIRTH_DATE,
  IdErrorCode,
  IdNumberError,
  makeIdNumber,
  maskIdNumber,
  normaliseIdNumber,
  parseIdNumber,
  tryParseIdNumber,
} from './id-number';

const TODAY = '2024-06-15';

function errorCodeOf(raw: string, today: LocalDate = TODAY): IdErrorCode | null {
  const result = tryParseIdNumber(raw, today);
  return result.ok ? null : result.code;
}

// With the first 17 characters fixed, the one check character that makes the number valid.
function withCheck(first17: string): string {
  return first17 + checkCharacter(first17);
}

// A check character other than the right one.
function wrongCheck(first17: string): string {
  return checkCharacter(first17) === '0' ? '1' : '0';
}

describe(IdNumberError.name, () => {
  it('carries a stable code and a zh-CN message', () => {
    const e = new IdNumberError('ID_CHECKSUM');
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('ID_CHECKSUM');
    expect(e.message).toBe('身份证号码校验位不正确，请核对');
    expect(e.name).toBe('IdNumberError');
  });

  it('takes a custom message', () => {
    expect(new IdNumberError('ID_FORMAT', '号码不对').message).toBe('号码不对');
  });
});

describe('normaliseIdNumber', () => {
  it('trims and drops every kind of space, including the full-width one', () => {
    expect(normaliseIdNumber(' 110105 19491231\t002X\u3000\n')).toBe('11010519491231002X');
    expect(normaliseIdNumber('\u00a0110105\u300019491231002X')).toBe('11010519491231002X');
  });

  it('turns full-width digits and Ｘ into ASCII', () => {
    expect(normaliseIdNumber('１１０１０５１９４９１２３１００２Ｘ')).toBe('11010519491231002X');
    expect(normaliseIdNumber('１１０１０５１９４９１２３１００２ｘ')).toBe('11010519491231002X');
  });

  it('upper-cases x', () => {
    expect(normaliseIdNumber('11010519491231002x')).toBe('11010519491231002X');
  });

  it('changes nothing else', () => {
    expect(normaliseIdNumber('11010-5194912310a2X')).toBe('11010-5194912310a2X');
    expect(normaliseIdNumber('1101051949123１00２Y')).toBe('11010519491231002Y');
    expect(normaliseIdNumber('１１０１０５一九四九')).toBe('110105一九四九');
  });
});

describe('checkCharacter', () => {
  it('computes the examples of GB 11643-1999', () => {
    expect(checkCharacter('11010519491231002')).toBe('X');
    expect(checkCharacter('44052418800101001')).toBe('4');
  });

  // Position 8 has weight 1 and position 17 weight 2, so these prefixes have sums 0..10.
  it.each([
    ['00000000000000000', 0, '1'],
    ['00000001000000000', 1, '0'],
    ['00000002000000000', 2, 'X'],
    ['00000003000000000', 3, '9'],
    ['00000004000000000', 4, '8'],
    ['00000005000000000', 5, '7'],
    ['00000006000000000', 6, '6'],
    ['00000007000000000', 7, '5'],
    ['00000008000000000', 8, '4'],
    ['00000009000000000', 9, '3'],
    ['00000008000000001', 10, '2'],
  ])('gives %s (remainder %i) the check character %s', (first17, _remainder, expected) => {
    expect(checkCharacter(first17)).toBe(expected);
  });

  it('refuses anything but 17 digits', () => {
    expect(() => checkCharacter('1101051949123100')).toThrow(IdNumberError);
    expect(() => checkCharacter('1101051949123100X')).toThrow(IdNumberError);
  });
});

describe('parseIdNumber', () => {
  it('accepts a valid 18-digit number and reads birth date and sex', () => {
    expect(parseIdNumber('11010519491231002X', TODAY)).toEqual({
      idNumber: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'F',
    });
    expect(parseIdNumber('440524188001010014', TODAY)).toEqual({
      idNumber: '440524188001010014',
      birthDate: '1880-01-01',
      sex: 'M',
    });
  });

  it('reads an odd sequence as male and an even one as female', () => {
    expect(parseIdNumber(makeIdNumber('371502', '1950-05-05', 1), TODAY).sex).toBe('M');
    expect(parseIdNumber(makeIdNumber('371502', '1950-05-05', 2), TODAY).sex).toBe('F');
    expect(parseIdNumber(makeIdNumber('371502', '1950-05-05', 999), TODAY).sex).toBe('M');
    expect(parseIdNumber(makeIdNumber('371502', '1950-05-05', 0), TODAY).sex).toBe('F');
  });

  it('upgrades a 15-digit number by inserting 19 and appending the check character', () => {
    expect(parseIdNumber('110105491231002', TODAY)).toEqual({
      idNumber: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'F',
    });
    expect(checkCharacter('37150219540301001')).toBe('7');
    expect(parseIdNumber('371502540301001', TODAY)).toEqual({
      idNumber: '371502195403010017',
      birthDate: '1954-03-01',
      sex: 'M',
    });
  });

  it('accepts full-width input with spaces and a lower-case x', () => {
    expect(parseIdNumber('　１１０１０５ １９４９１２３１ ００２ｘ　', TODAY).idNumber).toBe('11010519491231002X');
    expect(parseIdNumber('11010519491231002x', TODAY).idNumber).toBe('11010519491231002X');
  });

  it('accepts a person born today', () => {
    expect(parseIdNumber(makeIdNumber('371502', TODAY, 11), TODAY).birthDate).toBe(TODAY);
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['too short', '1101051949'],
    ['16 digits', '1101051949123100'],
    ['17 digits', '11010519491231002'],
    ['19 digits', '1101051949123100201'],
    ['14 digits', '11010549123100'],
    ['letters', 'ABCDEFGHIJKLMNOPQR'],
    ['a letter inside', '1101051949A231002X'],
    ['X in the middle', '110105194912X10024'],
    ['X at the end of a 15-digit number', '11010549123100X'],
    ['two check characters', '11010519491231002XX'],
    ['a hyphen', '110105-19491231002X'],
    ['Arabic-Indic digits', '١١٠١٠٥١٩٤٩١٢٣١٠٠٢X'],
    ['a Y check character', '11010519491231002Y'],
  ])('rejects %s with ID_FORMAT', (_label, raw) => {
    expect(errorCodeOf(raw)).toBe('ID_FORMAT');
  });

  it.each([
    ['19000230', withCheck('37150219000230001')],
    ['19000229 (1900 is not a leap year)', withCheck('37150219000229001')],
    ['20230229', withCheck('37150220230229001')],
    ['month 13', withCheck('37150219501301001')],
    ['month 00', withCheck('37150219500001001')],
    ['day 00', withCheck('37150219500100001')],
    ['day 32', withCheck('37150219500132001')],
    ['a 15-digit number with 19000230', '371502000230001'],
  ])('rejects an impossible birth date %s with ID_BIRTHDATE', (_label, raw) => {
    expect(errorCodeOf(raw)).toBe('ID_BIRTHDATE');
  });

  it('rejects a birth date in the future with ID_BIRTHDATE', () => {
    expect(errorCodeOf(makeIdNumber('371502', addDays(TODAY, 1), 1))).toBe('ID_BIRTHDATE');
    expect(errorCodeOf(makeIdNumber('371502', '2099-01-01', 1))).toBe('ID_BIRTHDATE');
  });

  it('rejects a birth date before any living person with ID_BIRTHDATE', () => {
    expect(errorCodeOf(makeIdNumber('371502', addDays(EARLIEST_BIRTH_DATE, -1), 1))).toBe('ID_BIRTHDATE');
    expect(errorCodeOf(makeIdNumber('371502', '0001-01-01', 1))).toBe('ID_BIRTHDATE');
    expect(errorCodeOf(makeIdNumber('371502', EARLIEST_BIRTH_DATE, 1))).toBeNull();
  });

  it('rejects a wrong check character with ID_CHECKSUM', () => {
    expect(errorCodeOf('110105194912310021')).toBe('ID_CHECKSUM');
    expect(errorCodeOf('440524188001010015')).toBe('ID_CHECKSUM');
    expect(errorCodeOf('44052418800101001X')).toBe('ID_CHECKSUM');
    expect(errorCodeOf(`37150219540301001${wrongCheck('37150219540301001')}`)).toBe('ID_CHECKSUM');
  });

  it('checks the shape first, then the birth date, then the check character', () => {
    // Bad birth date and bad check character: the birth date is reported.
    expect(errorCodeOf(`37150219000230001${wrongCheck('37150219000230001')}`)).toBe('ID_BIRTHDATE');
    // Future birth date and bad check character: the birth date is reported.
    expect(errorCodeOf(`37150220990101001${wrongCheck('37150220990101001')}`)).toBe('ID_BIRTHDATE');
    // Bad shape with an impossible date inside: the shape is reported.
    expect(errorCodeOf('3715021900023000')).toBe('ID_FORMAT');
  });

  it('judges the future against the given day', () => {
    const id = makeIdNumber('371502', '2024-06-16', 1);
    expect(errorCodeOf(id, '2024-06-15')).toBe('ID_BIRTHDATE');
    expect(errorCodeOf(id, '2024-06-16')).toBeNull();
  });

  it('defaults today to the current date', () => {
    expect(parseIdNumber('11010519491231002X').birthDate).toBe('1949-12-31');
  });

  it('throws a RangeError on an invalid today', () => {
    expect(() => parseIdNumber('11010519491231002X', '2024-02-30')).toThrow(RangeError);
  });

  it('throws IdNumberError with the zh-CN message for each code', () => {
    expect(() => parseIdNumber('123', TODAY)).toThrow(new IdNumberError('ID_FORMAT'));
    expect(() => parseIdNumber('123', TODAY)).toThrow('身份证号码格式不正确，应为18位（或15位旧号码）');
    expect(() => parseIdNumber(withCheck('37150219000230001'), TODAY)).toThrow('身份证号码中的出生日期无效');
    expect(() => parseIdNumber('110105194912310021', TODAY)).toThrow('身份证号码校验位不正确，请核对');
  });

  it('accepts every number built by makeIdNumber and rejects every single-character change of it', () => {
    const addressArb = fc.integer({ min: 0, max: 999_999 }).map((n) => String(n).padStart(6, '0'));
    // Birth dates from 1900-01-01 up to TODAY.
    const birthArb = fc.integer({ min: 0, max: 45_456 }).map((n) => addDays('1900-01-01', n));
    const sequenceArb = fc.integer({ min: 0, max: 999 });
    fc.assert(
      fc.property(addressArb, birthArb, sequenceArb, (address, birth, sequence) => {
        const id = makeIdNumber(address, birth, sequence);
        expect(parseIdNumber(id, TODAY)).toEqual({
          idNumber: id,
          birthDate: birth,
          sex: sequence % 2 === 1 ? 'M' : 'F',
        });
        for (let i = 0; i < 18; i++) {
          const alternatives = i === 17 ? '0123456789X' : '0123456789';
          for (const c of alternatives) {
            if (c === id[i]) continue;
            const changed = id.slice(0, i) + c + id.slice(i + 1);
            const result = tryParseIdNumber(changed, TODAY);
            expect(result.ok).toBe(false);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('tryParseIdNumber', () => {
  it('returns the parsed number when it is valid', () => {
    expect(tryParseIdNumber('11010519491231002X', TODAY)).toEqual({
      ok: true,
      value: { idNumber: '11010519491231002X', birthDate: '1949-12-31', sex: 'F' },
    });
  });

  it('returns the code and message when it is not', () => {
    expect(tryParseIdNumber('110105194912310021', TODAY)).toEqual({
      ok: false,
      code: 'ID_CHECKSUM',
      message: '身份证号码校验位不正确，请核对',
    });
  });

  it('lets other errors through', () => {
    expect(() => tryParseIdNumber('11010519491231002X', 'not-a-date')).toThrow(RangeError);
  });
});

describe('maskIdNumber', () => {
  it('keeps the first 6 and last 4 characters', () => {
    expect(maskIdNumber('371502195403011234')).toBe('371502********1234');
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });

  it('masks anything that is not 18 characters completely', () => {
    expect(maskIdNumber('110105491231002')).toBe('***************');
    expect(maskIdNumber('')).toBe('');
  });
});

describe('makeIdNumber', () => {
  it('builds a valid number from its parts', () => {
    expect(makeIdNumber('110105', '1949-12-31', 2)).toBe('11010519491231002X');
    expect(makeIdNumber('440524', '1880-01-01', 1)).toBe('440524188001010014');
  });

  it('refuses parts that cannot form a number', () => {
    expect(() => makeIdNumber('37150', '1950-01-01', 1)).toThrow(RangeError);
    expect(() => makeIdNumber('371502', '1950-02-30', 1)).toThrow(RangeError);
    expect(() => makeIdNumber('371502', '1950-01-01', 1000)).toThrow(RangeError);
    expect(() => makeIdNumber('371502', '1950-01-01', -1)).toThrow(RangeError);
    expect(() => makeIdNumber('371502', '1950-01-01', 1.5)).toThrow(RangeError);
  });
});
