// Till benchmark (issue 7): throughput and latency of POST /api/canteens/{id}/meals (and of the quote) at rising
// concurrency, many distinct diners, fresh Idempotency-Keys; and the ceiling: pgbench running the same SQL.
// Usage: npm run bench:till     (writes bench/results/till.json)
//        BENCH_SEAL=1 npm run bench:till   (a worker seals the audit log into its hash chain every second — or every
//                                           BENCH_SEAL_EVERY_MS — with no lag,
//                                           all along: writes bench/results/till-sealing.json)
import { insertDiners, NewDiner } from '../src/diners/diner.queries';
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { hashPassword } from '../src/auth/passwords';
import { addDays } from '../src/common/local-date';
import { PiiCipher } from '../src/common/pii-cipher';
import { keyBytes } from '../src/config/app-config';
import { makeIdNumber } from '../src/subsidy/id-number';
import {
  BENCH_DB,
  BENCH_DB_URL,
  benchEnv,
  freshBenchDatabase,
  machine,
  machineBusySeconds,
  treeCpuSeconds,
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
const SEAL = process.env.BENCH_SEAL === '1';
const SEAL_EVERY_MS = Number(process.env.BENCH_SEAL_EVERY_MS ?? 1_000);
// LOG_LEVEL info, as in production: one JSON line per request, written to a file.
const env = benchEnv({ PORT: String(PORT), API_PROCESSES: String(API_PROCESSES), LOG_LEVEL: 'info' });
const cipher = new PiiCipher(keyBytes(env.PII_ENCRYPTION_KEY), keyBytes(env.PII_HMAC_KEY));

// Unique (birth date, sequence) pairs, ages about 70–96.
const idNumberOf = (i: number): string =>
  makeIdNumber('371502', addDays('1930-01-01', Math.floor(i / 1000) * 173), i % 1000);

interface Level {
  /** Closed loop: wrk's connections. Open loop: the most requests in flight at once (keep-alive sockets used). */
  connections: number;
  rate?: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU milliseconds per request: the API processes, the PostgreSQL processes, the whole machine. */
  cpuMsPerRequest?: CpuPerRequest;
}

interface CpuPerRequest {
  api: number;
  /** wrk's own CPU. */
  loadGenerator: number;
  /** The machine less the API and wrk: PostgreSQL, and the kernel's work for all of them. */
  rest: number;
  machine: number;
}

let apiPid = 0;

/** CPU seconds of the finished children of a `bash -c '…; times'`, from the last line `times` printed. */
function childCpuSeconds(out: string): number {
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(out.trim().split('\n').at(-1) ?? '');
  if (!m) throw new Error(`no CPU times in:\n${out}`);
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

/**
 * Runs a load and divides by the requests served the CPU seconds spent meanwhile by the API processes, by the load
 * generator, and by the whole machine (from /proc). PostgreSQL is counted as the rest: its backends' own counters
 * vanish when a pooled connection closes.
 */
function measured<T extends { requests: number; generatorCpuSeconds: number }>(
  run: () => T,
): T & { cpuMsPerRequest: CpuPerRequest } {
  const before = { api: treeCpuSeconds(apiPid), machine: machineBusySeconds() };
  const result = run();
  const after = { api: treeCpuSeconds(apiPid), machine: machineBusySeconds() };
  const per = (seconds: number): number => Number(((1000 * seconds) / Math.max(1, result.requests)).toFixed(3));
  const api = after.api - before.api;
  const machine = after.machine - before.machine;
  return {
    ...result,
    cpuMsPerRequest: {
      api: per(api),
      loadGenerator: per(result.generatorCpuSeconds),
      rest: per(machine - api - result.generatorCpuSeconds),
      machine: per(machine),
    },
  };
}

async function seed(ds: DataSource): Promise<void> {
  const [sub] = await ds.query(
    `INSERT INTO subdistricts (name, admin_code, district_id) VALUES ('柳园街道', '371502', (SELECT min(id) FROM districts)) RETURNING id`,
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
    `INSERT INTO sessions (token_hash, user_id, expires_at, absolute_expires_at)
     VALUES (sha256('bench-token'::bytea), 1, now() + interval '1 day', now() + interval '1 day')`,
  );
  for (let start = 0; start < DINERS; start += 5000) {
    const batch: NewDiner[] = [];
    for (let i = start; i < Math.min(DINERS, start + 5000); i++) {
      const idNumber = idNumberOf(i);
      const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
      batch.push({ subdistrictId: sub.id, name: `老人${i}`, idNumber, birthDate, sex: 'M' });
    }
    await insertDiners(ds, cipher, batch);
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

/**
 * Open-loop load at a fixed rate: request i is due at start + i / rate, whether or not earlier ones have answered,
 * and its latency is counted from when it was due (so a stall is not hidden by requests that were never sent —
 * "coordinated omission"). wrk cannot hold a rate, and autocannon's rate releases each second's quota per connection
 * at once, which measures a closed loop in bursts. Keep-alive sockets, as many as the requests in flight need.
 */
async function openLoop(tokens: string[], rate: number, seconds: number, warmUpSeconds = 0): Promise<Level> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const warmUp = Math.round(rate * warmUpSeconds);
  const total = warmUp + Math.round(rate * seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let completed = 0;
  let maxInFlight = 0;
  const send = (i: number, due: number): Promise<void> =>
    new Promise((resolve) => {
      const canteen = (i % 6) + 1;
      const diner = nextDiner++ % DINERS;
      const body = JSON.stringify({
        idNumber: idNumberOf(diner),
        mealPeriod: 'LUNCH',
        verification: 'ID_CARD_READER',
        confirmOutsideHours: true,
      });
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port: PORT,
          method: 'POST',
          path: `/api/canteens/${canteen}/meals`,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${tokens[canteen - 1]}`,
            'idempotency-key': randomKey(),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            completed++;
            if (i < warmUp) return resolve();
            if (res.statusCode === undefined || res.statusCode >= 300) non2xx++;
            latencies.push(performance.now() - due);
            resolve();
          });
        },
      );
      req.on('error', () => {
        if (i >= warmUp) errors++;
        resolve();
      });
      req.end(body);
    });
  const inFlight: Promise<void>[] = [];
  const start = performance.now() + 50;
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      for (let due = start + (i * 1000) / rate; i < total && due <= now; due = start + (i * 1000) / rate) {
        inFlight.push(send(i, due));
        i++;
      }
      maxInFlight = Math.max(maxInFlight, i - completed - errors);
      if (i < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000 - warmUpSeconds;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ms = (p: number): number => Number(percentile(latencies, p).toFixed(3));
  return {
    connections: maxInFlight,
    rate,
    requestsPerSecond: Math.round((completed - warmUp) / elapsed),
    p50: ms(50),
    p95: ms(95),
    p99: ms(99),
    non2xx,
    errors,
  };
}

const WORK = '/tmp/hc-bench-till';

/**
 * Closed-loop load from wrk (C, with a Lua script): the load generator's own CPU is small, as pgbench's is, so the
 * comparison with the pgbench ceiling is not skewed by a JavaScript load generator sharing the two cores.
 */
function wrkLoad(kind: 'record' | 'quote' | 'health', connections: number, seconds: number): Level {
  const threads = Math.min(connections, availableParallelism());
  const { out, cpuMsPerRequest } = measured(() => {
    // bash's `times` prints the CPU of its finished children: wrk's.
    const text = execFileSync(
      'bash',
      [
        '-c',
        'wrk "$@" && times',
        'wrk',
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
    return {
      out: text,
      requests: Number(/"requests":(\d+)/.exec(text)?.[1] ?? 0),
      generatorCpuSeconds: childCpuSeconds(text),
    };
  });
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
    cpuMsPerRequest,
  };
}

interface Ceiling {
  clients: number;
  tps: number;
  /** CPU milliseconds per transaction: pgbench's own client, and the whole machine (PostgreSQL is the rest). */
  cpuMsPerTransaction: { pgbench: number; machine: number };
}

function pgbench(clients: number, seconds: number): Ceiling {
  const machineBefore = machineBusySeconds();
  // bash's `times` prints the CPU of its finished children: pgbench's own client threads.
  const out = execFileSync(
    'bash',
    [
      '-c',
      'pgbench "$@" && times',
      'pgbench',
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
  const machine = machineBusySeconds() - machineBefore;
  const tps = /tps = ([\d.]+)/.exec(out);
  const processed = /number of transactions actually processed: (\d+)/.exec(out);
  if (!tps || !processed) throw new Error(`pgbench printed no tps:\n${out}`);
  const n = Number(processed[1]);
  const client = childCpuSeconds(out);
  return {
    clients,
    tps: Math.round(Number(tps[1])),
    cpuMsPerTransaction: {
      pgbench: Number(((1000 * client) / n).toFixed(3)),
      machine: Number(((1000 * machine) / n).toFixed(3)),
    },
  };
}

interface DriverRun {
  concurrency: number;
  transactionsPerSecond: number;
  cpuMsPerTransaction: { node: number; rest: number; machine: number };
}

/**
 * pgbench's script run from Node through node-postgres (named prepared statements, as the app runs them), in this
 * process, without HTTP or Nest: what the driver itself costs, to set apart from what the HTTP stack costs.
 */
async function driverRun(concurrency: number, seconds: number): Promise<DriverRun> {
  const script = readFileSync('bench/till-recording.sql', 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('--') && !l.startsWith('\\set'))
    .join('\n');
  const statements = script
    .split(';')
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text, i) => {
      const names: string[] = [];
      const sql = text.replace(/:(d|c|back|k)\b/g, (_, name: string) => {
        if (!names.includes(name)) names.push(name);
        return `$${names.indexOf(name) + 1}`;
      });
      return { name: `bench_${i}`, text: sql, names };
    });
  const pool = new Pool({ connectionString: BENCH_DB_URL, max: concurrency });
  let done = 0;
  let stop = false;
  const loop = async (): Promise<void> => {
    while (!stop) {
      const v: Record<string, number> = {
        d: 1 + Math.floor(Math.random() * DINERS),
        c: 1 + Math.floor(Math.random() * 6),
        back: 1 + Math.floor(Math.random() * 300),
        k: Math.floor(Math.random() * 9e15),
      };
      for (const st of statements)
        await pool.query({ name: st.name, text: st.text, values: st.names.map((n) => v[n]) });
      done++;
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  await new Promise((r) => setTimeout(r, 2000)); // warm-up: connections, prepared statements
  const before = { n: done, machine: machineBusySeconds(), self: process.cpuUsage() };
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const self = process.cpuUsage(before.self);
  const n = done - before.n;
  const machine = machineBusySeconds() - before.machine;
  stop = true;
  await Promise.all(loops);
  await pool.end();
  const per = (seconds: number): number => Number(((1000 * seconds) / n).toFixed(3));
  const node = (self.user + self.system) / 1e6;
  return {
    concurrency,
    transactionsPerSecond: Math.round(n / seconds),
    cpuMsPerTransaction: {
      node: per(node),
      rest: per(machine - node),
      machine: per(machine),
    },
  };
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
  mkdirSync(WORK, { recursive: true });
  const api = startNode('dist/src/main.js', env, `${WORK}/api.log`);
  apiPid = api.pid ?? 0;
  // The audit chain's job, sealing what the till writes while it writes (SPEC §7: off the till's path).
  const worker = SEAL
    ? startNode(
        'dist/src/worker.js',
        { ...env, AUDIT_SEAL_EVERY_MS: String(SEAL_EVERY_MS), AUDIT_SEAL_LAG_MS: '0', BULLMQ_PREFIX: 'hcbenchseal' },
        `${WORK}/worker.log`,
      )
    : null;
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
    writeFileSync(`${WORK}/tokens.txt`, `${tokens.join('\n')}\n`);
    writeFileSync(`${WORK}/ids.txt`, `${Array.from({ length: DINERS }, (_, i) => idNumberOf(i)).join('\n')}\n`);
    wrkLoad('record', 8, 3); // warm-up
    const record: Level[] = [];
    for (const c of LEVELS) {
      record.push(wrkLoad('record', c, SECONDS));
      process.stdout.write(`record ${JSON.stringify(record.at(-1))}\n`);
    }
    const max = Math.max(...record.map((l) => l.requestsPerSecond));
    // Open loop at 70% of the maximum: new requests arrive at that rate whatever the answers do.
    // The first seconds (new keep-alive sockets, the generator's own warm-up) are sent but not counted.
    const at70 = await openLoop(tokens, Math.round(max * 0.7), SECONDS + 4, 4);
    process.stdout.write(`record@70% ${JSON.stringify(at70)}\n`);
    const quote: Level[] = [];
    for (const c of [16, 64]) {
      quote.push(wrkLoad('quote', c, SECONDS));
      process.stdout.write(`quote ${JSON.stringify(quote.at(-1))}\n`);
    }
    // The HTTP stack alone: liveness (no database, no log line) through the same Nest + Express pipeline.
    const health = wrkLoad('health', 16, SECONDS);
    process.stdout.write(`health ${JSON.stringify(health)}\n`);
    const ceiling = [16, 64].map((c) => pgbench(c, SECONDS));
    process.stdout.write(`pgbench ${JSON.stringify(ceiling)}\n`);
    const ceilingTps = Math.max(...ceiling.map((c) => c.tps));
    const driver = await driverRun(16, SECONDS);
    process.stdout.write(`node-postgres ${JSON.stringify(driver)}\n`);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM meals WHERE idempotency_key NOT LIKE 'pg%'`);
    const [sealing] = await ds.query(
      `SELECT count(*)::int AS blocks, COALESCE(sum(cardinality(entry_ids)), 0)::int AS entries FROM audit_seals`,
    );
    const report = {
      when: new Date().toISOString(),
      machine: machine(),
      apiProcesses: API_PROCESSES,
      postgresVia: PG_SOCKET_DIR ? 'unix socket' : 'TCP 127.0.0.1',
      diners: DINERS,
      secondsPerLevel: SECONDS,
      loadGenerators:
        "wrk 4.1 (closed loop, Lua script) for the levels, the quote and liveness; an open-loop generator in bench/till.ts (node:http, latency from each request's due time) for the 70% run",
      record,
      maxRequestsPerSecond: max,
      at70PercentOfMax: at70,
      quote,
      health,
      pgbenchCeiling: ceiling,
      nodePostgresSameSql: driver,
      ratioToCeiling: Number((max / ceilingTps).toFixed(2)),
      mealsRecordedByApp: n,
      auditSealing: SEAL
        ? { everyMs: SEAL_EVERY_MS, lagMs: 0, sealedBlocks: sealing.blocks, sealedEntries: sealing.entries }
        : null,
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(`bench/results/${SEAL ? 'till-sealing' : 'till'}.json`, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nmax ${max} req/s, pgbench ceiling ${ceilingTps} tps, ratio ${report.ratioToCeiling}\n`);
  } finally {
    if (worker) await stopProcess(worker);
    await stopProcess(api);
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
