import { PassThrough } from 'node:stream';
import { redactDeep, redactIdNumbers, redactUrl } from './redact';

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
    const fullWidth = encodeURIComponent('１１０１０５１９４９１２３１００２Ｘ');
    for (const value of [spaced, plus, fullWidth]) {
      const out = redactUrl(`/api/subsidy/quote?priceFen=1&idNumber=${value}`);
      expect(out.toUpperCase()).toBe(`/api/subsidy/quote?priceFen=1&idNumber=${masked}`.toUpperCase());
      expect(out).not.toMatch(/19491231/);
    }
  });

  it('masks numbers in the path and leaves other values untouched', () => {
    expect(redactUrl(`/api/diners/${id}`)).toBe(`/api/diners/${masked}`);
    expect(redactUrl('/api/meals?date=2025-06-15&name=%E5%BC%A0%E4%B8%89&bad=%E0%A4%A')).toBe(
      '/api/meals?date=2025-06-15&name=%E5%BC%A0%E4%B8%89&bad=%E0%A4%A',
    );
    expect(redactUrl('/api/health')).toBe('/api/health');
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
