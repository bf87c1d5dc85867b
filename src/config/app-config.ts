import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';
import { isIP } from 'node:net';
import type { PiiKeyring } from '../common/pii-cipher';
import { join } from 'node:path';
import type { LogFormat } from '../common/pretty-log';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;

// A 32-byte key, written as 64 hex characters or base64.
const KEY_PATTERN = /^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/;

/** Every setting the app reads from the environment; validated once at start-up. */
export class AppConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL 必须是 postgres:// 连接串' })
  DATABASE_URL!: string;

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL 必须是 redis:// 连接串' })
  REDIS_URL!: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_:.-]{1,40}$/, { message: 'BULLMQ_PREFIX 只能包含字母、数字和 _:.-' })
  BULLMQ_PREFIX = 'hc';

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'PORT 必须是整数' })
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Matches(KEY_PATTERN, { message: 'PII_ENCRYPTION_KEY 必须是 32 字节密钥（64 位十六进制或 base64）' })
  PII_ENCRYPTION_KEY!: string;

  // Further encryption keys for key rotation, 'id:key' comma-separated (ids 2..255); PII_ENCRYPTION_KEY is key 1.
  @IsOptional()
  @ValidateBy({
    name: 'piiKeys',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseExtraKeys(value) !== null,
      defaultMessage: () =>
        'PII_ENCRYPTION_KEYS 应为逗号分隔的 编号:密钥（编号 2–255，密钥 32 字节，64 位十六进制或 base64）',
    },
  })
  PII_ENCRYPTION_KEYS = '';

  // The key new ID numbers are written with; older keys keep reading (npm run pii:reencrypt moves every row over).
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'PII_ENCRYPTION_KEY_ID 必须是整数' })
  @Min(1)
  @Max(255)
  @ValidateBy({
    name: 'piiKeyKnown',
    validator: {
      validate: (value: unknown, args) =>
        value === 1 ||
        (parseExtraKeys((args?.object as AppConfig).PII_ENCRYPTION_KEYS ?? '')?.has(Number(value)) ?? false),
      defaultMessage: () => 'PII_ENCRYPTION_KEY_ID 必须是 1 或 PII_ENCRYPTION_KEYS 中的编号',
    },
  })
  PII_ENCRYPTION_KEY_ID = 1;

  @Matches(KEY_PATTERN, { message: 'PII_HMAC_KEY 必须是 32 字节密钥（64 位十六进制或 base64）' })
  PII_HMAC_KEY!: string;

  @IsString()
  @MinLength(3, { message: 'ADMIN_USERNAME 至少 3 个字符' })
  ADMIN_USERNAME!: string;

  @IsString()
  @MinLength(8, { message: 'ADMIN_PASSWORD 至少 8 个字符' })
  ADMIN_PASSWORD!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  SUBDISTRICT_NAME = '柳园街道';

  /** The district of the first sub-district (issue 17): its name and 6-digit administrative code. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  DISTRICT_NAME = '东昌府区';

  @IsOptional()
  @Matches(/^[0-9]{6}$/, { message: 'DISTRICT_CODE 应为 6 位行政区划代码' })
  DISTRICT_CODE = '371502';

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL 必须是 ${LOG_LEVELS.join('/')} 之一` })
  LOG_LEVEL: LogLevel = 'info';

  // auto: readable lines on a terminal, JSON when output is piped or collected, and always JSON in production.
  @IsOptional()
  @IsIn(LOG_FORMATS, { message: `LOG_FORMAT 必须是 ${LOG_FORMATS.join('/')} 之一` })
  LOG_FORMAT: LogFormat = 'auto';

  // HTTP processes on this machine (node:cluster shares the port); the API is stateless, so more is fine.
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'API_PROCESSES 必须是整数' })
  @Min(1)
  @Max(64)
  API_PROCESSES = 1;

  // PostgreSQL connections per process. Few on purpose: on a small machine a short queue in the process answers
  // sooner than many backends fighting for the cores (docs/PERFORMANCE.md).
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'DB_POOL_SIZE 必须是整数' })
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  // The OpenAPI pages at /api/docs; off in production, where nobody should browse the API.
  @IsOptional()
  @IsIn(['on', 'off'], { message: 'API_DOCS 必须是 on 或 off' })
  API_DOCS: 'on' | 'off' = 'on';

  // Express 'trust proxy': which hops may name the client in X-Forwarded-For. loopback (default) for a proxy on this
  // machine; behind a load balancer its address or subnet (e.g. 10.0.0.0/8) or a hop count; false to trust none.
  @IsOptional()
  @ValidateBy({
    name: 'trustProxy',
    validator: {
      validate: isTrustProxy,
      defaultMessage: () => 'TRUST_PROXY 必须是 true、false、跳数，或以逗号分隔的地址/子网（可用 loopback 等名称）',
    },
  })
  TRUST_PROXY = 'loopback';

  // Sessions slide with use: a session unused this many minutes ends (a till in use never does during a meal period).
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'SESSION_IDLE_MINUTES 必须是整数' })
  @Min(5, { message: 'SESSION_IDLE_MINUTES 至少 5 分钟' })
  @Max(7 * 24 * 60)
  SESSION_IDLE_MINUTES = 240;

  // However much it is used, a session ends this many hours after login (covers a till's whole working day).
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'SESSION_MAX_HOURS 必须是整数' })
  @Min(1, { message: 'SESSION_MAX_HOURS 至少 1 小时' })
  @Max(24 * 30)
  SESSION_MAX_HOURS = 16;

  // The built web app (npm run build:web writes it); the API serves it at /.
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  WEB_DIR = join(process.cwd(), 'web', 'dist');

  // Finished claim workbooks; API and workers must see the same folder.
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  CLAIMS_DIR = join(process.cwd(), '.local', 'claims');

  // How long a claim job's lock lives and how often workers look for jobs of dead workers (ms).
  // Lower only in tests, so a SIGKILLed worker's job is picked up quickly.
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CLAIM_JOB_LOCK_MS 必须是整数' })
  @Min(1_000)
  CLAIM_JOB_LOCK_MS = 30_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CLAIM_JOB_STALLED_CHECK_MS 必须是整数' })
  @Min(500)
  CLAIM_JOB_STALLED_CHECK_MS = 30_000;

  // First retry delay of a failed claim build (doubling each attempt); lowered in tests.
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CLAIM_JOB_BACKOFF_MS 必须是整数' })
  @Min(10)
  CLAIM_JOB_BACKOFF_MS = 5_000;

  // How often each worker looks for QUEUED/RUNNING claims whose job Redis does not hold (a flushed Redis, an
  // enqueue that failed while Redis was down) and queues them again; lowered in tests.
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CLAIM_SWEEP_INTERVAL_MS 必须是整数' })
  @Min(100)
  CLAIM_SWEEP_INTERVAL_MS = 300_000;

  // How often a worker seals new audit entries into the hash chain, and how old an entry must be before it is
  // sealed: an entry's time is its transaction's start, so a lag longer than any writing transaction lets entries
  // that commit late (with a lower id) be sealed in id order. Lowered in tests.
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'AUDIT_SEAL_EVERY_MS 必须是整数' })
  @Min(100)
  AUDIT_SEAL_EVERY_MS = 60_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'AUDIT_SEAL_LAG_MS 必须是整数' })
  @Min(0)
  AUDIT_SEAL_LAG_MS = 300_000;

  // Excel's limit; lowered in tests to see a detail sheet continue on a further sheet.
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CLAIM_SHEET_MAX_ROWS 必须是整数' })
  @Min(10)
  @Max(1_048_576)
  CLAIM_SHEET_MAX_ROWS = 1_048_576;

  // The most detail + roster rows GET /api/claims/{id}/print answers (issue 18); lowered in tests.
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CLAIM_PRINT_MAX_ROWS 必须是整数' })
  @Min(10)
  @Max(100_000)
  CLAIM_PRINT_MAX_ROWS = 20_000;

  // The largest file POST /api/claims/verify reads, in bytes (413 PAYLOAD_TOO_LARGE past it). A claim file of a city's
  // month is tens of MB (1M meals: 70 MB); the upload is hashed as it streams, never kept. Lowered in tests.
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'VERIFY_MAX_BYTES 必须是整数' })
  @Min(1024)
  @Max(4 * 1024 * 1024 * 1024)
  VERIFY_MAX_BYTES = 256 * 1024 * 1024;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isTrustProxy(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (/^(true|false|\d{1,2})$/.test(value)) return true;
  return value.split(',').every((part) => {
    const [address, prefix, ...rest] = part.trim().split('/');
    if (rest.length > 0) return false;
    if (PROXY_NAMES.includes(address) && prefix === undefined) return true;
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    return family !== 0 && (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max));
  });
}

/** The TRUST_PROXY setting as Express takes it: a boolean, a hop count, or the list of trusted addresses. */
export function trustProxyValue(setting: string): boolean | number | string {
  if (setting === 'true' || setting === 'false') return setting === 'true';
  return /^\d+$/.test(setting) ? Number(setting) : setting;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`环境变量配置有误 (invalid environment):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Validates the environment; throws one error that lists every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const raw: Record<string, unknown> = {};
  for (const key of [
    ...known,
    'DATABASE_URL',
    'REDIS_URL',
    'PII_ENCRYPTION_KEY',
    'PII_HMAC_KEY',
    'ADMIN_USERNAME',
    'ADMIN_PASSWORD',
  ]) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw);
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    const problems = errors.map((e) => {
      const messages = Object.values(e.constraints ?? {});
      return `${e.property}: ${raw[e.property] === undefined ? '未设置 (missing); ' : ''}${messages.join('; ')}`;
    });
    throw new ConfigValidationError(problems.sort());
  }
  return config;
}

/** 'id:key,id:key' → keys by id (2..255); null when malformed. */
function parseExtraKeys(value: string): Map<number, string> | null {
  const keys = new Map<number, string>();
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{1,3}):(.+)$/.exec(part);
    if (!m || !KEY_PATTERN.test(m[2])) return null;
    const id = Number(m[1]);
    if (id < 2 || id > 255 || keys.has(id)) return null;
    keys.set(id, m[2]);
  }
  return keys;
}

/** The encryption keys of the config by id (1 = PII_ENCRYPTION_KEY) and the one to write with. */
export function piiKeyring(config: AppConfig): PiiKeyring {
  const keys = new Map<number, Buffer>([[1, keyBytes(config.PII_ENCRYPTION_KEY)]]);
  for (const [id, key] of parseExtraKeys(config.PII_ENCRYPTION_KEYS) ?? []) keys.set(id, keyBytes(key));
  return { current: config.PII_ENCRYPTION_KEY_ID, keys };
}

export function keyBytes(key: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
}
