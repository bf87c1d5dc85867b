import {
  loginBuckets,
  MAX_FAILURES_PER_ADDRESS,
  MAX_FAILURES_PER_KNOWN_ADDRESS,
  MAX_FAILURES_PER_USER,
} from './login-limits';

describe(loginBuckets.name, () => {
  it('counts an attempt from a known address only against that user and address, cleared on success', () => {
    expect(loginBuckets({ username: 'shouyin1', userId: 7, ip: '10.0.0.5', knownAddress: true })).toEqual([
      { key: 'pair:7@10.0.0.5', limit: MAX_FAILURES_PER_KNOWN_ADDRESS, onSuccess: 'clear' },
    ]);
  });

  it('counts an attempt from elsewhere against the username and the address, in key order', () => {
    const buckets = loginBuckets({ username: 'shouyin1', userId: 7, ip: '10.0.0.5', knownAddress: false });
    expect(buckets.map((b) => [b.key.split(':')[0], b.limit, b.onSuccess])).toEqual([
      ['addr', MAX_FAILURES_PER_ADDRESS, 'release'],
      ['user', MAX_FAILURES_PER_USER, 'release'],
    ]);
    expect(buckets[0].key).toBe('addr:10.0.0.5');
  });

  it('treats an unknown username like a known one from a strange address, and keeps no typed text', () => {
    const idLike = '371502194105255185';
    const buckets = loginBuckets({ username: idLike, userId: null, ip: null, knownAddress: true });
    expect(buckets.map((b) => b.key.split(':')[0])).toEqual(['addr', 'user']);
    expect(JSON.stringify(buckets)).not.toContain(idLike);
    expect(buckets[0].key).toBe('addr:unknown');
  });

  it('gives one username the same bucket whatever the address, and two usernames different ones', () => {
    const key = (username: string, ip: string) =>
      loginBuckets({ username, userId: 1, ip, knownAddress: false }).find((b) => b.key.startsWith('user:'))?.key;
    expect(key('a1', '10.0.0.1')).toBe(key('a1', '10.0.0.2'));
    expect(key('a1', '10.0.0.1')).not.toBe(key('a2', '10.0.0.1'));
  });
});
