import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { hashPassword } from '../src/auth/passwords';
import { makeIdNumber } from '../src/subsidy/id-number';
import { bombXlsx, manyRowsXlsx } from '../test/support/hostile-xlsx';
import { benchEnv, freshBenchDatabase, machine, percentile, startNode, stopProcess } from './bench-env';

// What a hostile import costs the API (issue 12, item 4): liveness latency and resident memory while a file is refused.
// One API process; a probe asks GET /api/health one request after another during each upload; /proc gives the RSS.

const PORT = Number(process.env.BENCH_PORT ?? 3917);
const BASE = `http://127.0.0.1:${PORT}`;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const WORK = 'bench/results';

interface Probe {
  samples: number[];
  peakRssMiB: number;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Liveness asked back to back, and the RSS read every 5 ms, until `stop` says so. */
async function probe(pid: number, stop: () => boolean): Promise<Probe> {
  const samples: number[] = [];
  let peakRssMiB = rssMiB(pid);
  const rss = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, rssMiB(pid))), 5);
  try {
    while (!stop()) {
      const t0 = performance.now();
      const res = await fetch(`${BASE}/api/health`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`health answered ${res.status}`);
      samples.push(performance.now() - t0);
    }
  } finally {
    clearInterval(rss);
  }
  return { samples, peakRssMiB };
}

async function seed(ds: DataSource): Promise<void> {
  const [sub] = await ds.query(
    `INSERT INTO subdistricts (name, admin_code, district_id) VALUES ('柳园街道', '371502', (SELECT min(id) FROM districts)) RETURNING id`,
  );
  const [canteen] = await ds.query(
    `INSERT INTO canteens (subdistrict_id, name, type, breakfast_price_fen, lunch_price_fen, dinner_price_fen)
     VALUES ($1, '测试幸福食堂', 'ENTERPRISE', 300, 1200, 1000) RETURNING id`,
    [sub.id],
  );
  const [user] = await ds.query(
    `INSERT INTO users (username, password_hash, role, subdistrict_id) VALUES ('operator1', $1, 'OPERATOR', $2) RETURNING id`,
    [await hashPassword('bench-pass-1'), sub.id],
  );
  await ds.query(`INSERT INTO user_canteens (user_id, canteen_id) VALUES ($1, $2)`, [user.id, canteen.id]);
}

interface Case {
  name: string;
  file: Buffer;
}

interface Result {
  name: string;
  fileMiB: number;
  answer: string;
  uploadMs: number[];
  healthDuring: number;
  healthP50Ms: number;
  healthP99Ms: number;
  healthMaxMs: number;
  rssBeforeMiB: number;
  rssPeakGrowthMiB: number;
}

async function runCase(pid: number, token: string, c: Case): Promise<Result> {
  const uploadMs: number[] = [];
  const latencies: number[] = [];
  let answer = '';
  let growth = 0;
  const rssBefore = rssMiB(pid);
  for (let i = 0; i < REPEAT; i++) {
    const before = rssMiB(pid);
    let done = false;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(c.file)]), 'diners.xlsx');
    const t0 = performance.now();
    const upload = fetch(`${BASE}/api/diners/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    }).then(async (res) => {
      const body = (await res.json()) as { code?: string; imported?: number };
      uploadMs.push(performance.now() - t0);
      done = true;
      return `${res.status} ${body.code ?? `imported ${body.imported}`}`;
    });
    const p = await probe(pid, () => done);
    answer = await upload;
    latencies.push(...p.samples);
    growth = Math.max(growth, p.peakRssMiB - before);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name: c.name,
    fileMiB: +(c.file.length / 1024 / 1024).toFixed(2),
    answer,
    uploadMs: uploadMs.map((ms) => Math.round(ms)),
    healthDuring: latencies.length,
    healthP50Ms: +percentile(sorted, 50).toFixed(1),
    healthP99Ms: +percentile(sorted, 99).toFixed(1),
    healthMaxMs: +(sorted.at(-1) ?? NaN).toFixed(1),
    rssBeforeMiB: Math.round(rssBefore),
    rssPeakGrowthMiB: Math.round(growth),
  };
}

async function main(): Promise<void> {
  const ds = await freshBenchDatabase();
  await seed(ds);
  await ds.destroy();
  mkdirSync(WORK, { recursive: true });
  const api = startNode('dist/src/main.js', benchEnv({ PORT: String(PORT), API_PROCESSES: '1' }));
  const pid = api.pid ?? 0;
  try {
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`${BASE}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const login = await fetch(`${BASE}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator1', password: 'bench-pass-1' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const id = makeIdNumber('371502', '1936-06-06', 401);
    const cases: Case[] = [
      { name: 'full file: 5,000 rows (accepted; 1 new diner, 4,999 duplicates)', file: manyRowsXlsx(5_000, id) },
      { name: '300,000 rows (refused at row 5,001)', file: manyRowsXlsx(300_000, id) },
      { name: 'zip bomb, 64 MB declared (refused by its headers)', file: bombXlsx(64, false) },
      { name: 'zip bomb, 64 MB claiming 1 KB (refused while inflating)', file: bombXlsx(64, true) },
    ];
    // Idle liveness first, the yardstick.
    let idleDone = false;
    setTimeout(() => (idleDone = true), 2_000);
    const idle = await probe(pid, () => idleDone);
    const idleSorted = [...idle.samples].sort((a, b) => a - b);
    const results: Result[] = [];
    for (const c of cases) {
      results.push(await runCase(pid, accessToken, c));
      process.stdout.write(`${JSON.stringify(results.at(-1))}\n`);
    }
    const out = {
      at: new Date().toISOString(),
      machine: machine(),
      repeat: REPEAT,
      idleHealth: {
        requests: idle.samples.length,
        p50Ms: +percentile(idleSorted, 50).toFixed(1),
        p99Ms: +percentile(idleSorted, 99).toFixed(1),
        maxMs: +(idleSorted.at(-1) ?? NaN).toFixed(1),
      },
      results,
    };
    writeFileSync(`${WORK}/import.json`, `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(out.idleHealth)}\n`);
  } finally {
    await stopProcess(api);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
