// Statistics benchmark (issue 16): a year of a city — 2 million meals at 200 canteens in 20 sub-districts, 10,000
// diners — then the queries of the statistics screen (src/stats/stats.queries.ts, the same functions the API calls)
// timed for an admin (the city), a finance user (a sub-district) and an operator (a canteen). Target: ≤ 1 s each.
// Usage: npm run bench:stats   (BENCH_MEALS_PER_CANTEEN_DAY, default 27 → 1,971,000 meals; BENCH_RUNS, default 5)
//
// The meals are written by one INSERT … SELECT over generate_series per month, not through insertMeals: two million
// rows as unnest() arrays from Node cost minutes of marshalling and a few hundred MB of memory, while the statement
// below writes the same columns with the same constraints, foreign keys and the month-lock trigger, in PostgreSQL.
// If a column is added to meals, this statement fails until it is given a value (NOT NULL) — it cannot drift silently.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { DataSource } from 'typeorm';
import { AuthUser } from '../src/auth/auth-user';
import { PiiCipher } from '../src/common/pii-cipher';
import { keyBytes } from '../src/config/app-config';
import { insertDiners, NewDiner } from '../src/diners/diner.queries';
import * as after from '../src/stats/stats.queries';
import * as before from './stats-before.queries';
import { makeIdNumber } from '../src/subsidy/id-number';
import { databaseOptions } from '../src/database/database-options';
import { BENCH_DB_URL, benchEnv, freshBenchDatabase, machine, percentile } from './bench-env';

const SUBDISTRICTS = 20;
const CANTEENS_PER_SUBDISTRICT = 10;
const REGULARS = 50; // diners per canteen: each canteen has its own, so no diner is subsidised twice a day
const PER_DAY = Number(process.env.BENCH_MEALS_PER_CANTEEN_DAY ?? 27);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const YEAR = 2025;
const MONTH = '2025-11';

const env = benchEnv();
const cipher = new PiiCipher(keyBytes(env.PII_ENCRYPTION_KEY), keyBytes(env.PII_HMAC_KEY));

// Diner i: i % 10 picks the tier — 0 under 70, 1–6 70–79, 7–9 80 and over (as the meals below count it). The day of
// birth carries i / 1000, so that with the sequence number i % 1000 no two diners share an ID number (the city's one
// register refuses a second registration of a number).
const birthOf = (i: number): string => {
  const r = i % 10;
  const year = r === 0 ? 1962 : r <= 6 ? 1948 + r : 1935 + r;
  return `${year}-0${1 + (i % 9)}-${10 + (Math.floor(i / 1000) % 19)}`;
};

interface World {
  subdistricts: number[];
  canteens: { id: number; subdistrictId: number }[];
  cashierId: number;
}

async function seed(ds: DataSource): Promise<World> {
  const subdistricts: number[] = [];
  const canteens: World['canteens'] = [];
  for (let s = 1; s <= SUBDISTRICTS; s++) {
    const [sub]: { id: number }[] = await ds.query(
      `INSERT INTO subdistricts (name, district_id) VALUES ($1, (SELECT min(id) FROM districts)) RETURNING id`,
      [`测试街道${s}`],
    );
    subdistricts.push(sub.id);
    for (let c = 1; c <= CANTEENS_PER_SUBDISTRICT; c++) {
      const [row]: { id: number }[] = await ds.query(
        `INSERT INTO canteens (subdistrict_id, name, type, breakfast_price_fen, lunch_price_fen, dinner_price_fen)
         VALUES ($1, $2, 'ENTERPRISE', 300, 1200, 1000) RETURNING id`,
        [sub.id, `测试街道${s}幸福食堂${c}`],
      );
      canteens.push({ id: row.id, subdistrictId: sub.id });
    }
  }
  const [user]: { id: number }[] = await ds.query(
    `INSERT INTO users (username, password_hash, role, subdistrict_id) VALUES ('bench-cashier', 'x', 'CASHIER', $1)
     RETURNING id`,
    [subdistricts[0]],
  );
  // Each canteen's regulars live in its sub-district's register.
  const diners: NewDiner[] = [];
  canteens.forEach((c, ci) => {
    for (let k = 0; k < REGULARS; k++) {
      const i = ci * REGULARS + k;
      const birthDate = birthOf(i);
      diners.push({
        subdistrictId: c.subdistrictId,
        name: `老人${i}`,
        idNumber: makeIdNumber('371502', birthDate, i % 1000),
        birthDate,
        sex: 'M',
      });
    }
  });
  for (let i = 0; i < diners.length; i += 5000) await insertDiners(ds, cipher, diners.slice(i, i + 5000));
  return { subdistricts, canteens, cashierId: user.id };
}

/** One month of meals of every canteen: PER_DAY meals a canteen-day, 1 in 100 voided. */
async function insertMonth(ds: DataSource, w: World, month: number): Promise<void> {
  const first = `${YEAR}-${String(month).padStart(2, '0')}-01`;
  await ds.query(
    `WITH c AS (SELECT id, subdistrict_id, row_number() OVER (ORDER BY id) - 1 AS ci FROM canteens),
          d AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS di FROM diners),
          g AS (
            SELECT c.id AS canteen_id, c.subdistrict_id, c.ci, day::date AS meal_date, k,
                   c.ci * ${REGULARS} + (k + extract(doy FROM day)::int) % ${REGULARS} AS di
              FROM c, generate_series($1::date, ($1::date + interval '1 month' - interval '1 day'), interval '1 day') day,
                   generate_series(0, ${PER_DAY - 1}) k),
          x AS (
            SELECT g.*, d.id AS diner_id,
                   CASE WHEN g.di % 10 = 0 THEN 'NONE' WHEN g.di % 10 <= 6 THEN '70_79' ELSE '80_PLUS' END AS tier,
                   CASE WHEN k % 9 = 0 THEN 'BREAKFAST' WHEN k % 9 <= 5 THEN 'LUNCH' ELSE 'DINNER' END AS period,
                   (hashint4(g.canteen_id * 100000 + k + extract(doy FROM g.meal_date)::int) & 2147483647) % 100 AS r
              FROM g JOIN d ON d.di = g.di),
          y AS (
            SELECT x.*, CASE period WHEN 'BREAKFAST' THEN 300 WHEN 'LUNCH' THEN 1200 ELSE 1000 END AS price,
                   CASE tier WHEN 'NONE' THEN 0 WHEN '70_79' THEN 200 ELSE 400 END AS amount,
                   CASE period WHEN 'BREAKFAST' THEN 6 WHEN 'LUNCH' THEN 10 + r % 4 ELSE 17 + r % 2 END AS hour
              FROM x)
     INSERT INTO meals (subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen, subsidy_fen,
         payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification, cashier_user_id,
         idempotency_key, request_hash, voided_at, voided_by, void_reason)
     SELECT subdistrict_id, canteen_id, diner_id, meal_date, period,
            (meal_date + make_time(hour, r % 60, 0)) AT TIME ZONE 'Asia/Shanghai',
            price, LEAST(amount, price), price - LEAST(amount, price),
            CASE tier WHEN 'NONE' THEN 63 WHEN '70_79' THEN 75 ELSE 85 END, tier,
            CASE WHEN amount > 0 THEN 'TIER_' || tier ELSE 'UNDER_AGE' END, 1, 'DAY', 'ID_CARD_READER', $2,
            'bench-' || canteen_id || '-' || meal_date || '-' || k, 'bench',
            CASE WHEN r = 0 THEN meal_date + time '15:00' END, CASE WHEN r = 0 THEN $2::int END,
            CASE WHEN r = 0 THEN '测试作废' END
       FROM y`,
    [first, w.cashierId],
  );
}

interface Timing {
  role: string;
  query: string;
  medianMs: number;
  maxMs: number;
  firstMs: number;
  rows: number;
}

async function time(role: string, query: string, run: () => Promise<number>): Promise<Timing> {
  const ms: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    rows = await run();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return {
    role,
    query,
    medianMs: r(percentile(sorted, 50)),
    maxMs: r(sorted[sorted.length - 1]),
    firstMs: r(ms[0]),
    rows,
  };
}

/** BENCH_REUSE=1: the city of an earlier run, still in the bench database (times the queries only). */
async function reuse(): Promise<{ ds: DataSource; w: World }> {
  const ds = new DataSource(databaseOptions(BENCH_DB_URL, { poolSize: 4, applicationName: 'bench' }));
  await ds.initialize();
  const canteens: { id: number; subdistrict_id: number }[] = await ds.query(
    `SELECT id, subdistrict_id FROM canteens ORDER BY id`,
  );
  const subs: { id: number }[] = await ds.query(`SELECT id FROM subdistricts WHERE name LIKE '测试街道%' ORDER BY id`);
  return {
    ds,
    w: {
      subdistricts: subs.map((x) => x.id),
      canteens: canteens.map((c) => ({ id: c.id, subdistrictId: c.subdistrict_id })),
      cashierId: 0,
    },
  };
}

async function main(): Promise<void> {
  let ds: DataSource;
  let w: World;
  let seedSeconds = 0;
  let loadSeconds = 0;
  if (process.env.BENCH_REUSE === '1') {
    ({ ds, w } = await reuse());
    // The load figures of the run that built the city.
    const earlier = JSON.parse(readFileSync('bench/results/stats.json', 'utf8')) as Record<string, number>;
    seedSeconds = earlier.seedSeconds;
    loadSeconds = earlier.loadSeconds;
  } else {
    ds = await freshBenchDatabase();
    const t0 = Date.now();
    w = await seed(ds);
    seedSeconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    for (let m = 1; m <= 12; m++) {
      await insertMonth(ds, w, m);
      process.stderr.write(`month ${m} loaded (${((Date.now() - t1) / 1000).toFixed(0)} s)\n`);
    }
    loadSeconds = (Date.now() - t1) / 1000;
  }
  const t2 = Date.now();
  // Autovacuum would do this in production; the visibility map is what lets the index answer alone.
  await ds.query('VACUUM ANALYZE meals, meal_stats_days, meal_stats_diner_months');
  const vacuumSeconds = (Date.now() - t2) / 1000;
  const [{ meals, voided }]: { meals: string; voided: string }[] = await ds.query(
    `SELECT count(*) AS meals, count(*) FILTER (WHERE voided_at IS NOT NULL) AS voided FROM meals`,
  );
  const [{ table_mb, index_mb, days_rows, days_mb, diner_months_rows, diner_months_mb }]: Record<string, string>[] =
    await ds.query(
      `SELECT pg_relation_size('meals') / 1048576 AS table_mb, pg_relation_size('meals_stats_idx') / 1048576 AS index_mb,
              (SELECT count(*) FROM meal_stats_days) AS days_rows,
              pg_total_relation_size('meal_stats_days') / 1048576 AS days_mb,
              (SELECT count(*) FROM meal_stats_diner_months) AS diner_months_rows,
              pg_total_relation_size('meal_stats_diner_months') / 1048576 AS diner_months_mb`,
    );

  const canteen = w.canteens[0];
  const users: AuthUser[] = [
    { id: 1, username: 'admin', role: 'ADMIN', subdistrictId: w.subdistricts[0], districtId: 1, canteenIds: [] },
    {
      id: 2,
      username: 'finance',
      role: 'FINANCE',
      subdistrictId: canteen.subdistrictId,
      districtId: 1,
      canteenIds: [],
    },
    {
      id: 3,
      username: 'operator',
      role: 'OPERATOR',
      subdistrictId: canteen.subdistrictId,
      districtId: 1,
      canteenIds: [canteen.id],
    },
  ];
  const month = { from: `${MONTH}-01`, to: `${MONTH}-30` };
  const year = { from: '2024-12-01', to: month.to };
  const timings: Timing[] = [];
  // The machine is shared: its load while timing says how far the figures are from an idle machine's.
  const loadBefore = loadavg()[0];
  // The same queries before the rollups (meals alone, bench/stats-before.queries.ts) and after, on the same city.
  for (const [version, q] of [
    ['before', before],
    ['after', after],
  ] as const) {
    for (const u of users) {
      const role = `${version}: ${
        u.role === 'ADMIN' ? 'admin (city)' : u.role === 'FINANCE' ? 'finance (sub-district)' : 'operator (canteen)'
      }`;
      timings.push(
        await time(role, 'daily, one month', async () => (await q.dailyStats(ds, u, month, {})).days.length),
        await time(role, 'breakdown (KPIs, tiers, periods, canteens), one month', async () => {
          const b = await q.breakdownStats(ds, u, month, {});
          return b.byCanteen.length + b.byTier.length + b.byPeriod.length;
        }),
        await time(role, 'twelve months', async () => (await q.monthlyStats(ds, u, year, {})).length),
        await time(role, 'busiest hours, one month', async () => (await q.busiestHours(ds, u, month, {})).length),
        await time(
          role,
          'daily, a whole year (366 days)',
          async () => (await q.dailyStats(ds, u, { from: '2024-12-31', to: '2025-12-31' }, {})).days.length,
        ),
      );
    }
    // The screen's load: the summary's three statements at once (as the API runs them) plus the month's daily line.
    for (const u of users) {
      timings.push(
        await time(`${version}: ${u.role.toLowerCase()}`, 'whole screen (summary ∥ daily), one month', async () => {
          const r = await Promise.all([
            q.monthlyStats(ds, u, year, {}),
            q.breakdownStats(ds, u, month, {}),
            q.busiestHours(ds, u, month, {}),
            q.dailyStats(ds, u, month, {}),
          ]);
          return r.length;
        }),
      );
    }
  }
  const result = {
    machine: machine(),
    ranAt: new Date().toISOString(),
    canteens: w.canteens.length,
    subdistricts: w.subdistricts.length,
    diners: w.canteens.length * REGULARS,
    meals: Number(meals),
    voided: Number(voided),
    reused: process.env.BENCH_REUSE === '1',
    seedSeconds,
    loadSeconds,
    vacuumSeconds,
    tableMiB: Number(table_mb),
    statsIndexMiB: Number(index_mb),
    rollups: {
      days: { rows: Number(days_rows), totalMiB: Number(days_mb) },
      dinerMonths: { rows: Number(diner_months_rows), totalMiB: Number(diner_months_mb) },
    },
    runs: RUNS,
    loadAverage1m: { before: loadBefore, after: loadavg()[0] },
    timings,
  };
  writeFileSync('bench/results/stats.json', JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  await ds.destroy();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
