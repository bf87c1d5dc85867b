import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../src/database/database-options';

// Benchmarks run against the local PostgreSQL and Redis of the run command, in a database of their own.
export const PG_PORT = Number(process.env.PG_PORT ?? 54329);
export const REDIS_PORT = Number(process.env.REDIS_PORT ?? 63799);
const PG_BASE = `postgres://postgres@127.0.0.1:${PG_PORT}`;
export const BENCH_DB = process.env.BENCH_DB ?? 'happy_canteen_bench';
export const BENCH_DB_URL = `${PG_BASE}/${BENCH_DB}`;
// BENCH_PG_SOCKET_DIR: the app under test and pgbench reach PostgreSQL through its Unix socket instead of TCP.
export const PG_SOCKET_DIR = process.env.BENCH_PG_SOCKET_DIR;
export const PG_HOST = PG_SOCKET_DIR ?? '127.0.0.1';
const APP_DB_URL = PG_SOCKET_DIR
  ? `postgres://postgres@/${BENCH_DB}?host=${PG_SOCKET_DIR}&port=${PG_PORT}`
  : BENCH_DB_URL;

export function benchEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: APP_DB_URL,
    REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
    BULLMQ_PREFIX: 'hcbench',
    PII_ENCRYPTION_KEY: '11'.repeat(32),
    PII_HMAC_KEY: '22'.repeat(32),
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'bench-admin-1',
    SUBDISTRICT_NAME: '柳园街道',
    LOG_LEVEL: 'warn',
    // JSON as in production, even when the bench runs in a terminal.
    LOG_FORMAT: 'json',
    ...extra,
  };
}

/** Drops and recreates the bench database and runs the real migrations into it. */
export async function freshBenchDatabase(): Promise<DataSource> {
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${BENCH_DB}`);
  await admin.end();
  const ds = new DataSource(databaseOptions(BENCH_DB_URL, { poolSize: 4, applicationName: 'bench' }));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}

/** Peak resident set size (VmHWM) of a live process, in MiB. */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Starts a built entry point; its stdout (the JSON log) goes to logFile when given, as to a log sink in production. */
export function startNode(script: string, env: Record<string, string>, logFile?: string): ChildProcess {
  // BENCH_NODE_ARGS, e.g. "--prof", profiles the process under test.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const out = logFile === undefined ? 'inherit' : openSync(logFile, 'w');
  const child = spawn(process.execPath, [...extra, script], { env, stdio: ['ignore', out, 'inherit'] });
  return child;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
}

function procStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid … utime stime: comm may hold spaces, so split after its closing parenthesis.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    out.push({
      pid: Number(entry),
      ppid: Number(fields[1]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
    });
  }
  return out;
}

/** CPU seconds the whole machine has been busy (all cores: user, system, interrupts, steal), from /proc/stat. */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds used so far by a process and all its descendants (the API's cluster workers). */
export function treeCpuSeconds(root: number): number {
  const stats = procStats();
  const inTree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const s of stats) {
      if (!inTree.has(s.pid) && inTree.has(s.ppid)) {
        inTree.add(s.pid);
        grew = true;
      }
    }
  }
  return stats.filter((s) => inTree.has(s.pid)).reduce((a, s) => a + s.cpuTicks, 0) / CLOCK_TICKS_PER_SECOND;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function psql(sql: string, db = BENCH_DB): string {
  return execFileSync('psql', ['-h', '127.0.0.1', '-p', String(PG_PORT), '-U', 'postgres', '-d', db, '-tAc', sql], {
    encoding: 'utf8',
  });
}

export const machine = (): string => {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const cores = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0;
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const pg = psql('SHOW server_version', 'postgres').trim();
  return `${cores} × ${cpu}, ${(memKb / 1024 / 1024).toFixed(0)} GiB RAM, Node ${process.version}, PostgreSQL ${pg}`;
};

export const randomKey = (): string => randomBytes(12).toString('base64url');

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}
