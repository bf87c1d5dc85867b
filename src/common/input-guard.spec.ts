import { thrownBy } from '../../test/support/thrown';
import { InputGuardPipe } from './validation';

describe(InputGuardPipe.name, () => {
  const pipe = new InputGuardPipe();
  const body = (value: unknown): unknown => pipe.transform(value, { type: 'body' });

  it('refuses a lone UTF-16 surrogate anywhere, which PostgreSQL jsonb cannot hold', () => {
    for (const bad of ['\ud800', 'a\udc00b', { address: 'x\udbff' }, ['ok', '\udfff']]) {
      expect(thrownBy(() => body(bad))).toMatchObject({ code: 'INVALID_CHARACTER' });
    }
  });

  it('lets a well-formed surrogate pair and ordinary Chinese through', () => {
    const value = { name: '幸福食堂 😀', note: '𠮷野家' };
    expect(body(value)).toBe(value);
  });
});
