import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, monthBounds, monthOf, previousMonth, todayLocal } from '../src/common/local-date';
import { MealPeriod } from '../src/common/enums';
import { insertMeals, MealInsert } from '../src/meals/meal.queries';
import { openBrowser, TestBrowser } from './support/browser';
import {
  CanteenFixture,
  createCanteen,
  createDiner,
  createDistrict,
  createSubdistrictIn,
  createUser,
  DinerFixture,
  firstDistrictId,
  firstSubdistrictId,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

// The statistics screen (统计分析, issue 16) in Chromium, per role: the figures on the tiles and in the tables equal
// the meals table's (counted here in SQL straight from meals, not through the statistics code), voided meals count
// nowhere, and the pickers offer only canteens within reach. Screenshots go to SCREENSHOT_DIR (default
// /tmp/stats-page-shots) for people to look at.
const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/stats-page-shots';

interface Counted {
  meals: number;
  subsidised: number;
  fen: number;
  diners: number;
}

const yuan = (fen: number): string =>
  `¥${Math.floor(fen / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(fen % 100).padStart(2, '0')}`;
const n = (x: number): string => x.toLocaleString('zh-CN');

describe('Statistics page (Chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let subA: number;
  let subA2: number;
  let subB: number;
  let districtA: number;
  let districtB: number;
  let a1: CanteenFixture;
  let a2: CanteenFixture;
  let a3: CanteenFixture;
  let b1: CanteenFixture;
  let operator: UserFixture;
  let finance: UserFixture;
  let reviewer: UserFixture;
  let admin: UserFixture;

  /** Figures of June 2025 (or `month`) straight from meals, within `where` (SQL over meals m). */
  async function counted(where: string, params: unknown[], month = '2025-06'): Promise<Counted> {
    const [r] = await t.db.query(
      `SELECT count(*)::int AS meals, (count(*) FILTER (WHERE subsidy_fen > 0))::int AS subsidised,
              COALESCE(sum(subsidy_fen), 0)::int AS fen, count(DISTINCT diner_id)::int AS diners
         FROM meals m WHERE m.voided_at IS NULL AND to_char(m.meal_date, 'YYYY-MM') = $1 AND ${where}`,
      [month, ...params],
    );
    return r;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestApp();
    districtA = await firstDistrictId(t.db);
    subA = await firstSubdistrictId(t.db);
    subA2 = await createSubdistrictIn(t.db, districtA, '古楼街道');
    districtB = await createDistrict(t.db, '茌平区');
    subB = await createSubdistrictIn(t.db, districtB, '振兴街道');
    a1 = await createCanteen(t.db, { subdistrictId: subA, name: '东关国际幸福食堂' });
    a2 = await createCanteen(t.db, { subdistrictId: subA, name: '馨泰颐养中心幸福食堂' });
    a3 = await createCanteen(t.db, { subdistrictId: subA2, name: '古楼幸福食堂' });
    b1 = await createCanteen(t.db, { subdistrictId: subB, name: '振兴幸福食堂' });
    operator = await createUser(t, 'OPERATOR', { subdistrictId: subA, canteenIds: [a1.id], displayName: '王站长' });
    finance = await createUser(t, 'FINANCE', { subdistrictId: subA, displayName: '李会计' });
    reviewer = await createUser(t, 'REVIEWER', { districtId: districtA, displayName: '赵审核' });
    admin = await createUser(t, 'ADMIN', { displayName: '系统管理员' });
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [a1.id] });

    const births = ['1952-03-01', '1940-06-15', '1963-09-09'];
    const diners: DinerFixture[] = [];
    for (let i = 0; i < 24; i++) diners.push(await createDiner(t, { birthDate: births[i % 3] }));
    const tierOf = (d: DinerFixture): { tier: string; amount: number; age: number } =>
      d.birthDate === births[0]
        ? { tier: '70_79', amount: 200, age: 73 }
        : d.birthDate === births[1]
          ? { tier: '80_PLUS', amount: 400, age: 85 }
          : { tier: 'NONE', amount: 0, age: 61 };
    const PERIODS: [MealPeriod, number, number][] = [
      ['BREAKFAST', 7, 500],
      ['LUNCH', 11, 1200],
      ['LUNCH', 12, 1200],
      ['DINNER', 17, 1000],
    ];
    const meals: MealInsert[] = [];
    const subsidisedOn = new Set<string>();
    let key = 0;
    // May and June 2025: each canteen, each day, some diners (a deterministic spread), one in 15 voided.
    for (const [month, days] of [
      ['2025-05', 31],
      ['2025-06', 30],
    ] as const) {
      for (let day = 1; day <= days; day++) {
        const date = `${month}-${String(day).padStart(2, '0')}`;
        [a1, a2, a3, b1].forEach((c, ci) => {
          const count = 2 + ((day * (ci + 3)) % 5) + (month === '2025-06' ? 1 : 0);
          for (let k = 0; k < count; k++) {
            const d = diners[(day * 7 + k * 5 + ci * 3) % diners.length];
            const [period, hour, price] = PERIODS[(day + k + ci) % PERIODS.length];
            const { tier, amount, age } = tierOf(d);
            const voided = (day + k + ci) % 15 === 0;
            const slot = `${d.id}/${date}`;
            const subsidy = amount > 0 && !subsidisedOn.has(slot) ? Math.min(amount, price) : 0;
            if (subsidy > 0 && !voided) subsidisedOn.add(slot);
            meals.push({
              subdistrictId: c.subdistrictId,
              canteenId: c.id,
              dinerId: d.id,
              mealDate: date,
              mealPeriod: period,
              servedAt: new Date(
                `${date}T${String(hour).padStart(2, '0')}:${String(10 + k).padStart(2, '0')}:00+08:00`,
              ),
              priceFen: price,
              subsidyFen: subsidy,
              payableFen: price - subsidy,
              age,
              tier,
              reason: subsidy > 0 ? `TIER_${tier}` : amount > 0 ? 'ALREADY_SUBSIDISED' : 'UNDER_AGE',
              policyVersionId: 1,
              subsidySlot: 'DAY',
              verification: 'ID_CARD_READER',
              cashierUserId: cashier.id,
              idempotencyKey: `stats-page-${++key}`,
              requestHash: 'fixture',
              voidedAt: voided ? new Date() : null,
              voidedBy: voided ? cashier.id : null,
              voidReason: voided ? '录错了' : null,
            });
          }
        });
      }
    }
    await insertMeals(t.db, meals, { skipConflicts: false });
    browser = await openBrowser({ width: 1366, height: 768 });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function openAs(user: UserFixture, query = 'month=2025-06'): Promise<void> {
    const { context } = browser;
    await context.clearCookies();
    const { page } = browser;
    await page.goto(`${t.url}/`);
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${t.url}/stats?${query}`);
    await page.fill('input[name=username]', user.username);
    await page.fill('input[name=password]', user.password);
    await page.click('.login-form button[type=submit]');
    await page.waitForSelector('[data-kpi=meals] .stats-tile-value');
  }

  const text = async (selector: string): Promise<string> =>
    ((await browser.page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();

  /** The tiles and the daily table's 合计 row show exactly `c`; the change against May too. */
  async function expectFigures(c: Counted, may: Counted): Promise<void> {
    expect({
      meals: await text('[data-kpi=meals] .stats-tile-value'),
      subsidised: await text('[data-kpi=subsidisedMeals] .stats-tile-value'),
      fen: await text('[data-kpi=subsidyFen] .stats-tile-value'),
      diners: await text('[data-kpi=distinctDiners] .stats-tile-value'),
    }).toEqual({ meals: n(c.meals), subsidised: n(c.subsidised), fen: yuan(c.fen), diners: n(c.diners) });
    const diff = c.meals - may.meals;
    expect(await text('[data-kpi=meals] .stats-tile-change')).toContain(
      `较上月 ${diff > 0 ? '+' : diff < 0 ? '−' : ''}${n(Math.abs(diff))}`,
    );
    const total = '[data-table=daily] tfoot tr';
    expect(await text(`${total} [data-col=meals]`)).toBe(n(c.meals));
    expect(await text(`${total} [data-col=subsidyFen]`)).toBe(yuan(c.fen));
    expect(await text(`${total} [data-col=distinctDiners]`)).toBe(n(c.diners));
  }

  /** The canteens the picker offers (its dropdown opened and read, then closed). */
  async function canteenOptions(): Promise<string[]> {
    const { page } = browser;
    await page.click('[data-picker=canteen]');
    const items = page.locator('.el-select-dropdown:visible .el-select-dropdown__item');
    await items.first().waitFor();
    const names = (await items.allTextContents()).map((s) => s.trim());
    await page.keyboard.press('Escape');
    return names;
  }

  async function canteenRows(): Promise<Record<string, string>> {
    const rows = browser.page.locator('[data-table=canteens] tbody tr');
    const out: Record<string, string> = {};
    for (let i = 0; i < (await rows.count()); i++) {
      const cells = (await rows.nth(i).locator('td').allTextContents()).map((s) => s.trim());
      out[cells[0]] = cells[1];
    }
    return out;
  }

  const shot = (name: string) => browser.page.screenshot({ path: join(SHOTS, name), fullPage: false });
  const full = (name: string) => browser.page.screenshot({ path: join(SHOTS, name), fullPage: true });

  it('shows an operator its canteen only, at 1366×768 and 1024×768', async () => {
    await openAs(operator);
    const mine = await counted('m.canteen_id = $2', [a1.id]);
    await expectFigures(mine, await counted('m.canteen_id = $2', [a1.id], '2025-05'));
    expect(await canteenOptions()).toEqual(['东关国际幸福食堂']);
    expect(await canteenRows()).toEqual({ 东关国际幸福食堂: n(mine.meals) });
    expect(await browser.page.isVisible('[data-picker=subdistrict]')).toBe(false);
    // The header's menu: this role's pages, 统计分析 among them.
    expect(await browser.page.locator('.app-menu a').allTextContents()).toEqual(['收银台', '站点管理', '统计分析']);
    await shot('stats-operator-1366.png');
    await full('stats-operator-1366-full.png');
    await browser.page.setViewportSize({ width: 1024, height: 768 });
    await browser.page.waitForTimeout(300);
    await shot('stats-operator-1024.png');
    await full('stats-operator-1024-full.png');
    await browser.page.setViewportSize({ width: 1366, height: 768 });
  });

  it('shows a month under way up to today, compared with the same days of the previous month', async () => {
    const today = todayLocal();
    const month = monthOf(today);
    await openAs(operator, `month=${month}`);
    const prev = monthBounds(previousMonth(month));
    const same = addDays(prev.firstDay, Number(today.slice(8, 10)) - 1);
    const to = same < prev.lastDay ? same : prev.lastDay;
    const label = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
    expect(await text('[data-compared-with]')).toBe(
      `本月未过完，与上月同期比较：${label(prev.firstDay)}至${label(to)}`,
    );
    expect(await text('[data-kpi=meals] .stats-tile-change')).toMatch(/^(较上月同期 |上月无数据)/);
    // The daily table ends today: no rows of zeros for the days to come.
    const dates = await browser.page
      .locator('[data-table=daily] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-date')));
    expect(dates.at(0)).toBe(`${month}-01`);
    expect(dates.at(-1)).toBe(today);
  });

  it('shows finance its sub-district, narrows to one canteen, and picks another month', async () => {
    await openAs(finance);
    const sub = await counted('m.subdistrict_id = $2', [subA]);
    await expectFigures(sub, await counted('m.subdistrict_id = $2', [subA], '2025-05'));
    expect((await canteenOptions()).sort()).toEqual(['东关国际幸福食堂', '馨泰颐养中心幸福食堂'].sort());
    expect(await canteenRows()).toEqual({
      东关国际幸福食堂: n((await counted('m.canteen_id = $2', [a1.id])).meals),
      馨泰颐养中心幸福食堂: n((await counted('m.canteen_id = $2', [a2.id])).meals),
    });
    // Tiers and periods: each row equals the meals table's.
    for (const tier of ['70_79', '80_PLUS', 'NONE']) {
      const c = await counted('m.subdistrict_id = $2 AND m.tier = $3', [subA, tier]);
      expect(await text(`[data-table=tiers] tr[data-tier="${tier}"] [data-col=meals]`)).toBe(n(c.meals));
      expect(await text(`[data-table=tiers] tr[data-tier="${tier}"] [data-col=distinctDiners]`)).toBe(n(c.diners));
    }
    for (const period of ['BREAKFAST', 'LUNCH', 'DINNER']) {
      const c = await counted('m.subdistrict_id = $2 AND m.meal_period = $3', [subA, period]);
      expect(await text(`[data-table=periods] tr[data-period="${period}"] [data-col=subsidyFen]`)).toBe(yuan(c.fen));
    }
    // The busiest hours: June's Mondays at 11 in Shanghai.
    const [{ mondays }] = await t.db.query(
      `SELECT count(*)::int AS mondays FROM meals WHERE voided_at IS NULL AND subdistrict_id = $1
          AND meal_date BETWEEN '2025-06-01' AND '2025-06-30'
          AND EXTRACT(ISODOW FROM served_at AT TIME ZONE 'Asia/Shanghai') = 1
          AND EXTRACT(HOUR FROM served_at AT TIME ZONE 'Asia/Shanghai') = 11`,
      [subA],
    );
    expect(await text('[data-table=hours] tr[data-weekday="1"] td[data-hour="11"]')).toBe(n(mondays));
    await shot('stats-finance-1366.png');

    // One canteen, chosen in the picker: the figures follow, and the address keeps the choice.
    const { page } = browser;
    await page.click('[data-picker=canteen]');
    await page.click('.el-select-dropdown:visible .el-select-dropdown__item:has-text("馨泰颐养中心幸福食堂")');
    await page.waitForFunction(() => location.search.includes('canteenId='));
    const one = await counted('m.canteen_id = $2', [a2.id]);
    await page.waitForFunction(
      (want) => document.querySelector('[data-kpi=meals] .stats-tile-value')?.textContent?.trim() === want,
      n(one.meals),
    );
    await expectFigures(one, await counted('m.canteen_id = $2', [a2.id], '2025-05'));
    expect(await text('#stats-scope')).toBe('馨泰颐养中心幸福食堂');

    // May through the month picker (Element Plus in zh-CN).
    await page.click('.stats-month');
    await page.click('.el-month-table td:has-text("五月"), .el-month-table td:has-text("5月")');
    await page.waitForFunction(() => location.search.includes('month=2025-05'));
    const may = await counted('m.canteen_id = $2', [a2.id], '2025-05');
    await page.waitForFunction(
      (want) => document.querySelector('[data-kpi=meals] .stats-tile-value')?.textContent?.trim() === want,
      n(may.meals),
    );
    expect(await text('[data-table=daily] tfoot tr [data-col=meals]')).toBe(n(may.meals));
  });

  it('draws every chart on a canvas, subsidy amounts by day and distinct diners by month among them', async () => {
    await openAs(finance);
    const { page } = browser;
    for (const chart of ['daily', 'tiers', 'periods', 'canteens', 'months', 'hours']) {
      await page.waitForSelector(`[data-chart=${chart}] canvas`);
      const size = await page
        .locator(`[data-chart=${chart}] canvas`)
        .first()
        .evaluate((c: HTMLCanvasElement) => c.width * c.height);
      expect(size).toBeGreaterThan(0);
    }
    // The series each chart draws, as its label names them.
    const label = (chart: string) => page.getAttribute(`[data-chart=${chart}] [role=img]`, 'aria-label');
    expect(await label('daily')).toBe('每日人次与补贴金额图：人次、补贴人次、补贴金额（元）');
    expect(await label('months')).toBe('近12个月趋势图：人次、补贴人次、就餐老人数');

    // The figures behind the new series, day by day and month by month, as the meals table counts them.
    const days: { date: string; fen: number }[] = await t.db.query(
      `SELECT to_char(d, 'YYYY-MM-DD') AS date,
              (SELECT COALESCE(sum(subsidy_fen), 0)::int FROM meals m
                WHERE m.voided_at IS NULL AND m.subdistrict_id = $1 AND m.meal_date = d::date) AS fen
         FROM generate_series('2025-06-01'::date, '2025-06-30'::date, '1 day') d ORDER BY d`,
      [subA],
    );
    const shown = await page.locator('[data-table=daily] tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({
        date: r.getAttribute('data-date'),
        fen: r.querySelector('[data-col=subsidyFen]')?.textContent?.trim(),
      })),
    );
    expect(shown).toEqual(days.map((d) => ({ date: d.date, fen: yuan(d.fen) })));
    expect(days.some((d) => d.fen > 0)).toBe(true);
    for (const month of ['2025-05', '2025-06']) {
      const c = await counted('m.subdistrict_id = $2', [subA], month);
      expect(await text(`[data-table=months] tr[data-month="${month}"] [data-col=distinctDiners]`)).toBe(n(c.diners));
      expect(await text(`[data-table=months] tr[data-month="${month}"] [data-col=subsidyFen]`)).toBe(yuan(c.fen));
    }
  });

  it('shows a reviewer its district: both sub-districts, never another district’s canteen', async () => {
    await openAs(reviewer);
    const district = await counted('m.subdistrict_id IN ($2, $3)', [subA, subA2]);
    await expectFigures(district, await counted('m.subdistrict_id IN ($2, $3)', [subA, subA2], '2025-05'));
    const options = await canteenOptions();
    expect(options.sort()).toEqual(['东关国际幸福食堂', '馨泰颐养中心幸福食堂', '古楼幸福食堂'].sort());
    expect(options).not.toContain('振兴幸福食堂');
    expect(Object.keys(await canteenRows())).not.toContain('振兴幸福食堂');
    expect(await browser.page.isVisible('[data-picker=district]')).toBe(false);
    await shot('stats-reviewer-1366.png');
    // Another district's canteen through the address: refused by the server, said in Chinese.
    await browser.page.goto(`${t.url}/stats?month=2025-06&canteenId=${b1.id}`);
    await browser.page.waitForSelector('#stats-error');
    expect(await text('#stats-error')).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('shows an admin the city, then one district through the picker', async () => {
    await openAs(admin);
    await expectFigures(await counted('TRUE', []), await counted('TRUE', [], '2025-05'));
    expect((await canteenOptions()).sort()).toEqual(
      ['东关国际幸福食堂', '馨泰颐养中心幸福食堂', '古楼幸福食堂', '振兴幸福食堂'].sort(),
    );
    // The twelve months: May and June as the meals table counts them, the months before empty.
    const mayAll = await counted('TRUE', [], '2025-05');
    expect(await text('[data-table=months] tr[data-month="2025-05"] [data-col=meals]')).toBe(n(mayAll.meals));
    expect(await text('[data-table=months] tr[data-month="2025-04"] [data-col=meals]')).toBe('0');
    await shot('stats-admin-1366.png');
    await full('stats-admin-1366-full.png');

    const { page } = browser;
    await page.click('[data-picker=district]');
    await page.click('.el-select-dropdown:visible .el-select-dropdown__item:has-text("茌平区")');
    await page.waitForFunction(() => location.search.includes('districtId='));
    const b = await counted('m.subdistrict_id = $2', [subB]);
    await page.waitForFunction(
      (want) => document.querySelector('[data-kpi=meals] .stats-tile-value')?.textContent?.trim() === want,
      n(b.meals),
    );
    await expectFigures(b, await counted('m.subdistrict_id = $2', [subB], '2025-05'));
    expect(await canteenOptions()).toEqual(['振兴幸福食堂']);
    expect(await canteenRows()).toEqual({ 振兴幸福食堂: n(b.meals) });
  });

  it('exports a chart’s table as the server’s workbook', async () => {
    const { page } = browser;
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-chart=canteens] header button'),
    ]);
    expect(file.suggestedFilename()).toBe('就餐统计-2025-06-canteens.xlsx');
  });
});
