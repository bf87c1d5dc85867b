import fc from 'fast-check';
import { passwordProblem } from './password-policy';

const rule = (password: string, username?: string) => passwordProblem(password, username)?.rule ?? null;

describe(passwordProblem.name, () => {
  it('refuses the passwords issue 12 names', () => {
    expect(rule('12345678')).toBe('COMMON');
    expect(rule('        ')).toBe('BLANK');
    expect(rule('password')).toBe('COMMON');
    expect(rule('shouyin001', 'shouyin001')).toBe('CONTAINS_USERNAME');
  });

  it('counts length without surrounding spaces, in characters', () => {
    expect(rule('  ab12  ')).toBe('TOO_SHORT');
    expect(rule('abc-123')).toBe('TOO_SHORT');
    expect(rule('食堂收银员二〇二二')).toBe('TOO_SIMPLE');
    expect(rule('食堂收银员2022')).toBeNull();
  });

  it('refuses the commonest passwords in any case, with or without surrounding spaces', () => {
    for (const p of ['11111111', 'Qwerty123', ' PASSWORD1 ', '1qaz2wsx', 'woaini1314', 'Admin123']) {
      expect(rule(p)).toBe('COMMON');
    }
  });

  it('wants two kinds of characters and at least four different ones', () => {
    expect(rule('abcdefghij')).toBe('TOO_SIMPLE');
    expect(rule('9876543210123')).toBe('TOO_SIMPLE');
    expect(rule('1a1a1a1a1a')).toBe('TOO_SIMPLE');
    expect(rule('--------')).toBe('TOO_SIMPLE');
    expect(rule('abcdefg1')).toBeNull();
    expect(rule('Abcdefgh')).toBeNull();
  });

  it('refuses the username, or the username with a short tail, but not a long password that holds it', () => {
    expect(rule('Caiwu2022', 'caiwu')).toBe('CONTAINS_USERNAME');
    expect(rule('zhanzhang1!', 'zhanzhang1')).toBe('CONTAINS_USERNAME');
    expect(rule('admin-demo-2022', 'admin')).toBeNull();
    expect(rule('admin-pass-123', 'admin')).toBeNull();
    expect(rule('caiwu-demo-2022', 'caiwu')).toBeNull();
    expect(rule('xx', 'ab')).toBe('TOO_SHORT');
  });

  it('accepts the demo and test passwords', () => {
    for (const [p, u] of [
      ['finance-demo-2022', 'caiwu'],
      ['operator-demo-2022', 'zhanzhang1'],
      ['cashier-demo-2022', 'shouyin1'],
      ['cashier-pass-1', 'new_cashier'],
      ['bench-admin-1', 'admin'],
    ]) {
      expect(rule(p, u)).toBeNull();
    }
  });

  it('accepts any password of 8+ characters with a letter, a digit and 4 different characters (property)', () => {
    const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
    const digit = fc.constantFrom(...'0123456789'.split(''));
    const any = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_!@#'.split(''));
    const strong = fc
      .tuple(letter, digit, fc.array(any, { minLength: 6, maxLength: 30 }))
      .map(([l, d, rest]) => `${l}${d}${rest.join('')}`)
      .filter((p) => new Set(p.toLowerCase()).size >= 4 && passwordProblem(p) === null);
    fc.assert(
      fc.property(strong, (p) => {
        // A username the password does not contain changes nothing; the password as username is refused.
        expect(rule(p, 'zz_nobody_zz')).toBeNull();
        expect(rule(p, p)).toBe('CONTAINS_USERNAME');
      }),
    );
  });

  it('refuses every password shorter than 8 characters once trimmed (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 7 }), (p) => {
        expect(['BLANK', 'TOO_SHORT']).toContain(rule(p));
      }),
    );
  });
});
