import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { configureApp } from '../../src/configure-app';
import { assertTestDatabase, REDIS_URL, uniqueName } from './env';
import { createTestDatabase } from './test-db';

export const TEST_ADMIN = { username: 'admin', password: 'admin-pass-123' };

/** The config of a test run: its own database and its own BullMQ prefix. */
export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    BULLMQ_PREFIX: uniqueName('hctest'),
    PII_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    PII_HMAC_KEY: randomBytes(32).toString('hex'),
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    SUBDISTRICT_NAME: '柳园街道',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/** Collects log lines, for tests that check what the app writes to its logs. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: DataSource;
  /** http://127.0.0.1:port, for Chromium. */
  url: string;
  http: () => ReturnType<typeof request>;
  /** Logs in and returns the bearer header value. */
  login: (username: string, password: string) => Promise<string>;
  adminToken: () => Promise<string>;
  close: () => Promise<void>;
}

/** Boots the real app in process on a fresh, migrated database and real Redis. */
export async function startTestApp(
  options: { logStream?: DestinationStream; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, options.env);
  // Before the app starts (it writes at start-up: the first admin), and again on the app's own connection.
  await assertTestDatabase(config.DATABASE_URL).catch(async (e: unknown) => {
    await database.drop();
    throw e;
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config, { logStream: options.logStream })],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  configureApp(app);
  await app.init();
  await assertTestDatabase(app.get(DataSource));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const http = () => request(app.getHttpServer());
  const login = async (username: string, password: string): Promise<string> => {
    const res = await http().post('/api/auth/login').send({ username, password });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return `Bearer ${res.body.accessToken}`;
  };
  let adminBearer: string | null = null;
  return {
    app,
    config,
    db: app.get(DataSource),
    url,
    http,
    login,
    adminToken: async () => (adminBearer ??= await login(TEST_ADMIN.username, TEST_ADMIN.password)),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
