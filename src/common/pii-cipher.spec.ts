import { createCipheriv, randomBytes } from 'node:crypto';
import { loadConfig, piiKeyring } from '../config/app-config';
import { PiiCipher } from './pii-cipher';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const hmacKey = randomBytes(32);
const ID = '371502194404040176';

// A value as written before ciphertexts carried a key id: iv | tag | body under key 1.
function legacySeal(key: Buffer, plain: string, iv = randomBytes(12)): Buffer {
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

const onlyKey1 = () => new PiiCipher(k1, hmacKey);
const rotated = () =>
  new PiiCipher(
    {
      current: 2,
      keys: new Map([
        [1, k1],
        [2, k2],
      ]),
    },
    hmacKey,
  );

describe(PiiCipher.name, () => {
  it('round-trips a number and names its key in the first bytes', () => {
    const sealed = onlyKey1().encrypt(ID);
    expect([...sealed.subarray(0, 2)]).toEqual([0x6b, 1]);
    expect(onlyKey1().decrypt(sealed)).toBe(ID);
    expect(onlyKey1().encrypt(ID).equals(sealed)).toBe(false);
  });

  it('writes with the current key and still reads values of older keys and of no key', () => {
    const cipher = rotated();
    const fresh = cipher.encrypt(ID);
    expect(fresh[1]).toBe(2);
    expect(cipher.open(fresh)).toEqual({ plain: ID, keyId: 2, legacy: false });
    expect(cipher.open(onlyKey1().encrypt(ID))).toEqual({ plain: ID, keyId: 1, legacy: false });
    expect(cipher.open(legacySeal(k1, ID))).toEqual({ plain: ID, keyId: 1, legacy: true });
  });

  it('reads a legacy value whose random IV happens to begin with a key header', () => {
    const iv = Buffer.concat([Buffer.from([0x6b, 2]), randomBytes(10)]);
    expect(rotated().open(legacySeal(k1, ID, iv))).toEqual({ plain: ID, keyId: 1, legacy: true });
  });

  it('tells which values re-encryption still has to move', () => {
    const cipher = rotated();
    expect(cipher.isCurrent(cipher.encrypt(ID))).toBe(true);
    expect(cipher.isCurrent(onlyKey1().encrypt(ID))).toBe(false);
    expect(cipher.isCurrent(legacySeal(k1, ID))).toBe(false);
    // With key 1 current, a legacy value is still moved: afterwards every value names its key.
    expect(onlyKey1().isCurrent(legacySeal(k1, ID))).toBe(false);
  });

  it('refuses a value it holds no key for, and a tampered value', () => {
    expect(() => onlyKey1().decrypt(rotated().encrypt(ID))).toThrow();
    const sealed = onlyKey1().encrypt(ID);
    sealed[sealed.length - 1] ^= 1;
    expect(() => onlyKey1().decrypt(sealed)).toThrow();
  });

  it('refuses a keyring whose current key is missing or malformed', () => {
    expect(() => new PiiCipher({ current: 2, keys: new Map([[1, k1]]) }, hmacKey)).toThrow(/current key/);
    expect(() => new PiiCipher({ current: 1, keys: new Map([[1, randomBytes(16)]]) }, hmacKey)).toThrow(/32 bytes/);
    expect(() => new PiiCipher({ current: 300, keys: new Map([[300, k1]]) }, hmacKey)).toThrow(/1\.\.255/);
  });

  it('finds a number by the same HMAC whatever the encryption key', () => {
    expect(rotated().hmac(ID).equals(onlyKey1().hmac(ID))).toBe(true);
  });
});

describe(piiKeyring.name, () => {
  const env = {
    DATABASE_URL: 'postgres://x@localhost/test',
    REDIS_URL: 'redis://localhost',
    PII_ENCRYPTION_KEY: k1.toString('hex'),
    PII_HMAC_KEY: hmacKey.toString('hex'),
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'admin-pass-123',
  };

  it('is key 1 alone by default, and adds the rotated keys with the one to write with', () => {
    expect(piiKeyring(loadConfig(env))).toEqual({ current: 1, keys: new Map([[1, k1]]) });
    const config = loadConfig({
      ...env,
      PII_ENCRYPTION_KEYS: `2:${k2.toString('hex')}, 3:${k1.toString('base64')}`,
      PII_ENCRYPTION_KEY_ID: '2',
    });
    expect(piiKeyring(config)).toEqual({
      current: 2,
      keys: new Map([
        [1, k1],
        [2, k2],
        [3, k1],
      ]),
    });
  });

  it('refuses malformed extra keys and a current key id that names no key', () => {
    for (const bad of ['2:short', `1:${k2.toString('hex')}`, `2:${k2.toString('hex')},2:${k2.toString('hex')}`, 'x'])
      expect(() => loadConfig({ ...env, PII_ENCRYPTION_KEYS: bad })).toThrow(/PII_ENCRYPTION_KEYS/);
    expect(() => loadConfig({ ...env, PII_ENCRYPTION_KEY_ID: '2' })).toThrow(/PII_ENCRYPTION_KEY_ID/);
  });
});
