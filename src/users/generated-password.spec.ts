import { passwordProblem } from '../auth/password-policy';
import { GENERATED_PASSWORD_LENGTH, generatePassword } from './generated-password';

describe(generatePassword.name, () => {
  it('makes passwords the policy accepts, with lower, upper and digits and no look-alikes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const p = generatePassword('cashier1');
      expect(p).toHaveLength(GENERATED_PASSWORD_LENGTH);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[2-9]/);
      expect(p).not.toMatch(/[01OlI]/);
      expect(passwordProblem(p, 'cashier1')).toBeNull();
      seen.add(p);
    }
    expect(seen.size).toBe(500);
  });

  it('draws again until the password has every kind of character', () => {
    // A source that first gives only lower-case letters, then cycles through the whole alphabet.
    let calls = 0;
    const p = generatePassword('x', (n) => (calls++ < 12 ? 0 : (calls * 7) % n));
    expect(calls).toBeGreaterThan(12);
    expect(p).toMatch(/[A-Z]/);
    expect(p).toMatch(/[2-9]/);
  });
});
