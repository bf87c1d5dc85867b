import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * SPEC §7: ID numbers are stored encrypted (AES-256-GCM) and found through a keyed HMAC of the
 * normalised number, so the database alone reveals neither the numbers nor a way to test guesses.
 */
export class PiiCipher {
  constructor(
    private readonly encryptionKey: Buffer,
    private readonly hmacKey: Buffer,
  ) {
    if (encryptionKey.length !== 32 || hmacKey.length !== 32) throw new Error('PII keys must be 32 bytes');
  }

  encrypt(plain: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  }

  hmac(normalised: string): Buffer {
    return createHmac('sha256', this.hmacKey).update(normalised, 'utf8').digest();
  }
}
