// Till benchmark (issue 7): throughput and latency of POST /api/canteens/{id}/meals (and of the quote) at rising
// concurrency, many distinct diners, fresh Idempotency-Keys; and the ceiling: pgbench running the same SQL.
// Usage: npm run bench:till     (writes bench/results/till.json)
import 'reflect-metadata';
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { DataSource } from 'typeorm';
import { hashPassword } from '../src/auth/passwords';
import { addDays } from '../src/common/local-date';
import { PiiCipher } from '../src/common/pii-cipher';
import { keyBytes } from '../src/config/app-config';
import { makeIdNumber, maskIdNumber } from '../src/subsidy/id-number';
import {
  BENCH_DB,
  benchEnv,
  freshBenchDatabase,
  machine,
  percentile,
  PG_HOST,
  PG_PORT,
  PG_SOCKET_DIR,
  randomKey,
  startNode,
  stopProcess,
} from './bench-env';

const PORT = 3900;
const BASE = `http://127.0.0.1:${PORT}`;
const DINERS = Number(process.env.BENCH_DINERS ?? 60_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const LEVELS = (process.env.BENCH_LEVELS ?? '1,4,16,32,64').split(',').map(Number);
const API_PROCESSES = Number(process.env.BENCH_API_PROCESSES ?? 2);
const env = benchEnv({ PORT: String(PORT), API_PROCESSES: String(API_PROCESSES) });
const cipher = new PiiCipher(keyBytes(env.PII_ENCRYPTION_KEY), keyBytes(env.PII_HMAC_KEY));

// Unique (birth date, sequence) pairs, ages about 70–96.
const idNumberOf = (i: number): string =>
  makeIdNumber('371502', addDays('1930-01-01', Math.floor(i / 1000) * 173), i % 1000);

interface Level {
  connections: number;
  rate?: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function seed(ds: DataSource): Promise<void> {
  const [sub] = await ds.query(
    `INSERT INTO subdistricts (name, admin_code) VALUES ('柳园街道', '371502') RETURNING id`,
  );
  const hash = await hashPassword('bench-pass-1');
  for (let c = 1; c <= 6; c++) {
    const [canteen] = await ds.query(
      `INSERT INTO canteens (subdistrict_id, name, type, breakfast_price_fen, lunch_price_fen, dinner_price_fen)
       VALUES ($1, $2, 'ENTERPRISE', 300, 1200, 1000) RETURNING id`,
      [sub.id, `测试幸福食堂${c}`],
    );
    const [user] = await ds.query(
      `INSERT INTO users (username, password_hash, role, subdistrict_id) VALUES ($1, $2, 'CASHIER', $3) RETURNING id`,
      [`cashier${c}`, hash, sub.id],
    );
    await ds.query(`INSERT INTO user_canteens (user_id, canteen_id) VALUES ($1, $2)`, [user.id, canteen.id]);
  }
  // The session pgbench's script resolves, as the auth guard does for every request.
  await ds.query(
    `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (sha256('bench-token'::bytea), 1, now() + interval '1 day')`,
  );
  for (let start = 0; start < DINERS; start += 5000) {
    const rows = { n: [] as string[], e: [] as Buffer[], h: [] as Buffer[], m: [] as string[], b: [] as string[] };
    for (let i = start; i < Math.min(DINERS, start + 5000); i++) {
      const id = idNumberOf(i);
      rows.n.push(`老人${i}`);
      rows.e.push(cipher.encrypt(id));
      rows.h.push(cipher.hmac(id));
      rows.m.push(maskIdNumber(id));
      rows.b.push(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`);
    }
    await ds.query(
      `INSERT INTO diners (subdistrict_id, name, id_number_enc, id_number_hmac, id_number_masked, birth_date, sex)
       SELECT $1, n, e, h, m, b::date, 'M' FROM unnest($2::text[], $3::bytea[], $4::bytea[], $5::text[], $6::text[]) AS t(n, e, h, m, b)`,
      [sub.id, rows.n, rows.e, rows.h, rows.m, rows.b],
    );
  }
  await ds.query('ANALYZE');
}

async function login(username: string): Promise<string> {
  const res = await fetch(`${BASE}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'bench-pass-1' }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

let nextDiner = 0;

/** Open-loop load at a fixed rate (autocannon; wrk cannot hold a rate). */
async function load(
  kind: 'record' | 'quote',
  tokens: string[],
  connections: number,
  seconds: number,
  rate?: number,
): Promise<Level> {
  const latencies: number[] = [];
  let counter = 0;
  let finish: (r: autocannon.Result) => void = () => undefined;
  let fail: (e: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: BASE,
      connections,
      duration: seconds,
      ...(rate ? { overallRate: rate } : {}),
      requests: [
        {
          setupRequest: (req: autocannon.Request): autocannon.Request => {
            const canteen = (counter++ % 6) + 1;
            const diner = nextDiner++ % DINERS;
            const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens[canteen - 1]}` };
            if (kind === 'quote') {
              return {
                ...req,
                method: 'GET',
                path: `/api/canteens/${canteen}/meals/quote?idNumber=${idNumberOf(diner)}&mealPeriod=LUNCH`,
                headers,
              };
            }
            return {
              ...req,
              method: 'POST',
              path: `/api/canteens/${canteen}/meals`,
              headers: { ...headers, 'idempotency-key': randomKey() },
              body: JSON.stringify({
                idNumber: idNumberOf(diner),
                mealPeriod: 'LUNCH',
                verification: 'ID_CARD_READER',
              }),
            };
          },
        },
      ],
    },
    (err, res) => (err ? fail(err) : finish(res)),
  );
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  const result = await done;
  latencies.sort((a, b) => a - b);
  return {
    connections,
    ...(rate ? { rate } : {}),
    requestsPerSecond: Math.round(result.requests.total / seconds),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

const WORK = '/tmp/hc-bench-till';

/**
 * Closed-loop load from wrk (C, with a Lua script): the load generator's own CPU is small, as pgbench's is, so the
 * comparison with the pgbench ceiling is not skewed by a JavaScript load generator sharing the two cores.
 */
function wrkLoad(kind: 'record' | 'quote', connections: number, seconds: number): Level {
  const threads = Math.min(connections, availableParallelism());
  const out = execFileSync(
    'wrk',
    [
      '-t',
      String(threads),
      '-c',
      String(connections),
      '-d',
      `${seconds}s`,
      '--latency',
      '-s',
      'bench/till-wrk.lua',
      BASE,
      '--',
      `${WORK}/ids.txt`,
      `${WORK}/tokens.txt`,
      kind,
      String(nextDiner),
      String(threads),
    ],
    { encoding: 'utf8' },
  );
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(line.slice(7)) as {
    requests: number;
    durationUs: number;
    p50: number;
    p95: number;
    p99: number;
    non2xx: number;
    errors: number;
  };
  if (kind === 'record') nextDiner += r.requests;
  return {
    connections,
    requestsPerSecond: Math.round(r.requests / (r.durationUs / 1e6)),
    p50: r.p50,
    p95: r.p95,
    p99: r.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

function pgbench(clients: number, seconds: number): number {
  const out = execFileSync(
    'pgbench',
    [
      '-h',
      PG_HOST,
      '-p',
      String(PG_PORT),
      '-U',
      'postgres',
      '-n',
      // The app runs these statements as named prepared statements (src/database/prepared.ts); so does pgbench.
      '-M',
      'prepared',
      '-f',
      'bench/till-recording.sql',
      '-D',
      `ndiners=${DINERS}`,
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      BENCH_DB,
    ],
    { encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+)/.exec(out);
  if (!tps) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(tps[1]);
}

function ensureWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // wrk --version exits 1 after printing; only a missing binary throws ENOENT.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return;
    execFileSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'inherit' });
  }
}

async function main(): Promise<void> {
  ensureWrk();
  const ds = await freshBenchDatabase();
  await seed(ds);
  const api = startNode('dist/src/main.js', env);
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${BASE}/api/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const tokens = await Promise.all([1, 2, 3, 4, 5, 6].map((c) => login(`cashier${c}`)));
    mkdirSync(WORK, { recursive: true });
    writeFileSync(`${WORK}/tokens.txt`, `${tokens.join('\n')}\n`);
    writeFileSync(`${WORK}/ids.txt`, `${Array.from({ length: DINERS }, (_, i) => idNumberOf(i)).join('\n')}\n`);
    wrkLoad('record', 8, 3); // warm-up
    const record: Level[] = [];
    for (const c of LEVELS) {
      record.push(wrkLoad('record', c, SECONDS));
      process.stdout.write(`record ${JSON.stringify(record.at(-1))}\n`);
    }
    const max = Math.max(...record.map((l) => l.requestsPerSecond));
    // Open-loop at 70% of the maximum, from 8 connections: autocannon releases each second's quota at once, so
    // 64 connections would measure its own bursts rather than the till.
    const at70 = await load('record', tokens, 8, SECONDS + 4, Math.round(max * 0.7));
    process.stdout.write(`record@70% ${JSON.stringify(at70)}\n`);
    const quote: Level[] = [];
    for (const c of [16, 64]) {
      quote.push(wrkLoad('quote', c, SECONDS));
      process.stdout.write(`quote ${JSON.stringify(quote.at(-1))}\n`);
    }
    const ceiling = [16, 64].map((c) => ({ clients: c, tps: pgbench(c, SECONDS) }));
    process.stdout.write(`pgbench ${JSON.stringify(ceiling)}\n`);
    const ceilingTps = Math.max(...ceiling.map((c) => c.tps));
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM meals WHERE idempotency_key NOT LIKE 'pg%'`);
    const report = {
      when: new Date().toISOString(),
      machine: machine(),
      apiProcesses: API_PROCESSES,
      postgresVia: PG_SOCKET_DIR ? 'unix socket' : 'TCP 127.0.0.1',
      diners: DINERS,
      secondsPerLevel: SECONDS,
      loadGenerators:
        'wrk 4.1 (closed loop, Lua script) for the levels and the quote; autocannon for the open-loop 70% run',
      record,
      maxRequestsPerSecond: max,
      at70PercentOfMax: at70,
      quote,
      pgbenchCeiling: ceiling,
      ratioToCeiling: Number((max / ceilingTps).toFixed(2)),
      mealsRecordedByApp: n,
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/till.json', `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nmax ${max} req/s, pgbench ceiling ${ceilingTps} tps, ratio ${report.ratioToCeiling}\n`);
  } finally {
    await stopProcess(api);
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
