import fc from 'fast-check';
import { fenToYuan, formatYuan, formatYuanWithSign, isFen, parseYuanToFen } from './money';

describe('formatYuan', () => {
  it.each([
    [1250, '12.50'],
    [5, '0.05'],
    [0, '0.00'],
    [100, '1.00'],
    [-50, '-0.50'],
    [-1250, '-12.50'],
    [123456789, '1234567.89'],
  ])('formats %i fen as %s', (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });

  it('formats negative zero as 0.00', () => {
    expect(formatYuan(-0)).toBe('0.00');
  });

  it('throws on a fractional or unsafe amount', () => {
    expect(() => formatYuan(1.5)).toThrow(RangeError);
    expect(() => formatYuan(Number.NaN)).toThrow(RangeError);
    expect(() => formatYuan(2 ** 53)).toThrow(RangeError);
  });
});

describe('formatYuanWithSign', () => {
  it('puts the yuan sign in front', () => {
    expect(formatYuanWithSign(1250)).toBe('¥12.50');
    expect(formatYuanWithSign(0)).toBe('¥0.00');
  });

  it('puts a minus before the yuan sign', () => {
    expect(formatYuanWithSign(-50)).toBe('-¥0.50');
  });
});

describe('fenToYuan', () => {
  it('gives the yuan amount as a number', () => {
    expect(fenToYuan(1250)).toBe(12.5);
    expect(fenToYuan(5)).toBe(0.05);
    expect(fenToYuan(-1)).toBe(-0.01);
  });

  it('is the same number as the formatted decimal parses to', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (fen) => {
        expect(fenToYuan(fen)).toBe(Number(formatYuan(fen)));
      }),
    );
  });

  it('throws on a fractional amount', () => {
    expect(() => fenToYuan(0.5)).toThrow(RangeError);
  });
});

describe('parseYuanToFen', () => {
  it.each([
    ['12.5', 1250],
    ['12.50', 1250],
    ['0.05', 5],
    ['0', 0],
    ['12', 1200],
    ['007.10', 710],
    [' 3.20 ', 320],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ])('reads %j as %i fen', (s, fen) => {
    expect(parseYuanToFen(s)).toBe(fen);
  });

  it.each([
    '1.234',
    'abc',
    '',
    ' ',
    '-1',
    '-0.50',
    '+1',
    '1,000',
    '1.',
    '.5',
    '1e3',
    '¥12',
    '１２',
    '90071992547409.92',
  ])('rejects %j', (s) => {
    expect(() => parseYuanToFen(s)).toThrow(Error);
  });

  it('reads back what formatYuan writes', () => {
    fc.assert(
      fc.property(
        fc.maxSafeInteger().filter((n) => n >= 0),
        (fen) => {
          expect(parseYuanToFen(formatYuan(fen))).toBe(fen);
        },
      ),
    );
  });
});

describe('isFen', () => {
  it('accepts safe non-negative integers', () => {
    expect([0, 1, 1250, Number.MAX_SAFE_INTEGER].every(isFen)).toBe(true);
  });

  it.each([[-1], [1.5], [Number.NaN], [Infinity], [2 ** 53], ['100'], [null], [undefined], [100n]])(
    'rejects %p',
    (n) => {
      expect(isFen(n)).toBe(false);
    },
  );
});
