import { thrownBy } from '../../test/support/thrown';
import { AppError, notFound } from './app-error';
import { BigIdParamPipe, IdParamPipe, parsePathId } from './id-param.pipe';

describe(parsePathId.name, () => {
  it('accepts positive integers up to the int4 maximum, in canonical form', () => {
    expect(parsePathId('1')).toBe('1');
    expect(parsePathId('007')).toBe('7');
    expect(parsePathId('2147483647')).toBe('2147483647');
  });

  it('refuses zero, signs, fractions, blanks and values beyond int4', () => {
    for (const text of ['0', '-1', '+1', '1.0', '1e3', ' 1', '', 'abc', '2147483648', '00000000007', '9'.repeat(20)]) {
      expect(parsePathId(text)).toBeNull();
    }
  });

  it('takes a larger maximum for bigserial ids', () => {
    expect(parsePathId('9223372036854775807', 9_223_372_036_854_775_807n)).toBe('9223372036854775807');
    expect(parsePathId('9223372036854775808', 9_223_372_036_854_775_807n)).toBeNull();
  });
});

describe(IdParamPipe.name, () => {
  it('answers a number, and 400 INVALID_ID for a value beyond int4', () => {
    expect(new IdParamPipe().transform('42')).toBe(42);
    let error: unknown;
    try {
      new IdParamPipe().transform('2147483648');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'INVALID_ID' });
    expect((error as AppError).getStatus()).toBe(400);
  });

  it('answers the route’s own error when it has one', () => {
    const pipe = new IdParamPipe(() => notFound('CLAIM_NOT_FOUND', '申报记录不存在'));
    expect(thrownBy(() => pipe.transform('x'))).toMatchObject({ code: 'CLAIM_NOT_FOUND' });
  });
});

describe(BigIdParamPipe.name, () => {
  it('keeps a bigserial id as exact text', () => {
    expect(new BigIdParamPipe().transform('9007199254740993')).toBe('9007199254740993');
  });
});
