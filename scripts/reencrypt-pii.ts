// npm run pii:reencrypt — after a new PII_ENCRYPTION_KEY_ID is set: re-encrypts every stored ID number with the
// current key, so older keys can later be dropped. Idempotent; safe to run while the API serves; run it again after
// an interruption. Reads the same environment as the app (.env via scripts/run.sh, or the deployment's variables).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { PiiCipher } from '../src/common/pii-cipher';
import { keyBytes, loadConfig, piiKeyring } from '../src/config/app-config';
import { databaseOptions } from '../src/database/database-options';
import { reencryptIdNumbers } from '../src/diners/pii-reencryption';

async function main(): Promise<void> {
  const config = loadConfig();
  const cipher = new PiiCipher(piiKeyring(config), keyBytes(config.PII_HMAC_KEY));
  const db = new DataSource(databaseOptions(config.DATABASE_URL, { poolSize: 2, applicationName: 'pii-reencrypt' }));
  await db.initialize();
  try {
    const result = await reencryptIdNumbers(db, cipher, {
      onBatch: (r) => process.stdout.write(`  ${r.scanned} diners checked, ${r.rewritten} re-encrypted\n`),
    });
    process.stdout.write(
      `ID numbers on key ${cipher.currentKeyId}: ${result.scanned} diners checked, ${result.rewritten} re-encrypted\n`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`re-encryption failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
