import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { PiiCipher } from '../src/common/pii-cipher';
import { AppConfig } from '../src/config/app-config';
import { configureApp } from '../src/configure-app';
import { reencryptIdNumbers } from '../src/diners/pii-reencryption';
import { makeIdNumber } from '../src/subsidy/id-number';
import { createDiner } from './support/factories';
import { startTestApp, testConfig, TestApp, TEST_ADMIN } from './support/test-app';
import { configEnv } from './support/test-worker';

// Issue 12 §8: every ciphertext names its key; a new key takes over writes, old keys still read, and
// `npm run pii:reencrypt` moves every stored ID number to the current key.

const key1 = randomBytes(32).toString('hex');
const key2 = randomBytes(32).toString('hex');
const hmacKey = randomBytes(32).toString('hex');

// An ID number as stored before ciphertexts carried a key id.
function legacySeal(plain: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', Buffer.from(key1, 'hex'), iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

/** The same app again on the same database, as after a restart with new settings. */
async function restartWith(config: AppConfig): Promise<{ app: NestExpressApplication; close: () => Promise<void> }> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  configureApp(app);
  await app.init();
  return { app, close: () => app.close() };
}

describe('PII key rotation', () => {
  let before: TestApp;
  let after: { app: NestExpressApplication; close: () => Promise<void> } | undefined;
  let rotatedConfig: AppConfig;

  beforeAll(async () => {
    before = await startTestApp({ env: { PII_ENCRYPTION_KEY: key1, PII_HMAC_KEY: hmacKey } });
    rotatedConfig = testConfig(before.config.DATABASE_URL, {
      PII_ENCRYPTION_KEY: key1,
      PII_HMAC_KEY: hmacKey,
      PII_ENCRYPTION_KEYS: `2:${key2}`,
      PII_ENCRYPTION_KEY_ID: '2',
    });
  }, 60_000);

  afterAll(async () => {
    await after?.close();
    await before?.close();
  });

  const keyIds = async (db: DataSource): Promise<Record<string, string>> => {
    const rows: { id: number; head: string }[] = await db.query(
      `SELECT id, encode(substring(id_number_enc from 1 for 2), 'hex') AS head FROM diners ORDER BY id`,
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.head]));
  };

  it('reads old rows after the rotation, and re-encrypts them all to the new key', async () => {
    // Written before the rotation: one through the API (key 1), one as stored before key ids existed.
    const admin = await before.adminToken();
    const viaApi = makeIdNumber('371502', '1941-05-25', 518);
    const created = await before
      .http()
      .post('/api/diners')
      .set('Authorization', admin)
      .send({ name: '轮换老人甲', idNumber: viaApi })
      .expect(201);
    const legacy = await createDiner(before, { birthDate: '1938-02-02', name: '轮换老人乙' });
    await before.db.query(`UPDATE diners SET id_number_enc = $1 WHERE id = $2`, [
      legacySeal(legacy.idNumber),
      legacy.id,
    ]);
    const numbers: Record<number, string> = { [created.body.id]: viaApi, [legacy.id]: legacy.idNumber };
    expect((await keyIds(before.db))[created.body.id]).toBe('6b01');

    // Restarted with key 2 current: old rows still read, new rows go to key 2.
    after = await restartWith(rotatedConfig);
    const http = () => request(after!.app.getHttpServer());
    const login = await http().post('/api/auth/login').send(TEST_ADMIN).expect(200);
    const token = `Bearer ${login.body.accessToken}`;
    const reveal = async (id: number) =>
      (await http().post(`/api/diners/${id}/reveal`).set('Authorization', token).expect(200)).body.idNumber;
    for (const [id, number] of Object.entries(numbers)) expect(await reveal(Number(id))).toBe(number);
    const fresh = makeIdNumber('371502', '1945-09-09', 33);
    const third = await http()
      .post('/api/diners')
      .set('Authorization', token)
      .send({ name: '轮换老人丙', idNumber: fresh })
      .expect(201);
    numbers[third.body.id] = fresh;
    expect((await keyIds(before.db))[third.body.id]).toBe('6b02');

    // The command, as an operator runs it.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join('scripts', 'reencrypt-pii.ts')],
      { cwd: join(__dirname, '..'), env: { ...process.env, ...configEnv(rotatedConfig) } },
    );
    expect(stdout).toMatch(/ID numbers on key 2: \d+ diners checked, 2 re-encrypted/);
    expect(new Set(Object.values(await keyIds(before.db)))).toEqual(new Set(['6b02']));
    for (const [id, number] of Object.entries(numbers)) expect(await reveal(Number(id))).toBe(number);

    // Idempotent: a second run finds nothing to do. And the lookup HMAC is untouched: the till still finds them.
    const again = await reencryptIdNumbers(before.db, after.app.get(PiiCipher), { batchSize: 1 });
    expect(again.rewritten).toBe(0);
    const found = await http().get(`/api/diners?idNumber=${viaApi}`).set('Authorization', token).expect(200);
    expect(found.body.items.map((d: { id: number }) => d.id)).toEqual([created.body.id]);
  }, 120_000);
});
