import { DataSource } from 'typeorm';
import { PiiCipher } from '../common/pii-cipher';
import { idNumberBatch, resealIdNumber } from './diner.queries';

export interface ReencryptionResult {
  scanned: number;
  rewritten: number;
}

/**
 * Re-encrypts every diner's ID number that is not yet sealed with the cipher's current key, in batches by id, one
 * transaction per batch. Idempotent: a second run rewrites nothing. A row changed meanwhile is left for the next run
 * (the UPDATE matches the old ciphertext), so it can run while the API serves.
 */
export async function reencryptIdNumbers(
  db: DataSource,
  cipher: PiiCipher,
  options: { batchSize?: number; onBatch?: (r: ReencryptionResult) => void } = {},
): Promise<ReencryptionResult> {
  const batchSize = options.batchSize ?? 500;
  const total: ReencryptionResult = { scanned: 0, rewritten: 0 };
  let after = 0;
  for (;;) {
    const rows = await idNumberBatch(db, after, batchSize);
    if (rows.length === 0) return total;
    await db.transaction(async (m) => {
      for (const row of rows) {
        if (cipher.isCurrent(row.id_number_enc)) continue;
        const resealed = cipher.encrypt(cipher.decrypt(row.id_number_enc));
        if (await resealIdNumber(m, row.id, row.id_number_enc, resealed)) total.rewritten++;
      }
    });
    total.scanned += rows.length;
    after = rows[rows.length - 1].id;
    options.onBatch?.(total);
  }
}
