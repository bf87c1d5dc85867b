import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { AuthUser } from '../src/auth/auth-user';
import { addDays } from '../src/common/local-date';
import { PiiCipher } from '../src/common/pii-cipher';
import { keyBytes } from '../src/config/app-config';
import { insertDiners, NewDiner, pageRegister, registerBatch } from '../src/diners/diner.queries';
import { insertMeals, MealInsert } from '../src/meals/meal.queries';
import { makeIdNumber } from '../src/subsidy/id-number';
import { benchEnv, freshBenchDatabase, machine, percentile } from './bench-env';

// The city register (issue 17) at city scale: what the register's reach (home sub-district, or eaten at a canteen in
// reach: an EXISTS over meals) costs a page of it, its search by the last four digits, and the export's reading.
// 3 sub-districts in 2 districts, 30 canteens each, 20,000 diners each, 30 days of lunches (a quarter of the diners a day) (5 % eaten beyond the
// home sub-district), straight through the queries modules the API uses.

const SUBDISTRICTS = 3;
const CANTEENS_PER_SUB = 30;
const DINERS_PER_SUB = Number(process.env.BENCH_DINERS ?? 20_000);
const DAYS = 30;
const RUNS = 30;
const WORK = 'bench/results';
const env = benchEnv();
const cipher = new PiiCipher(keyBytes(env.PII_ENCRYPTION_KEY), keyBytes(env.PII_HMAC_KEY));

interface World {
  subs: number[];
  canteens: number[][];
  cashier: number;
  diners: number;
  meals: number;
}

async function seed(ds: DataSource): Promise<World> {
  const [districtB] = await ds.query(`INSERT INTO districts (name, code) VALUES ('茌平区', '371503') RETURNING id`);
  const subs: number[] = [];
  const canteens: number[][] = [];
  for (let s = 0; s < SUBDISTRICTS; s++) {
    const [sub] = await ds.query(`INSERT INTO subdistricts (name, district_id) VALUES ($1, $2) RETURNING id`, [
      `街道${s}`,
      s < 2 ? (await ds.query(`SELECT min(id) AS id FROM districts`))[0].id : districtB.id,
    ]);
    subs.push(sub.id);
    const ids: number[] = [];
    for (let c = 0; c < CANTEENS_PER_SUB; c++) {
      const [row] = await ds.query(
        `INSERT INTO canteens (subdistrict_id, name, type, lunch_price_fen) VALUES ($1, $2, 'ENTERPRISE', 1200) RETURNING id`,
        [sub.id, `食堂${s}-${c}`],
      );
      ids.push(row.id);
    }
    canteens.push(ids);
  }
  const [cashier] = await ds.query(
    `INSERT INTO users (username, password_hash, role, subdistrict_id) VALUES ('bench', 'x', 'CASHIER', $1) RETURNING id`,
    [subs[0]],
  );
  for (let s = 0; s < SUBDISTRICTS; s++) {
    for (let start = 0; start < DINERS_PER_SUB; start += 5000) {
      const batch: NewDiner[] = [];
      for (let i = start; i < Math.min(DINERS_PER_SUB, start + 5000); i++) {
        const n = s * DINERS_PER_SUB + i;
        const birthDate = addDays(`${1930 + (n % 25)}-01-01`, (n * 37) % 365);
        batch.push({
          subdistrictId: subs[s],
          name: `老人${n}`,
          idNumber: makeIdNumber(`3715${String(2 + s).padStart(2, '0')}`, birthDate, n % 1000),
          birthDate,
          sex: 'M',
          community: `社区${n % 40}`,
        });
      }
      await insertDiners(ds, cipher, batch, { skipConflicts: true });
    }
  }
  const diners: { id: number; subdistrict_id: number }[] = await ds.query(
    `SELECT id, subdistrict_id FROM diners ORDER BY id`,
  );
  let meals = 0;
  let batch: MealInsert[] = [];
  const flush = async (): Promise<void> => {
    meals += (await insertMeals(ds, batch, { skipConflicts: true })).length;
    batch = [];
  };
  for (let day = 0; day < DAYS; day++) {
    const date = addDays('2025-03-01', day);
    for (let i = day % 4; i < diners.length; i += 4) {
      const d = diners[i];
      const home = subs.indexOf(d.subdistrict_id);
      const s = (i * 7 + day) % 20 === 0 ? (home + 1) % SUBDISTRICTS : home;
      const canteen = canteens[s][(i + day) % CANTEENS_PER_SUB];
      batch.push({
        subdistrictId: subs[s],
        canteenId: canteen,
        dinerId: d.id,
        mealDate: date,
        mealPeriod: 'LUNCH',
        servedAt: new Date(`${date}T04:00:00Z`),
        priceFen: 1200,
        subsidyFen: 200,
        payableFen: 1000,
        age: 75,
        tier: '70_79',
        reason: 'TIER_70_79',
        policyVersionId: null,
        subsidySlot: 'DAY',
        verification: 'ID_CARD_READER',
        cashierUserId: cashier.id,
        idempotencyKey: `b${day}-${i}`,
        requestHash: 'h',
      });
      if (batch.length >= 5000) await flush();
    }
  }
  await flush();
  await ds.query('ANALYZE');
  return { subs, canteens, cashier: cashier.id, diners: diners.length, meals };
}

async function timed(runs: number, f: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: +percentile(ms, 50).toFixed(1), p95: +percentile(ms, 95).toFixed(1) };
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const ds = await freshBenchDatabase();
  try {
    const t0 = performance.now();
    const w = await seed(ds);
    const seedSeconds = +((performance.now() - t0) / 1000).toFixed(1);
    const user = (role: AuthUser['role'], canteenIds: number[] = []): AuthUser => ({
      id: w.cashier,
      username: 'bench',
      role,
      subdistrictId: role === 'REVIEWER' || role === 'ADMIN' ? (role === 'ADMIN' ? w.subs[0] : null) : w.subs[0],
      districtId: 1,
      canteenIds,
    });
    const operator = user('OPERATOR', w.canteens[0].slice(0, 2));
    const finance = user('FINANCE');
    const cases: [string, AuthUser, Parameters<typeof pageRegister>[2]][] = [
      ['operator, first page', operator, {}],
      ['operator, name part', operator, { q: '老人12' }],
      ['operator, last 4 digits', operator, { q: '0421' }],
      ['finance, first page', finance, {}],
      ['finance, community', finance, { q: '社区7' }],
      ['admin, first page', user('ADMIN'), {}],
    ];
    const pages: Record<string, { p50: number; p95: number; total: number }> = {};
    for (const [name, u, filter] of cases) {
      const { total } = await pageRegister(ds, u, filter, { page: 1, pageSize: 20 });
      pages[name] = { ...(await timed(RUNS, () => pageRegister(ds, u, filter, { page: 1, pageSize: 20 }))), total };
    }
    const t1 = performance.now();
    let exported = 0;
    for (let after = 0; ;) {
      const rows = await registerBatch(ds, finance, {}, after, 1000);
      exported += rows.length;
      if (rows.length < 1000) break;
      after = rows[rows.length - 1].id;
    }
    const exportSeconds = (performance.now() - t1) / 1000;
    const result = {
      machine: machine(),
      diners: w.diners,
      meals: w.meals,
      canteens: SUBDISTRICTS * CANTEENS_PER_SUB,
      seedSeconds,
      pageMs: pages,
      exportRead: {
        rows: exported,
        seconds: +exportSeconds.toFixed(2),
        rowsPerSecond: Math.round(exported / exportSeconds),
      },
    };
    writeFileSync(`${WORK}/register.json`, JSON.stringify(result, null, 2));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
