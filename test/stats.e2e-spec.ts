import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { MealStatsRollups1764300900000 } from '../migrations/1764300900000-MealStatsRollups';
import { addDays, monthBounds, monthOf, previousMonth, todayLocal } from '../src/common/local-date';
import { MealPeriod } from '../src/common/enums';
import { insertMeals, MealInsert } from '../src/meals/meal.queries';
import {
  CanteenFixture,
  createCanteen,
  createDiner,
  createSubdistrict,
  createUser,
  DinerFixture,
  firstSubdistrictId,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { binary } from './support/binary';

// SPEC §5 统计 / §6 GET /api/stats/daily: every figure the API answers is checked against the meals table, read
// row by row and counted here in TypeScript (an independent count, not the same SQL), to the unit; voided meals
// count nowhere; each role sees only its reach.

interface RawMeal {
  canteen_id: number;
  subdistrict_id: number;
  diner_id: number;
  meal_date: string;
  meal_period: MealPeriod;
  served_at: Date;
  subsidy_fen: number;
  tier: string;
  voided_at: Date | null;
}

interface Figures {
  meals: number;
  subsidisedMeals: number;
  subsidyFen: number;
  distinctDiners: number;
}

function count(meals: RawMeal[]): Figures {
  const live = meals.filter((m) => m.voided_at === null);
  return {
    meals: live.length,
    subsidisedMeals: live.filter((m) => m.subsidy_fen > 0).length,
    subsidyFen: live.reduce((s, m) => s + m.subsidy_fen, 0),
    distinctDiners: new Set(live.map((m) => m.diner_id)).size,
  };
}

function tierMeals(meals: RawMeal[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of meals) if (m.voided_at === null) out[m.tier] = (out[m.tier] ?? 0) + 1;
  return out;
}

const pick = <T extends object>(o: T, keys: (keyof Figures)[]): Partial<T> =>
  Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]])) as Partial<T>;
const FIGURES: (keyof Figures)[] = ['meals', 'subsidisedMeals', 'subsidyFen', 'distinctDiners'];

// A small seeded generator: the same meals on every run.
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const AGES: Record<string, { age: number; tier: string; amount: number }> = {
  '1955-01-10': { age: 70, tier: '70_79', amount: 200 },
  '1940-03-03': { age: 85, tier: '80_PLUS', amount: 400 },
  '1960-07-07': { age: 64, tier: 'NONE', amount: 0 },
};
const PRICES: Record<MealPeriod, number> = { BREAKFAST: 300, LUNCH: 1200, DINNER: 1000 };
const HOURS: Record<MealPeriod, number[]> = { BREAKFAST: [6, 7, 8], LUNCH: [10, 11, 12, 13], DINNER: [17, 18] };

describe('statistics API', () => {
  let t: TestApp;
  let subA: number;
  let subB: number;
  let a1: CanteenFixture;
  let a2: CanteenFixture;
  let b1: CanteenFixture;
  let idle: CanteenFixture;
  let operator: UserFixture;
  let finance: UserFixture;
  let financeB: UserFixture;
  let cashier: UserFixture;
  let admin: UserFixture;
  let all: RawMeal[];

  beforeAll(async () => {
    t = await startTestApp();
    subA = await firstSubdistrictId(t.db);
    subB = await createSubdistrict(t.db, '统计测试B街道');
    a1 = await createCanteen(t.db, { name: '统计甲食堂' });
    a2 = await createCanteen(t.db, { name: '统计乙食堂' });
    idle = await createCanteen(t.db, { name: '统计无餐食堂' });
    b1 = await createCanteen(t.db, { subdistrictId: subB, name: '统计丙食堂' });
    operator = await createUser(t, 'OPERATOR', { canteenIds: [a1.id] });
    cashier = await createUser(t, 'CASHIER', { canteenIds: [a1.id] });
    finance = await createUser(t, 'FINANCE');
    financeB = await createUser(t, 'FINANCE', { subdistrictId: subB });
    admin = await createUser(t, 'ADMIN');

    const births = Object.keys(AGES);
    const dinersA: DinerFixture[] = [];
    const dinersB: DinerFixture[] = [];
    for (let i = 0; i < 9; i++) dinersA.push(await createDiner(t, { birthDate: births[i % 3] }));
    for (let i = 0; i < 4; i++) dinersB.push(await createDiner(t, { birthDate: births[i % 3], subdistrictId: subB }));

    const random = rng(16);
    const meals: MealInsert[] = [];
    const usedSlot = new Set<string>();
    let key = 0;
    const add = (
      c: CanteenFixture,
      d: DinerFixture,
      date: string,
      period: MealPeriod,
      servedAt: Date,
      voided: boolean,
    ) => {
      const a = AGES[d.birthDate];
      const slot = `${d.id}/${date}`;
      const subsidised = a.amount > 0 && (voided || !usedSlot.has(slot));
      if (subsidised && !voided) usedSlot.add(slot);
      const priceFen = PRICES[period];
      const subsidyFen = subsidised ? Math.min(a.amount, priceFen) : 0;
      meals.push({
        subdistrictId: c.subdistrictId,
        canteenId: c.id,
        dinerId: d.id,
        mealDate: date,
        mealPeriod: period,
        servedAt,
        priceFen,
        subsidyFen,
        payableFen: priceFen - subsidyFen,
        age: a.age,
        tier: a.tier,
        reason: subsidised ? `TIER_${a.tier}` : a.amount > 0 ? 'ALREADY_SUBSIDISED' : 'UNDER_AGE',
        policyVersionId: 1,
        subsidySlot: 'DAY',
        verification: 'ID_CARD_READER',
        cashierUserId: cashier.id,
        idempotencyKey: `stats-${++key}`,
        requestHash: 'fixture',
        voidedAt: voided ? new Date() : null,
        voidedBy: voided ? cashier.id : null,
        voidReason: voided ? '测试作废' : null,
      });
    };
    // 2024-07 … 2025-06 (twelve months) with most meals in May and June 2025.
    const days: string[] = [];
    for (let m = 7; m <= 18; m++) {
      const year = m <= 12 ? 2024 : 2025;
      const month = String(((m - 1) % 12) + 1).padStart(2, '0');
      const dayCount = m >= 17 ? 28 : 2;
      for (let d = 1; d <= dayCount; d++) days.push(`${year}-${month}-${String(d).padStart(2, '0')}`);
    }
    for (const date of days) {
      for (const [c, diners] of [
        [a1, dinersA],
        [a2, dinersA],
        [b1, dinersB],
      ] as const) {
        const n = Math.floor(random() * 4);
        for (let i = 0; i < n; i++) {
          const d = diners[Math.floor(random() * diners.length)];
          const period = (['BREAKFAST', 'LUNCH', 'LUNCH', 'DINNER'] as const)[Math.floor(random() * 4)];
          const hours = HOURS[period];
          const hour = hours[Math.floor(random() * hours.length)];
          const servedAt = new Date(
            `${date}T${String(hour).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00+08:00`,
          );
          add(c, d, date, period, servedAt, random() < 0.1);
        }
      }
    }
    // Just after midnight in Shanghai: still the evening before in UTC (weekday and hour are Shanghai's).
    add(a1, dinersA[1], '2025-06-01', 'BREAKFAST', new Date('2025-06-01T00:30:00+08:00'), false);
    // A voided meal on a day with nothing else: the day shows zeros.
    add(a1, dinersA[2], '2025-06-30', 'LUNCH', new Date('2025-06-30T11:00:00+08:00'), true);
    await insertMeals(t.db, meals, { skipConflicts: false });
    all = await t.db.query(
      `SELECT canteen_id, subdistrict_id, diner_id, meal_date::text AS meal_date, meal_period, served_at, subsidy_fen,
              tier, voided_at FROM meals`,
    );
    expect(all.length).toBe(meals.length);
    expect(all.some((m) => m.voided_at !== null && m.subsidy_fen > 0)).toBe(true);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The admin's summary workbook for `query`, read back. */
  async function summaryWorkbook(query: Record<string, string>): Promise<ExcelJS.Workbook> {
    const res = await get(admin, '/api/stats/summary/export', query).buffer(true).parse(binary).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    return wb;
  }
  const get = (user: UserFixture, path: string, query: Record<string, string | number>) =>
    t.http().get(path).query(query).set('Authorization', user.token);
  const inRange = (from: string, to: string) => (m: RawMeal) => m.meal_date >= from && m.meal_date <= to;

  describe('GET /api/stats/daily', () => {
    it('answers every day of the range with the figures of the meals table, voided meals left out', async () => {
      const from = '2025-05-25';
      const to = '2025-06-30';
      const res = await get(admin, '/api/stats/daily', { from, to }).expect(200);
      const body = res.body as {
        days: (Figures & { date: string; byTier: Record<string, number> })[];
        totals: Figures & { byTier: Record<string, number> };
      };
      expect(body.days.map((d) => d.date)).toHaveLength(37);
      for (const day of body.days) {
        const ofDay = all.filter((m) => m.meal_date === day.date);
        expect({ date: day.date, ...pick(day, FIGURES), byTier: day.byTier }).toEqual({
          date: day.date,
          ...count(ofDay),
          byTier: tierMeals(ofDay),
        });
      }
      const ofRange = all.filter(inRange(from, to));
      expect(pick(body.totals, FIGURES)).toEqual(count(ofRange));
      expect(body.totals.byTier).toEqual(tierMeals(ofRange));
      // Diners are distinct over the range, not summed over the days.
      const summed = body.days.reduce((s, d) => s + d.distinctDiners, 0);
      expect(body.totals.distinctDiners).toBeLessThan(summed);
      // The day with only a voided meal counts nothing.
      expect(body.days.find((d) => d.date === '2025-06-30')).toMatchObject({ meals: 0, subsidyFen: 0, byTier: {} });
    });

    it('keeps an operator to its canteens and finance to its sub-district', async () => {
      const q = { from: '2025-06-01', to: '2025-06-30' };
      const month = all.filter(inRange(q.from, q.to));
      const op = (await get(operator, '/api/stats/daily', q).expect(200)).body as { totals: Figures };
      expect(pick(op.totals, FIGURES)).toEqual(count(month.filter((m) => m.canteen_id === a1.id)));
      const fin = (await get(finance, '/api/stats/daily', q).expect(200)).body as { totals: Figures };
      expect(pick(fin.totals, FIGURES)).toEqual(count(month.filter((m) => m.subdistrict_id === subA)));
      const finB = (await get(financeB, '/api/stats/daily', q).expect(200)).body as { totals: Figures };
      expect(pick(finB.totals, FIGURES)).toEqual(count(month.filter((m) => m.subdistrict_id === subB)));
      // Filters narrow within reach.
      const narrowed = (await get(finance, '/api/stats/daily', { ...q, canteenId: a2.id }).expect(200)).body as {
        totals: Figures;
      };
      expect(pick(narrowed.totals, FIGURES)).toEqual(count(month.filter((m) => m.canteen_id === a2.id)));
      const adminB = (await get(admin, '/api/stats/daily', { ...q, subdistrictId: subB }).expect(200)).body as {
        totals: Figures;
      };
      expect(pick(adminB.totals, FIGURES)).toEqual(count(month.filter((m) => m.subdistrict_id === subB)));
    });

    it('refuses filters beyond the reach, a cashier, and a range that is reversed or longer than 366 days', async () => {
      const q = { from: '2025-06-01', to: '2025-06-30' };
      const code = async (u: UserFixture, query: Record<string, string | number>, status: number) =>
        (await get(u, '/api/stats/daily', query).expect(status)).body.code as string;
      expect(await code(operator, { ...q, canteenId: a2.id }, 403)).toBe('CANTEEN_FORBIDDEN');
      expect(await code(operator, { ...q, canteenId: 2_000_000 }, 404)).toBe('CANTEEN_NOT_FOUND');
      expect(await code(finance, { ...q, canteenId: b1.id }, 403)).toBe('CANTEEN_FORBIDDEN');
      expect(await code(finance, { ...q, subdistrictId: subB }, 403)).toBe('SUBDISTRICT_FORBIDDEN');
      expect(await code(admin, { ...q, subdistrictId: 2_000_000 }, 404)).toBe('SUBDISTRICT_NOT_FOUND');
      expect(await code(cashier, q, 403)).toBe('ROLE_FORBIDDEN');
      expect(await code(admin, { from: '2025-06-02', to: '2025-06-01' }, 400)).toBe('STATS_RANGE_INVALID');
      expect(await code(admin, { from: '2024-01-01', to: '2025-01-01' }, 400)).toBe('STATS_RANGE_INVALID');
      await get(admin, '/api/stats/daily', { from: '2024-01-01', to: '2024-12-31' }).expect(200);
      expect(await code(admin, { from: '2025-02-30', to: '2025-03-01' }, 400)).toBe('VALIDATION_FAILED');
    });

    it('exports the same table as .xlsx with a 合计 row', async () => {
      const q = { from: '2025-06-01', to: '2025-06-30' };
      const res = await get(finance, '/api/stats/daily/export', q).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body);
      const ws = wb.getWorksheet('日统计')!;
      const rows = ws.getSheetValues().filter(Boolean) as unknown[][];
      const total = rows.find((r) => r[1] === '合计')!;
      const expected = count(all.filter(inRange(q.from, q.to)).filter((m) => m.subdistrict_id === subA));
      expect(total.slice(2, 6)).toEqual([
        expected.meals,
        expected.subsidisedMeals,
        expected.subsidyFen / 100,
        expected.distinctDiners,
      ]);
      expect(rows.filter((r) => /^2025-06-\d\d$/.test(String(r[1])))).toHaveLength(30);
    });
  });

  describe('GET /api/stats/summary', () => {
    type Summary = {
      month: string;
      previousMonth: string;
      toDateRange: { from: string; to: string } | null;
      kpis: Record<
        keyof Figures,
        {
          value: number;
          previous: number;
          change: number;
          changeRatio: number | null;
          toDate: { previous: number; change: number; changeRatio: number | null } | null;
        }
      >;
      byTier: (Figures & { tier: string })[];
      byPeriod: (Figures & { mealPeriod: string })[];
      byCanteen: (Figures & { canteenId: number; canteenName: string })[];
      months: (Figures & { month: string })[];
      busiestHours: { weekday: number; hour: number; meals: number }[];
    };
    const june = (m: RawMeal) => m.meal_date.startsWith('2025-06');
    const may = (m: RawMeal) => m.meal_date.startsWith('2025-05');

    function groupBy<K extends string | number>(meals: RawMeal[], key: (m: RawMeal) => K): Map<K, RawMeal[]> {
      const out = new Map<K, RawMeal[]>();
      for (const m of meals.filter((x) => x.voided_at === null)) out.set(key(m), [...(out.get(key(m)) ?? []), m]);
      return out;
    }

    function expectSummary(body: Summary, mine: RawMeal[]): void {
      // A month that has ended is compared with the whole previous month only.
      expect(body.toDateRange).toBeNull();
      const now = count(mine.filter(june));
      const before = count(mine.filter(may));
      for (const k of FIGURES) {
        expect({ k, ...body.kpis[k] }).toEqual({
          k,
          value: now[k],
          previous: before[k],
          change: now[k] - before[k],
          changeRatio: Math.round(((now[k] - before[k]) / before[k]) * 10_000) / 10_000,
          toDate: null,
        });
      }
      const tiers = groupBy(mine.filter(june), (m) => m.tier);
      expect(body.byTier).toEqual([...tiers.keys()].sort().map((tier) => ({ tier, ...count(tiers.get(tier)!) })));
      const periods = groupBy(mine.filter(june), (m) => m.meal_period);
      expect(body.byPeriod).toEqual(
        (['BREAKFAST', 'LUNCH', 'DINNER'] as const)
          .filter((p) => periods.has(p))
          .map((mealPeriod) => ({ mealPeriod, ...count(periods.get(mealPeriod)!) })),
      );
      for (const row of body.byCanteen) {
        expect(pick(row, FIGURES)).toEqual(count(mine.filter(june).filter((m) => m.canteen_id === row.canteenId)));
      }
      expect(body.months.map((m) => m.month)).toEqual([
        '2024-07',
        '2024-08',
        '2024-09',
        '2024-10',
        '2024-11',
        '2024-12',
        '2025-01',
        '2025-02',
        '2025-03',
        '2025-04',
        '2025-05',
        '2025-06',
      ]);
      for (const row of body.months) {
        expect({ month: row.month, ...pick(row, FIGURES) }).toEqual({
          month: row.month,
          ...count(mine.filter((m) => m.meal_date.startsWith(row.month))),
        });
      }
      // Weekday and hour in Asia/Shanghai, whatever the server's zone.
      const cells = groupBy(mine.filter(june), (m) => {
        const local = new Date(m.served_at.getTime() + 8 * 3_600_000);
        return (local.getUTCDay() || 7) * 100 + local.getUTCHours();
      });
      expect(body.busiestHours).toEqual(
        [...cells.keys()]
          .sort((x, y) => x - y)
          .map((k) => ({ weekday: Math.floor(k / 100), hour: k % 100, meals: cells.get(k)!.length })),
      );
    }

    it('gives an admin the month of every canteen, checked against the meals table', async () => {
      const body = (await get(admin, '/api/stats/summary', { month: '2025-06' }).expect(200)).body as Summary;
      expect(body).toMatchObject({ month: '2025-06', previousMonth: '2025-05' });
      expectSummary(body, all);
      // 2025-06-01 00:30 in Shanghai is a Sunday, hour 0 (Saturday 16:30 in UTC).
      expect(body.busiestHours).toContainEqual({ weekday: 7, hour: 0, meals: 1 });
      // Canteens side by side: those with meals and the active one without, never another's twice.
      expect(body.byCanteen.map((c) => c.canteenId).sort()).toEqual([a1.id, a2.id, b1.id, idle.id].sort());
      expect(body.byCanteen.find((c) => c.canteenId === idle.id)).toMatchObject({
        meals: 0,
        canteenName: '统计无餐食堂',
      });
      // A diner who ate at two canteens counts once in the month.
      const perCanteen = body.byCanteen.reduce((s, c) => s + c.distinctDiners, 0);
      expect(body.kpis.distinctDiners.value).toBeLessThan(perCanteen);
    });

    it('keeps an operator to its canteen and finance to its sub-district', async () => {
      const op = (await get(operator, '/api/stats/summary', { month: '2025-06' }).expect(200)).body as Summary;
      expectSummary(
        op,
        all.filter((m) => m.canteen_id === a1.id),
      );
      expect(op.byCanteen.map((c) => c.canteenId)).toEqual([a1.id]);
      const fin = (await get(finance, '/api/stats/summary', { month: '2025-06' }).expect(200)).body as Summary;
      expectSummary(
        fin,
        all.filter((m) => m.subdistrict_id === subA),
      );
      expect(fin.byCanteen.map((c) => c.canteenId)).not.toContain(b1.id);
      expect(
        (await get(operator, '/api/stats/summary', { month: '2025-06', canteenId: b1.id }).expect(403)).body.code,
      ).toBe('CANTEEN_FORBIDDEN');
    });

    it('has no change ratio against an empty month', async () => {
      const body = (await get(admin, '/api/stats/summary', { month: '2024-06' }).expect(200)).body as Summary;
      expect(body.kpis.meals).toEqual({ value: 0, previous: 0, change: 0, changeRatio: null, toDate: null });
      const first = (await get(admin, '/api/stats/summary', { month: '2024-07' }).expect(200)).body as Summary;
      expect(first.kpis.meals.previous).toBe(0);
      expect(first.kpis.meals.changeRatio).toBeNull();
      expect(first.kpis.meals.value).toBe(count(all.filter((m) => m.meal_date.startsWith('2024-07'))).meals);
    });

    it('compares a month under way with the same days of the previous month, not the whole of it', async () => {
      const cur = await createCanteen(t.db, { name: '统计本月食堂' });
      const diners = [
        await createDiner(t, { birthDate: '1955-01-10' }),
        await createDiner(t, { birthDate: '1940-03-03' }),
      ];
      const today = todayLocal();
      const month = monthOf(today);
      const prev = monthBounds(previousMonth(month));
      const sinceFirst = Number(today.slice(8, 10)) - 1;
      const sameDay =
        addDays(prev.firstDay, sinceFirst) < prev.lastDay ? addDays(prev.firstDay, sinceFirst) : prev.lastDay;
      // Meals today, on the previous month's 1st and its same day (inside the comparison), and on every later day
      // of the previous month (outside it, unless today is its last day or later).
      const dates = [today, prev.firstDay, sameDay];
      for (let d = addDays(sameDay, 1); d <= prev.lastDay; d = addDays(d, 1)) dates.push(d);
      let n = 0;
      const meals: MealInsert[] = dates.flatMap((date) =>
        diners.map((d, i) => ({
          subdistrictId: cur.subdistrictId,
          canteenId: cur.id,
          dinerId: d.id,
          mealDate: date,
          mealPeriod: 'LUNCH' as const,
          servedAt: new Date(`${date}T11:30:00+08:00`),
          priceFen: 1200,
          subsidyFen: i === 0 ? 200 : 400,
          payableFen: i === 0 ? 1000 : 800,
          age: i === 0 ? 70 : 85,
          tier: i === 0 ? '70_79' : '80_PLUS',
          reason: i === 0 ? 'TIER_70_79' : 'TIER_80_PLUS',
          policyVersionId: 1,
          subsidySlot: 'DAY' as const,
          verification: 'ID_CARD_READER' as const,
          cashierUserId: cashier.id,
          idempotencyKey: `stats-now-${++n}`,
          requestHash: 'fixture',
          voidedAt: null,
          voidedBy: null,
          voidReason: null,
        })),
      );
      await insertMeals(t.db, meals, { skipConflicts: false });
      const mine: RawMeal[] = await t.db.query(
        `SELECT canteen_id, subdistrict_id, diner_id, meal_date::text AS meal_date, meal_period, served_at, subsidy_fen,
                tier, voided_at FROM meals WHERE canteen_id = $1`,
        [cur.id],
      );
      const body = (await get(admin, '/api/stats/summary', { month, canteenId: cur.id }).expect(200)).body as Summary;
      expect(body.toDateRange).toEqual({ from: prev.firstDay, to: sameDay });
      const now = count(mine.filter((m) => m.meal_date.startsWith(month)));
      const toDate = count(mine.filter((m) => m.meal_date >= prev.firstDay && m.meal_date <= sameDay));
      const whole = count(mine.filter((m) => m.meal_date.startsWith(prev.firstDay.slice(0, 7))));
      for (const k of FIGURES) {
        const kpi = body.kpis[k];
        expect({ k, value: kpi.value, previous: kpi.previous, toDate: kpi.toDate }).toEqual({
          k,
          value: now[k],
          previous: whole[k],
          toDate: {
            previous: toDate[k],
            change: now[k] - toDate[k],
            changeRatio: Math.round(((now[k] - toDate[k]) / toDate[k]) * 10_000) / 10_000,
          },
        });
      }
      // The same days are fewer than the whole month whenever it has days after the comparison's last one.
      if (sameDay < prev.lastDay) expect(toDate.meals).toBeLessThan(whole.meals);
      // The workbook's 概览 carries the same days too.
      const wb = await summaryWorkbook({ month, canteenId: String(cur.id), table: 'kpis' });
      const rows = wb.getWorksheet('概览')!.getSheetValues().filter(Boolean) as unknown[][];
      expect(rows.find((r) => r[1] === '指标')![6]).toBe(`上月同期（${prev.firstDay}至${sameDay}）`);
      expect(rows.find((r) => r[1] === '本月人次')!.slice(2, 8)).toEqual([
        now.meals,
        whole.meals,
        now.meals - whole.meals,
        Math.round(((now.meals - whole.meals) / whole.meals) * 10_000) / 10_000,
        toDate.meals,
        now.meals - toDate.meals,
      ]);
      // The previous month itself has ended: compared with the whole month before it.
      const last = (
        await get(admin, '/api/stats/summary', { month: prev.firstDay.slice(0, 7), canteenId: cur.id }).expect(200)
      ).body as Summary;
      expect(last.toDateRange).toBeNull();
      expect(last.kpis.meals).toMatchObject({ value: whole.meals, toDate: null });
    });

    it('exports each table as a sheet, or one table', async () => {
      const load = summaryWorkbook;
      const wb = await load({ month: '2025-06' });
      expect(wb.worksheets.map((w) => w.name)).toEqual(['概览', '补贴档次', '餐次', '食堂', '月度趋势', '就餐时段']);
      const kpis = wb.getWorksheet('概览')!.getSheetValues().filter(Boolean) as unknown[][];
      const june = count(all.filter((m) => m.meal_date.startsWith('2025-06')));
      expect(kpis.find((r) => r[1] === '本月人次')![2]).toBe(june.meals);
      expect(kpis.find((r) => r[1] === '补贴金额')![2]).toBe(june.subsidyFen / 100);
      const canteens = wb.getWorksheet('食堂')!.getSheetValues().filter(Boolean) as unknown[][];
      expect(canteens.find((r) => r[1] === '统计丙食堂')![2]).toBe(
        count(all.filter((m) => m.meal_date.startsWith('2025-06') && m.canteen_id === b1.id)).meals,
      );
      const one = await load({ month: '2025-06', table: 'hours' });
      expect(one.worksheets.map((w) => w.name)).toEqual(['就餐时段']);
      await get(admin, '/api/stats/summary/export', { month: '2025-06', table: 'other' }).expect(400);
    });
  });

  describe('the rollups (migration MealStatsRollups)', () => {
    // The rollups' contents as the meals table defines them, and as they are: equal, row for row, after every change.
    const fromMeals = `
      SELECT meal_date::text AS d, subdistrict_id, canteen_id, tier, meal_period,
             EXTRACT(ISODOW FROM served_at AT TIME ZONE 'Asia/Shanghai')::int AS weekday,
             EXTRACT(HOUR FROM served_at AT TIME ZONE 'Asia/Shanghai')::int AS hour,
             count(*)::int AS meals, (count(*) FILTER (WHERE subsidy_fen > 0))::int AS subsidised, sum(subsidy_fen)::int AS fen
        FROM meals WHERE voided_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
    const days = `
      SELECT meal_date::text AS d, subdistrict_id, canteen_id, tier, meal_period, weekday::int, hour::int, meals,
             subsidised_meals AS subsidised, subsidy_fen::int AS fen
        FROM meal_stats_days WHERE meals > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
    const dinerMonthsFromMeals = `
      SELECT to_char(meal_date, 'YYYY-MM') AS month, subdistrict_id, canteen_id, diner_id, tier, meal_period,
             count(*)::int AS meals, (count(*) FILTER (WHERE subsidy_fen > 0))::int AS subsidised, sum(subsidy_fen)::int AS fen
        FROM meals WHERE voided_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`;
    const dinerMonths = `
      SELECT to_char(month, 'YYYY-MM') AS month, subdistrict_id, canteen_id, diner_id, tier, meal_period, meals,
             subsidised_meals AS subsidised, subsidy_fen::int AS fen
        FROM meal_stats_diner_months WHERE meals > 0 ORDER BY 1, 2, 3, 4, 5, 6`;
    const expectInStep = async (): Promise<void> => {
      expect(await t.db.query(days)).toEqual(await t.db.query(fromMeals));
      expect(await t.db.query(dinerMonths)).toEqual(await t.db.query(dinerMonthsFromMeals));
    };

    it('hold exactly the meals that count, after the fixture’s bulk insert', async () => {
      await expectInStep();
      // Voided meals were inserted too: they left no trace, and nothing went negative.
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM meal_stats_days WHERE meals = 0`);
      expect(n).toBe(0);
    });

    it('follow a meal recorded at the till, a back-dated one and a void, and the statistics with them', async () => {
      const today = todayLocal();
      const yearsAgo = (years: number): string => `${Number(today.slice(0, 4)) - years}-01-15`;
      const d80 = await createDiner(t, { birthDate: yearsAgo(86) });
      const d70 = await createDiner(t, { birthDate: yearsAgo(75) });
      const record = (diner: DinerFixture, servedAt?: Date, key = randomUUID()) =>
        t
          .http()
          .post(`/api/canteens/${a1.id}/meals`)
          .set('Authorization', operator.token)
          .set('Idempotency-Key', key)
          .send({
            idNumber: diner.idNumber,
            mealPeriod: 'LUNCH',
            verification: 'ID_CARD_READER',
            confirmOutsideHours: true,
            ...(servedAt ? { servedAt: servedAt.toISOString() } : {}),
          })
          .expect(201);
      // Three days back at 11:20 in Shanghai: maybe last month (the month's and the day's rows move, not today's).
      const backDay = addDays(today, -3);
      const backDated = (await record(d80, new Date(`${backDay}T11:20:00+08:00`))).body as { id: string };
      // The same request twice (a till's retry): one meal, counted once.
      const key = randomUUID();
      await record(d70, undefined, key);
      await record(d70, undefined, key);
      const now2 = (await record(d80)).body as { id: string; subsidyFen: number };
      expect(now2.subsidyFen).toBe(400);
      await expectInStep();
      await t
        .http()
        .post(`/api/meals/${now2.id}/void`)
        .set('Authorization', operator.token)
        .send({ reason: '测试作废' })
        .expect(200);
      await t
        .http()
        .post(`/api/meals/${backDated.id}/void`)
        .set('Authorization', operator.token)
        .send({ reason: '测试作废' })
        .expect(200);
      await expectInStep();
      // A void of a voided meal changes nothing (refused), and the rollups stay as they are.
      await t
        .http()
        .post(`/api/meals/${now2.id}/void`)
        .set('Authorization', operator.token)
        .send({ reason: '再次作废' });
      await expectInStep();
      const fresh: RawMeal[] = await t.db.query(
        `SELECT canteen_id, subdistrict_id, diner_id, meal_date::text AS meal_date, meal_period, served_at, subsidy_fen,
                tier, voided_at FROM meals WHERE canteen_id = $1`,
        [a1.id],
      );
      for (const month of [...new Set([monthOf(backDay), monthOf(today)])]) {
        const ofMonth = fresh.filter((m) => m.meal_date.startsWith(month));
        const summary = (await get(operator, '/api/stats/summary', { month }).expect(200)).body as {
          kpis: Record<keyof Figures, { value: number }>;
          byPeriod: (Figures & { mealPeriod: string })[];
        };
        const expected = count(ofMonth);
        expect(FIGURES.map((k) => summary.kpis[k].value)).toEqual(FIGURES.map((k) => expected[k]));
        const { firstDay, lastDay } = monthBounds(month);
        const daily = (await get(operator, '/api/stats/daily', { from: firstDay, to: lastDay }).expect(200)).body as {
          days: (Figures & { date: string })[];
          totals: Figures;
        };
        expect(pick(daily.totals, FIGURES)).toEqual(expected);
        for (const day of [backDay, today].filter((d) => d.startsWith(month))) {
          const row = daily.days.find((d) => d.date === day)!;
          expect(pick(row, FIGURES)).toEqual(count(ofMonth.filter((m) => m.meal_date === day)));
        }
      }
      // Today: d70's meal counts, d80's voided one nowhere.
      const todayRow = count(fresh.filter((m) => m.meal_date === today));
      expect(todayRow).toEqual({ meals: 1, subsidisedMeals: 1, subsidyFen: 200, distinctDiners: 1 });
    });

    it('are rebuilt from the meals by the migration, and dropped by its down', async () => {
      const before = [await t.db.query(days), await t.db.query(dinerMonths)];
      const qr = t.db.createQueryRunner();
      await qr.connect();
      try {
        await qr.startTransaction();
        const migration = new MealStatsRollups1764300900000();
        await migration.down(qr);
        const [{ n }] = await qr.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'meal_stats_%'`);
        expect(n).toBe(0);
        await migration.up(qr);
        await qr.commitTransaction();
      } finally {
        await qr.release();
      }
      expect([await t.db.query(days), await t.db.query(dinerMonths)]).toEqual(before);
      await expectInStep();
    });
  });

  it('reads the meals through the statistics index', async () => {
    // Vacuumed (as autovacuum would): the visibility map lets the index answer without visiting the table.
    await t.db.query('VACUUM ANALYZE meals');
    const qr = t.db.createQueryRunner();
    await qr.connect();
    try {
      // The fixture is small enough for a sequential scan; the point is that the index serves the query's shape.
      await qr.query('SET enable_seqscan = off');
      await qr.query('SET enable_bitmapscan = off');
      const plan: { 'QUERY PLAN': string }[] = await qr.query(
        `EXPLAIN SELECT m.meal_date, count(*), count(DISTINCT m.diner_id), sum(m.subsidy_fen)
           FROM meals m WHERE m.voided_at IS NULL AND m.meal_date BETWEEN '2025-06-01' AND '2025-06-30'
          GROUP BY m.meal_date`,
      );
      expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain('Index Only Scan using meals_stats_idx');
    } finally {
      await qr.query('RESET ALL');
      await qr.release();
    }
  });
});
