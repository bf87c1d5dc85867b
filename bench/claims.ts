// Claim benchmark (issue 7): synthetic months of 10k, 100k and 1M subsidised meals loaded with COPY; wall time and
// peak RSS of the worker building each claim; and the floor for the same rows: COPY of them to a file plus a bare
// exceljs streaming write. Usage: npm run bench:claims [-- 10000,100000]
import { insertDiners, NewDiner } from '../src/diners/diner.queries';
import 'reflect-metadata';
import { Queue } from 'bullmq';
import ExcelJS from 'exceljs';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { PiiCipher } from '../src/common/pii-cipher';
import { keyBytes } from '../src/config/app-config';
import { CLAIMS_QUEUE, claimJobId, JOB_BUILD_CLAIM } from '../src/queue/queue.constants';
import { ageOn } from '../src/subsidy/age';
import { makeIdNumber } from '../src/subsidy/id-number';
import { addDays } from '../src/common/local-date';
import {
  benchEnv,
  freshBenchDatabase,
  machine,
  peakRssMiB,
  psql,
  REDIS_PORT,
  startNode,
  stopProcess,
} from './bench-env';

const MONTH = '2026-10';
const FIRST_DAY = '2026-10-01';
const DAYS = 31;
const CANTEENS = 6;
const WORK = '/tmp/hc-bench';

interface Result {
  meals: number;
  loadSeconds: number;
  claimSeconds: number;
  claimPeakRssMiB: number;
  copyOutSeconds: number;
  bareWriteSeconds: number;
  floorSeconds: number;
  ratio: number;
  fileMiB: number;
}

const env = benchEnv({ CLAIMS_DIR: `${WORK}/claims` });
const cipher = new PiiCipher(keyBytes(env.PII_ENCRYPTION_KEY), keyBytes(env.PII_HMAC_KEY));

async function seedRegister(ds: DataSource, diners: number): Promise<{ subdistrictId: number; cashierId: number }> {
  const [sub] = await ds.query(
    `INSERT INTO subdistricts (name, admin_code, district_id) VALUES ('柳园街道', '371502', (SELECT min(id) FROM districts)) RETURNING id`,
  );
  const [user] = await ds.query(
    `INSERT INTO users (username, password_hash, role, subdistrict_id) VALUES ('bench-cashier', 'x', 'CASHIER', $1) RETURNING id`,
    [sub.id],
  );
  for (let c = 1; c <= CANTEENS; c++) {
    await ds.query(
      `INSERT INTO canteens (subdistrict_id, name, type, breakfast_price_fen, lunch_price_fen, dinner_price_fen)
       VALUES ($1, $2, $3, 300, 1200, 1000)`,
      [sub.id, `测试幸福食堂${c}`, c <= 2 ? 'CARE_FACILITY' : 'ENTERPRISE'],
    );
  }
  const batch = 5000;
  for (let start = 0; start < diners; start += batch) {
    const batchOf: NewDiner[] = [];
    for (let i = start; i < Math.min(diners, start + batch); i++) {
      const birthDate = birthOf(i);
      const idNumber = makeIdNumber('371502', birthDate, i % 1000);
      batchOf.push({ subdistrictId: sub.id, name: `老人${i}`, idNumber, birthDate, sex: 'M' });
    }
    await insertDiners(ds, cipher, batchOf);
  }
  return { subdistrictId: sub.id, cashierId: user.id };
}

// Ages 70–100, with birthdays spread over the year so that some diners change tier mid-month.
function birthOf(i: number): string {
  const year = 1926 + (i % 31);
  return addDays(`${year}-01-01`, (i * 37) % 365);
}

/** N subsidised meals of the month, one per diner per day, written as CSV and loaded with COPY. */
async function loadMeals(
  ds: DataSource,
  n: number,
  reg: { subdistrictId: number; cashierId: number },
): Promise<number> {
  const [{ min }] = await ds.query(`SELECT min(id)::int AS min FROM diners`);
  const [{ minCanteen }] = await ds.query(`SELECT min(id)::int AS "minCanteen" FROM canteens`);
  const diners = Math.ceil(n / DAYS);
  const file = `${WORK}/meals.csv`;
  const out = createWriteStream(file);
  for (let i = 0; i < n; i++) {
    const d = i % diners;
    const day = Math.floor(i / diners);
    const date = addDays(FIRST_DAY, day);
    const age = ageOn(birthOf(d), date);
    const [tier, subsidy] = age >= 80 ? ['80_PLUS', 400] : ['70_79', 200];
    const servedAt = `${date}T11:${String(10 + (i % 40)).padStart(2, '0')}:00+08:00`;
    const line = `${reg.subdistrictId},${minCanteen + (d % CANTEENS)},${min + d},${date},LUNCH,${servedAt},1200,${subsidy},${1200 - subsidy},${age},${tier},TIER_${tier},1,DAY,ID_CARD_READER,${reg.cashierId},b${i},h\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
  const t0 = process.hrtime.bigint();
  psql(
    `\\copy meals (subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen, subsidy_fen, payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification, cashier_user_id, idempotency_key, request_hash) FROM '${file}' CSV`,
  );
  await ds.query('ANALYZE meals');
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function runClaim(
  ds: DataSource,
  subdistrictId: number,
  version: number,
): Promise<{ seconds: number; rss: number; file: string }> {
  const worker = startNode('dist/src/worker.js', env);
  const queue = new Queue(CLAIMS_QUEUE, {
    connection: { host: '127.0.0.1', port: REDIS_PORT },
    prefix: env.BULLMQ_PREFIX,
  });
  try {
    await new Promise((r) => setTimeout(r, 3000)); // let the worker connect
    const [claim] = await ds.query(
      `INSERT INTO claims (subdistrict_id, month, version) VALUES ($1, $2, $3) RETURNING id`,
      [subdistrictId, MONTH, version],
    );
    const t0 = process.hrtime.bigint();
    await queue.add(JOB_BUILD_CLAIM, { claimId: claim.id }, { jobId: claimJobId(claim.id) });
    for (;;) {
      const [row] = await ds.query(`SELECT status, file_path, error FROM claims WHERE id = $1`, [claim.id]);
      if (row.status === 'DONE') {
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        return { seconds, rss: peakRssMiB(worker.pid!), file: row.file_path };
      }
      if (row.status === 'FAILED') throw new Error(`claim failed: ${row.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await stopProcess(worker);
  }
}

/** The floor: the same detail rows copied out of PostgreSQL, then written by a bare exceljs streaming writer. */
async function floor(): Promise<{ copyOut: number; write: number }> {
  const csv = `${WORK}/floor.csv`;
  const t0 = process.hrtime.bigint();
  psql(
    `\\copy (SELECT m.meal_date, m.meal_period, d.name, d.id_number_masked, m.age, m.tier, m.price_fen, m.subsidy_fen, m.payable_fen, m.verification, u.username, m.id FROM meals m JOIN diners d ON d.id = m.diner_id JOIN users u ON u.id = m.cashier_user_id WHERE m.subsidy_fen > 0 AND m.voided_at IS NULL ORDER BY m.canteen_id, m.meal_date, m.served_at, m.id) TO '${csv}' CSV`,
  );
  const copyOut = Number(process.hrtime.bigint() - t0) / 1e9;

  const t1 = process.hrtime.bigint();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: `${WORK}/floor.xlsx`,
    useStyles: true,
    useSharedStrings: false,
  });
  const ws = wb.addWorksheet('明细');
  ws.columns = Array.from({ length: 13 }, () => ({ width: 12 }));
  for (const c of [8, 9, 10]) ws.getColumn(c).numFmt = '¥#,##0.00';
  let i = 0;
  const lines = createInterface({ input: createReadStream(csv), crlfDelay: Infinity });
  for await (const line of lines) {
    const f = line.split(',');
    ws.addRow([
      ++i,
      f[0],
      f[1],
      f[2],
      f[3],
      Number(f[4]),
      f[5],
      Number(f[6]) / 100,
      Number(f[7]) / 100,
      Number(f[8]) / 100,
      f[9],
      f[10],
      f[11],
    ]).commit();
  }
  ws.commit();
  await wb.commit();
  return { copyOut, write: Number(process.hrtime.bigint() - t1) / 1e9 };
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '10000,100000,1000000').split(',').map(Number);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(`${WORK}/claims`, { recursive: true });
  const results: Result[] = [];
  for (const [k, n] of sizes.entries()) {
    const ds = await freshBenchDatabase();
    try {
      const reg = await seedRegister(ds, Math.ceil(n / DAYS));
      const loadSeconds = await loadMeals(ds, n, reg);
      const claim = await runClaim(ds, reg.subdistrictId, 1);
      const f = await floor();
      const floorSeconds = f.copyOut + f.write;
      const r: Result = {
        meals: n,
        loadSeconds,
        claimSeconds: claim.seconds,
        claimPeakRssMiB: claim.rss,
        copyOutSeconds: f.copyOut,
        bareWriteSeconds: f.write,
        floorSeconds,
        ratio: claim.seconds / floorSeconds,
        fileMiB: statSync(`${env.CLAIMS_DIR}/${claim.file}`).size / 1024 / 1024,
      };
      results.push(r);
      process.stdout.write(`${JSON.stringify(r)}\n`);
    } finally {
      await ds.destroy();
    }
    void k;
  }
  const report = { when: new Date().toISOString(), machine: machine(), month: MONTH, results };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/claims.json', `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwritten bench/results/claims.json\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
