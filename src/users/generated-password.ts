// A password made by the server for a reset (issue 16): shown once to the operator who reset it, never stored in
// clear or logged. Pure, no Nest. 12 characters from an alphabet without look-alikes (0/O, 1/l/I), at least one
// lower-case letter, one upper-case letter and one digit: about 69 bits, and easy to read out over a counter.
import { randomInt } from 'node:crypto';
import { passwordProblem } from '../auth/password-policy';

const LOWER = 'abcdefghijkmnpqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const ALPHABET = LOWER + UPPER + DIGITS;
export const GENERATED_PASSWORD_LENGTH = 12;

/** `pick(n)` answers a uniform integer in [0, n); the default is the operating system's CSPRNG. */
export function generatePassword(username: string, pick: (n: number) => number = randomInt): string {
  for (;;) {
    const chars = Array.from({ length: GENERATED_PASSWORD_LENGTH }, () => ALPHABET[pick(ALPHABET.length)]);
    const password = chars.join('');
    const varied = [LOWER, UPPER, DIGITS].every((set) => chars.some((c) => set.includes(c)));
    if (varied && passwordProblem(password, username) === null) return password;
  }
}
