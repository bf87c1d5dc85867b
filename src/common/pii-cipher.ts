import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Encryption keys by id (1..255) and the id new values are written with. */
export interface PiiKeyring {
  current: number;
  keys: ReadonlyMap<number, Buffer>;
}

// A sealed value starts with this byte and the key id; values written before key ids existed carry no header and
// are read with key 1. A legacy value whose random IV happens to begin with the header fails the GCM check under
// the named key and is then read as legacy, so the header can never make a value unreadable.
const MARK = 0x6b; // 'k'
const IV = 12;
const TAG = 16;

/**
 * SPEC §7: ID numbers are stored encrypted (AES-256-GCM) and found through a keyed HMAC of the
 * normalised number, so the database alone reveals neither the numbers nor a way to test guesses.
 * Each ciphertext names its key, so a new key can take over writes while older keys still read.
 */
export class PiiCipher {
  private readonly keyring: PiiKeyring;

  constructor(
    encryption: Buffer | PiiKeyring,
    private readonly hmacKey: Buffer,
  ) {
    this.keyring = Buffer.isBuffer(encryption) ? { current: 1, keys: new Map([[1, encryption]]) } : encryption;
    const { current, keys } = this.keyring;
    if (!keys.has(current)) throw new Error(`PII key ${current} (the current key) is not configured`);
    for (const [id, key] of keys) {
      if (!Number.isInteger(id) || id < 1 || id > 255) throw new Error(`PII key id ${id} is outside 1..255`);
      if (key.length !== 32) throw new Error('PII keys must be 32 bytes');
    }
    if (hmacKey.length !== 32) throw new Error('PII keys must be 32 bytes');
  }

  /** The key id new values are written with. */
  get currentKeyId(): number {
    return this.keyring.current;
  }

  encrypt(plain: string): Buffer {
    const id = this.keyring.current;
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.keys.get(id)!, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([MARK, id]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer): string {
    return this.open(sealed).plain;
  }

  /** The plain text and the key that sealed it; `legacy` for a value written before key ids (key 1). */
  open(sealed: Buffer): { plain: string; keyId: number; legacy: boolean } {
    const named = sealed.length >= 2 + IV + TAG && sealed[0] === MARK ? this.keyring.keys.get(sealed[1]) : undefined;
    if (named) {
      try {
        return { plain: gcmOpen(named, sealed.subarray(2)), keyId: sealed[1], legacy: false };
      } catch {
        // Not sealed under that header after all: read it as a legacy value below.
      }
    }
    const legacyKey = this.keyring.keys.get(1);
    if (!legacyKey) throw new Error('PII value has no known key id and key 1 is not configured');
    return { plain: gcmOpen(legacyKey, sealed), keyId: 1, legacy: true };
  }

  /** True when the value is sealed with the current key in the current format, so re-encryption can skip it. */
  isCurrent(sealed: Buffer): boolean {
    const { keyId, legacy } = this.open(sealed);
    return !legacy && keyId === this.keyring.current;
  }

  hmac(normalised: string): Buffer {
    return createHmac('sha256', this.hmacKey).update(normalised, 'utf8').digest();
  }
}

function gcmOpen(key: Buffer, sealed: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
  return Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]).toString('utf8');
}
