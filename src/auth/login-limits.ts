import { createHash } from 'node:crypto';

// SPEC §2 / issue 12: limits that no burst beats and that a stranger cannot use to lock an owner out of their till.
/** Failures of one user at one of its known addresses (where it logged in before). */
export const MAX_FAILURES_PER_KNOWN_ADDRESS = 5;
/** Failures of one username from every address it never logged in from, together. */
export const MAX_FAILURES_PER_USER = 5;
/** Failures from one address across usernames it never logged in as (a canteen PC or NAT is shared). */
export const MAX_FAILURES_PER_ADDRESS = 20;
/** A bucket forgets its failures this long after the last one. */
export const FAILURE_WINDOW_SECONDS = 15 * 60;
/** An address stays known for a user this long after its last successful login there. */
export const KNOWN_ADDRESS_DAYS = 90;
/** Stands for a request whose address Express could not tell. */
export const UNKNOWN_ADDRESS = 'unknown';

export interface LoginBucket {
  key: string;
  limit: number;
  /** On a successful login: forget the bucket ('clear') or only give back this attempt's slot ('release'). */
  onSuccess: 'clear' | 'release';
}

/**
 * The buckets a login attempt is counted in. An attempt reserves a slot in each before its password is checked and
 * keeps it when the password is wrong. From a known address only that user-and-address pair counts, so strangers
 * elsewhere can neither use up nor wait out its limit; from anywhere else the username's and the address's counts.
 */
export function loginBuckets(attempt: {
  username: string;
  userId: number | null;
  ip: string | null;
  knownAddress: boolean;
}): LoginBucket[] {
  const ip = attempt.ip ?? UNKNOWN_ADDRESS;
  if (attempt.knownAddress && attempt.userId !== null) {
    return [{ key: `pair:${attempt.userId}@${ip}`, limit: MAX_FAILURES_PER_KNOWN_ADDRESS, onSuccess: 'clear' }];
  }
  // The typed name is hashed: the table holds no stranger's text (someone may type an ID number as a username).
  const name = createHash('sha256').update(attempt.username).digest('hex').slice(0, 32);
  const buckets: LoginBucket[] = [
    { key: `user:${name}`, limit: MAX_FAILURES_PER_USER, onSuccess: 'release' },
    { key: `addr:${ip}`, limit: MAX_FAILURES_PER_ADDRESS, onSuccess: 'release' },
  ];
  // Always reserved in key order, so two attempts never wait on each other's rows the other way round.
  return buckets.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
