import fc from 'fast-check';
import {
  addDays,
  localDateTimeOf,
  localTimeOf,
  monthLabel,
  compareLocalDates,
  daysInMonth,
  isLeapYear,
  isValidLocalDate,
  isValidMonth,
  LocalDate,
  localDateOf,
  monthBounds,
  monthOf,
  nextMonth,
  parseLocalDate,
  previousMonth,
  SHANGHAI_OFFSET_MINUTES,
  startOfLocalDay,
  todayLocal,
} from './local-date';

// Local dates 1900-01-01 .. 2199-12-31 as day offsets from 1970-01-01.
const localDateArb: fc.Arbitrary<LocalDate> = fc
  .integer({ min: -25_567, max: 84_005 })
  .map((n) => addDays('1970-01-01', n));

const shanghaiFormatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

describe('SHANGHAI_OFFSET_MINUTES', () => {
  it('is UTC+08:00', () => {
    expect(SHANGHAI_OFFSET_MINUTES).toBe(8 * 60);
  });
});

describe('localDateOf', () => {
  it.each([
    ['2024-01-31T15:59:59Z', '2024-01-31'],
    ['2024-01-31T15:59:59.999Z', '2024-01-31'],
    ['2024-01-31T16:00:00Z', '2024-02-01'],
    ['2024-02-29T16:00:00Z', '2024-03-01'],
    ['2023-12-31T15:59:59Z', '2023-12-31'],
    ['2023-12-31T16:00:00Z', '2024-01-01'],
    ['2024-06-15T00:00:00Z', '2024-06-15'],
    ['1970-01-01T00:00:00Z', '1970-01-01'],
    ['1969-12-31T15:59:59Z', '1969-12-31'],
    ['1969-12-31T16:00:00Z', '1970-01-01'],
  ])('gives %s the Shanghai date %s', (iso, expected) => {
    expect(localDateOf(new Date(iso))).toBe(expected);
  });

  it('gives 23:59:59 Shanghai time the same day and 00:00:00 the next day', () => {
    expect(localDateOf(new Date('2024-01-31T23:59:59+08:00'))).toBe('2024-01-31');
    expect(localDateOf(new Date('2024-02-01T00:00:00+08:00'))).toBe('2024-02-01');
  });

  it('does not depend on the time zone of the machine', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/New_York', 'UTC', 'Pacific/Kiritimati', 'Asia/Shanghai']) {
        process.env.TZ = tz;
        expect(localDateOf(new Date('2024-01-31T16:00:00Z'))).toBe('2024-02-01');
        expect(localDateOf(new Date('2024-01-31T15:59:59Z'))).toBe('2024-01-31');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('throws on an invalid Date', () => {
    expect(() => localDateOf(new Date('nonsense'))).toThrow(RangeError);
  });

  it('agrees with the tz database for every instant since 1992', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1992-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
        (instant) => {
          expect(localDateOf(instant)).toBe(shanghaiFormatter.format(instant));
        },
      ),
    );
  });
});

describe('todayLocal', () => {
  it('is the Shanghai date of the given instant', () => {
    expect(todayLocal(new Date('2024-01-31T16:00:00Z'))).toBe('2024-02-01');
  });

  it('defaults to now', () => {
    expect(isValidLocalDate(todayLocal())).toBe(true);
  });
});

describe('isValidLocalDate', () => {
  it.each(['2024-02-29', '2000-02-29', '2023-12-31', '1900-01-01', '0001-01-01', '9999-12-31'])(
    'accepts the real date %s',
    (s) => {
      expect(isValidLocalDate(s)).toBe(true);
    },
  );

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2024-02-30',
    '2024-04-31',
    '2024-13-01',
    '2024-00-10',
    '2024-01-00',
    '2024-1-01',
    '2024-01-1',
    '24-01-01',
    '2024/01/01',
    '20240101',
    '2024-01-01T00:00',
    ' 2024-01-01',
    '２０２４-01-01',
    '',
  ])('rejects %j', (s) => {
    expect(isValidLocalDate(s)).toBe(false);
  });
});

describe('isLeapYear', () => {
  it('follows the Gregorian rule', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
  });
});

describe('daysInMonth', () => {
  it('knows February in common and leap years', () => {
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2024, 4)).toBe(30);
    expect(daysInMonth(2024, 12)).toBe(31);
  });
});

describe('parseLocalDate', () => {
  it('splits a date into numbers', () => {
    expect(parseLocalDate('2024-02-09')).toEqual({ year: 2024, month: 2, day: 9 });
  });

  it('throws on an invalid date', () => {
    expect(() => parseLocalDate('2023-02-29')).toThrow(RangeError);
    expect(() => parseLocalDate('abc')).toThrow(RangeError);
  });
});

describe('addDays', () => {
  it.each([
    ['2024-02-28', 1, '2024-02-29'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2024-12-31', 1, '2025-01-01'],
    ['2025-01-01', -1, '2024-12-31'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2024-01-15', 0, '2024-01-15'],
    ['2000-01-01', 366, '2001-01-01'],
    ['1970-01-01', -1, '1969-12-31'],
  ])('moves %s by %i days to %s', (d, n, expected) => {
    expect(addDays(d, n)).toBe(expected);
  });

  it('throws on a fractional day count or an invalid date', () => {
    expect(() => addDays('2024-01-01', 0.5)).toThrow(RangeError);
    expect(() => addDays('2024-02-30', 1)).toThrow(RangeError);
  });

  it('throws when the result leaves four-digit years', () => {
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
  });

  it('agrees with UTC calendar arithmetic', () => {
    fc.assert(
      fc.property(localDateArb, fc.integer({ min: -3000, max: 3000 }), (d, n) => {
        const viaDate = new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
        expect(addDays(d, n)).toBe(viaDate);
      }),
    );
  });

  it('is undone by moving back the same number of days', () => {
    fc.assert(
      fc.property(localDateArb, fc.integer({ min: -3000, max: 3000 }), (d, n) => {
        expect(addDays(addDays(d, n), -n)).toBe(d);
      }),
    );
  });
});

describe('compareLocalDates', () => {
  it('orders dates like a comparator', () => {
    expect(compareLocalDates('2024-01-31', '2024-02-01')).toBeLessThan(0);
    expect(compareLocalDates('2024-02-01', '2024-01-31')).toBeGreaterThan(0);
    expect(compareLocalDates('2024-02-01', '2024-02-01')).toBe(0);
    expect(['2024-02-01', '1999-12-31', '2024-01-31'].sort(compareLocalDates)).toEqual([
      '1999-12-31',
      '2024-01-31',
      '2024-02-01',
    ]);
  });

  it('agrees with the order of the instants the dates start at', () => {
    fc.assert(
      fc.property(localDateArb, localDateArb, (a, b) => {
        expect(Math.sign(compareLocalDates(a, b))).toBe(
          Math.sign(startOfLocalDay(a).getTime() - startOfLocalDay(b).getTime()),
        );
      }),
    );
  });
});

describe('startOfLocalDay', () => {
  it('is midnight in Shanghai, 16:00 UTC the day before', () => {
    expect(startOfLocalDay('2024-02-01').toISOString()).toBe('2024-01-31T16:00:00.000Z');
    expect(startOfLocalDay('1970-01-01').toISOString()).toBe('1969-12-31T16:00:00.000Z');
  });

  it('throws on an invalid date', () => {
    expect(() => startOfLocalDay('2024-02-30')).toThrow(RangeError);
  });

  it('is the first instant of its own local date', () => {
    fc.assert(
      fc.property(localDateArb, (d) => {
        const start = startOfLocalDay(d);
        expect(localDateOf(start)).toBe(d);
        expect(localDateOf(new Date(start.getTime() - 1))).toBe(addDays(d, -1));
        expect(localDateOf(new Date(start.getTime() + 86_400_000 - 1))).toBe(d);
      }),
    );
  });
});

describe('monthOf', () => {
  it('is the YYYY-MM of a date', () => {
    expect(monthOf('2024-02-29')).toBe('2024-02');
  });

  it('throws on an invalid date', () => {
    expect(() => monthOf('2024-02-30')).toThrow(RangeError);
  });
});

describe('isValidMonth', () => {
  it('accepts YYYY-MM with a month from 01 to 12', () => {
    expect(isValidMonth('2024-01')).toBe(true);
    expect(isValidMonth('2024-12')).toBe(true);
  });

  it.each(['2024-00', '2024-13', '2024-1', '202401', '2024-01-01', '2024/01', ''])('rejects %j', (s) => {
    expect(isValidMonth(s)).toBe(false);
  });
});

describe('nextMonth', () => {
  it('advances within a year and across its end', () => {
    expect(nextMonth('2024-01')).toBe('2024-02');
    expect(nextMonth('2024-12')).toBe('2025-01');
  });

  it('throws on an invalid month', () => {
    expect(() => nextMonth('2024-13')).toThrow(RangeError);
  });
});

describe('previousMonth', () => {
  it('goes back within a year and across its start', () => {
    expect(previousMonth('2024-02')).toBe('2024-01');
    expect(previousMonth('2024-01')).toBe('2023-12');
  });

  it('is undone by nextMonth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2199 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        const month = `${y}-${String(m).padStart(2, '0')}`;
        expect(nextMonth(previousMonth(month))).toBe(month);
        expect(previousMonth(nextMonth(month))).toBe(month);
      }),
    );
  });
});

describe('monthBounds', () => {
  it('gives the days and the Shanghai instants of February in a leap year', () => {
    const b = monthBounds('2024-02');
    expect(b.firstDay).toBe('2024-02-01');
    expect(b.lastDay).toBe('2024-02-29');
    expect(b.start.toISOString()).toBe('2024-01-31T16:00:00.000Z');
    expect(b.end.toISOString()).toBe('2024-02-29T16:00:00.000Z');
  });

  it('ends December at the start of the next year', () => {
    const b = monthBounds('2023-12');
    expect(b.lastDay).toBe('2023-12-31');
    expect(b.end.toISOString()).toBe('2023-12-31T16:00:00.000Z');
  });

  it('ends a common-year February on the 28th', () => {
    expect(monthBounds('2023-02').lastDay).toBe('2023-02-28');
  });

  it('throws on an invalid month', () => {
    expect(() => monthBounds('2024-13')).toThrow(RangeError);
  });

  it('holds exactly the instants whose local date falls in the month', () => {
    fc.assert(
      fc.property(localDateArb, (d) => {
        const b = monthBounds(monthOf(d));
        const start = startOfLocalDay(d);
        expect(start.getTime()).toBeGreaterThanOrEqual(b.start.getTime());
        expect(start.getTime()).toBeLessThan(b.end.getTime());
        expect(monthOf(localDateOf(new Date(b.end.getTime() - 1)))).toBe(monthOf(d));
        expect(localDateOf(new Date(b.end.getTime() - 1))).toBe(b.lastDay);
        expect(localDateOf(b.end)).toBe(addDays(b.lastDay, 1));
      }),
    );
  });
});

describe('monthLabel', () => {
  it('writes the month without a leading zero', () => {
    expect(monthLabel('2025-03')).toBe('2025年3月');
    expect(monthLabel('2022-10')).toBe('2022年10月');
    expect(monthLabel('0999-12')).toBe('999年12月');
  });

  it('refuses what is not a month rather than labelling it', () => {
    expect(() => monthLabel('2025-13')).toThrow(RangeError);
    expect(() => monthLabel('2025-3')).toThrow(RangeError);
  });
});

describe('localDateTimeOf', () => {
  it('shows Beijing wall-clock time whatever the machine zone is', () => {
    expect(localDateTimeOf(new Date('2025-03-31T18:30:05Z'))).toBe('2025-04-01 02:30:05');
    expect(localTimeOf(new Date('2025-03-31T18:30:05Z'))).toBe('02:30');
    expect(localTimeOf(new Date('2025-06-01T11:45:00+08:00'))).toBe('11:45');
  });

  it('agrees with localDateOf on the date of every instant', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        (d) => {
          expect(localDateTimeOf(d).slice(0, 10)).toBe(localDateOf(d));
        },
      ),
    );
  });

  it('agrees with Intl for Asia/Shanghai (no daylight saving time since 1991)', () => {
    const intl = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1992-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        (d) => {
          expect(localDateTimeOf(d)).toBe(intl.format(d));
        },
      ),
    );
  });
});
