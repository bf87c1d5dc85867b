import fc from 'fast-check';
import { INSTANT_SHAPE, parseInstant } from './instant';

const iso = (text: string): string | undefined => parseInstant(text)?.toISOString();

describe('parseInstant', () => {
  it('reads an instant with its offset, seconds and fraction optional', () => {
    expect(iso('2025-06-01T11:45:00+08:00')).toBe('2025-06-01T03:45:00.000Z');
    expect(iso('2025-06-01T11:45+08:00')).toBe('2025-06-01T03:45:00.000Z');
    expect(iso('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(iso('2025-01-01T00:30:00-05:30')).toBe('2025-01-01T06:00:00.000Z');
  });

  it('reads 0 to 9 fractional digits, keeping the millisecond and truncating finer digits', () => {
    expect(iso('2026-12-01T01:27:59Z')).toBe('2026-12-01T01:27:59.000Z');
    expect(iso('2026-12-01T01:27:59.1Z')).toBe('2026-12-01T01:27:59.100Z');
    expect(iso('2026-12-01T01:27:59.12Z')).toBe('2026-12-01T01:27:59.120Z');
    expect(iso('2026-12-01T01:27:59.123Z')).toBe('2026-12-01T01:27:59.123Z');
    // Python's and Java's default, and Go's RFC3339Nano.
    expect(iso('2026-12-01T01:27:59.123456+00:00')).toBe('2026-12-01T01:27:59.123Z');
    expect(iso('2026-12-01T01:27:59.123456789Z')).toBe('2026-12-01T01:27:59.123Z');
    // Truncated, never rounded: the instant stays in the second (and the day) the client named.
    expect(iso('2026-12-31T23:59:59.999999999Z')).toBe('2026-12-31T23:59:59.999Z');
    expect(iso('2026-12-01T01:27:59.000000001Z')).toBe('2026-12-01T01:27:59.000Z');
  });

  it('takes T and Z in either case, and any offset RFC 3339 allows', () => {
    expect(iso('2026-12-01t09:27:59.5z')).toBe('2026-12-01T09:27:59.500Z');
    expect(iso('2026-12-01T09:27:59-00:00')).toBe('2026-12-01T09:27:59.000Z');
    expect(iso('2026-12-01T09:27:59+23:59')).toBe('2026-11-30T09:28:59.000Z');
    expect(iso('2026-12-01T09:27:59-23:59')).toBe('2026-12-02T09:26:59.000Z');
    expect(iso('2026-12-01T09:27:59+05:45')).toBe('2026-12-01T03:42:59.000Z');
  });

  it('refuses days, months and times that do not exist instead of rolling them over', () => {
    for (const text of [
      '2025-02-29T12:00:00+08:00',
      '2025-02-30T12:00:00+08:00',
      '2025-04-31T12:00:00+08:00',
      '2025-13-01T12:00:00+08:00',
      '2025-00-10T12:00:00+08:00',
      '2025-06-00T12:00:00+08:00',
      '2025-06-01T24:00:00+08:00',
      '2025-06-01T11:60:00+08:00',
      '2025-06-01T11:45:60+08:00',
      '2016-12-31T23:59:60Z',
      '2025-06-01T11:45:00+24:00',
      '2025-06-01T11:45:00+08:60',
      '1899-12-31T23:59:59Z',
      '3000-01-01T00:00:00Z',
    ]) {
      expect([text, parseInstant(text)]).toEqual([text, null]);
    }
  });

  it('refuses what is not an RFC 3339 date-time with an offset', () => {
    for (const text of [
      '',
      'yesterday',
      '2025-06-01',
      '2025-06-01T11:45:00',
      '2025-06-01 11:45:00+08:00',
      '2025-06-01T11:45:00.Z',
      '2025-06-01T11:45:00.1234567890Z',
      '2025-06-01T11:45:00+0800',
      '2025-06-01T11:45:00+08',
      '2025-06-01T11:45:00 Z',
      ' 2025-06-01T11:45:00Z',
      '2025-06-01T11:45:00Z ',
      '+002025-06-01T11:45:00Z',
      '2025-6-1T11:45:00Z',
      '2025-06-01T11:45:00UTC',
      '２０２５-06-01T11:45:00Z',
    ]) {
      expect([text, INSTANT_SHAPE.test(text), parseInstant(text)]).toEqual([text, false, null]);
    }
  });

  // Every instant of the business range, written the way any client library may write it, reads back as that
  // instant to the millisecond.
  const instants = fc.date({
    min: new Date('1900-01-02T00:00:00Z'),
    max: new Date('2999-12-30T23:59:59.999Z'),
    noInvalidDate: true,
  });
  const offsets = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

  /** `instant` as RFC 3339 at `offset` minutes east of UTC, with `digits` fractional digits (extra ones `extra`). */
  function write(instant: Date, offset: number, digits: number, extra: string, lower: boolean, zulu: boolean): string {
    const local = new Date(instant.getTime() + offset * 60_000);
    const ms = pad(local.getUTCMilliseconds(), 3);
    const fraction = digits === 0 ? '' : `.${(ms + extra).slice(0, digits)}`;
    const sign = offset < 0 ? '-' : '+';
    const zone =
      zulu && offset === 0 ? 'Z' : `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
    const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}`;
    const text = `${date}T${time}${zone}`;
    return lower ? text.toLowerCase() : text;
  }

  it('reads every instant back to the millisecond, whatever the offset, case and number of digits (3..9)', () => {
    fc.assert(
      fc.property(
        instants,
        offsets,
        fc.integer({ min: 3, max: 9 }),
        fc.stringMatching(/^\d{6}$/),
        fc.boolean(),
        fc.boolean(),
        (instant, offset, digits, extra, lower, zulu) => {
          const text = write(instant, offset, digits, extra, lower, zulu);
          expect([text, parseInstant(text)?.getTime()]).toEqual([text, instant.getTime()]);
        },
      ),
    );
  });

  it('reads fewer digits as the instant cut to that precision', () => {
    fc.assert(
      fc.property(instants, offsets, fc.integer({ min: 0, max: 2 }), (instant, offset, digits) => {
        const text = write(instant, offset, digits, '', false, false);
        const unit = 10 ** (3 - digits);
        const cut = instant.getTime() - (((instant.getTime() % unit) + unit) % unit);
        expect([text, parseInstant(text)?.getTime()]).toEqual([text, cut]);
      }),
    );
  });

  it('agrees with Date for the millisecond forms Date reads', () => {
    fc.assert(
      fc.property(instants, (instant) => {
        expect(parseInstant(instant.toISOString())?.getTime()).toBe(instant.getTime());
      }),
    );
  });
});
