import type { Page } from 'playwright-core';
import { todayLocal } from '../src/common/local-date';
import { makeIdNumber, maskIdNumber } from '../src/subsidy/id-number';
import { openBrowser, TestBrowser } from './support/browser';
import { CanteenFixture, createCanteen, createDiner, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const yearsAgo = (years: number): string => {
  const d = todayLocal();
  return `${Number(d.slice(0, 4)) - years}-${d.slice(5) === '02-29' ? '02-28' : d.slice(5)}`;
};

// SPEC §4 "Offline" in real Chromium: the server goes away (every /api request fails at the network), the till keeps
// recording with a provisional quote, counts what waits, and sends each meal exactly once when the server is back;
// a meal the server subsidises less becomes an offline conflict the operator sees.
jest.setTimeout(120_000);

describe('The till offline (real Chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let canteen: CanteenFixture;
  let other: CanteenFixture;
  let cashier: UserFixture;
  let operator: UserFixture;

  const scan = async (text: string): Promise<void> => {
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  };

  beforeAll(async () => {
    t = await startTestApp();
    canteen = await createCanteen(t.db, {
      name: '东关国际幸福食堂',
      prices: { BREAKFAST: 1200, LUNCH: 1200, DINNER: 1200 },
    });
    other = await createCanteen(t.db, { name: '馨泰颐养中心幸福食堂' });
    cashier = await createUser(t, 'CASHIER', {
      canteenIds: [canteen.id],
      password: 'till-pass-1',
      displayName: '罗小梅',
    });
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
    browser = await openBrowser();
    page = browser.page;
    await page.goto(`${t.url}/till`);
    await page.locator('input[name=username]').waitFor();
    await page.keyboard.type(cashier.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(cashier.password);
    await page.keyboard.press('Enter');
    await page.locator('.till-canteen', { hasText: '东关国际幸福食堂' }).waitFor();
    // The policy the till will quote from while offline is cached once it is loaded.
    await page.waitForFunction('JSON.parse(localStorage.getItem("hc.till.cache") || "{}").policies?.length > 0');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('records three meals offline, shows 3 waiting, and sends each once when the server is back', async () => {
    const eighty = await createDiner(t, { birthDate: yearsAgo(82), name: '罗玉山' });
    const elsewhere = await createDiner(t, { birthDate: yearsAgo(75), name: '王秀英' });
    const unregistered = makeIdNumber('371502', yearsAgo(81), 921);
    // 王秀英 already had her subsidised lunch at the other canteen today: the till cannot know that offline.
    const otherCashier = await createUser(t, 'CASHIER', { canteenIds: [other.id] });
    await t
      .http()
      .post(`/api/canteens/${other.id}/meals`)
      .set('Authorization', otherCashier.token)
      .set('Idempotency-Key', `offline-page-${Date.now()}`)
      .send({ idNumber: elsewhere.idNumber, mealPeriod: 'LUNCH', verification: 'ID_CARD_READER' })
      .expect(201);

    // The server goes away.
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));

    await scan(eighty.idNumber);
    await page.locator('#quote').waitFor();
    expect(await page.locator('#q-subsidy').textContent()).toBe('¥4.00');
    expect(await page.locator('#q-payable').textContent()).toBe('¥8.00');
    expect(await page.locator('#quote [data-code=OFFLINE]').textContent()).toContain('离线报价');
    await page.keyboard.press('Enter');
    await page.locator('#outbox', { hasText: '待上传 1 笔' }).waitFor();
    expect(await page.locator('#offline').textContent()).toBe('离线');

    await scan(elsewhere.idNumber);
    await page.locator('#q-subsidy', { hasText: '¥2.00' }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('#outbox', { hasText: '待上传 2 笔' }).waitFor();

    await scan(unregistered);
    await page.locator('#q-subsidy', { hasText: '¥4.00' }).waitFor();
    await page.screenshot({ path: '/tmp/off-shots/till-offline-quote-1024.png' });
    await page.keyboard.press('Enter');
    await page.locator('#outbox', { hasText: '待上传 3 笔' }).waitFor();
    expect(await page.locator('#message').textContent()).toContain('已离线记录');
    expect(await page.locator('#scan').inputValue()).toBe('');
    await page.screenshot({ path: '/tmp/off-shots/till-offline-1024.png' });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.screenshot({ path: '/tmp/off-shots/till-offline-1366.png' });
    await page.setViewportSize({ width: 1024, height: 768 });

    // Waiting in the browser, not in the database; the ID number is kept only until sent.
    const stored = await page.evaluate<string>('localStorage.getItem("hc.till.outbox")');
    expect(JSON.parse(stored)).toHaveLength(3);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM meals WHERE canteen_id = $1`, [canteen.id]);
    expect(n).toBe(0);

    // The server answers again: every meal lands once.
    await page.unroute('**/api/**');
    await page.locator('#outbox').waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('#offline').waitFor({ state: 'detached' });
    expect(await page.evaluate<string>('localStorage.getItem("hc.till.outbox")')).toBe('[]');
    expect(await page.locator('#upload').textContent()).toBe(
      '离线记录已上传 3 笔，其中 2 笔服务器核定的补贴低于离线报价，少收合计 ¥6.00，已转站点管理员处理',
    );

    const meals: { diner_id: number; subsidy_fen: number; offline: boolean }[] = await t.db.query(
      `SELECT diner_id, subsidy_fen, offline FROM meals WHERE canteen_id = $1 ORDER BY id`,
      [canteen.id],
    );
    expect(meals).toEqual([
      { diner_id: eighty.id, subsidy_fen: 400, offline: true },
      { diner_id: elsewhere.id, subsidy_fen: 0, offline: true },
    ]);
    const conflicts: {
      meal_id: string | null;
      id_number_masked: string;
      under_collected_fen: number;
      reason: string;
    }[] = await t.db.query(
      `SELECT meal_id, id_number_masked, under_collected_fen, reason FROM offline_conflicts WHERE canteen_id = $1
          ORDER BY id`,
      [canteen.id],
    );
    expect(conflicts.map((c) => [c.id_number_masked, c.under_collected_fen, c.reason])).toEqual([
      [maskIdNumber(elsewhere.idNumber), 200, 'ALREADY_SUBSIDISED'],
      [maskIdNumber(unregistered), 400, 'NOT_REGISTERED'],
    ]);

    // The operator's conflict list has both, unsettled.
    const list = await t
      .http()
      .get(`/api/canteens/${canteen.id}/offline-conflicts?settled=false`)
      .set('Authorization', operator.token)
      .expect(200);
    expect(list.body.items.map((c: { maskedIdNumber: string }) => c.maskedIdNumber).sort()).toEqual(
      [maskIdNumber(elsewhere.idNumber), maskIdNumber(unregistered)].sort(),
    );

    // The list shows the meals once the till reloads it.
    await page.locator('#meals tr[data-meal-id]').nth(1).waitFor({ timeout: 15_000 });
    expect(await page.locator('#meals tr[data-meal-id]').count()).toBe(2);
    await page.screenshot({ path: '/tmp/off-shots/till-back-online-1024.png' });
  });

  it('goes offline on a 503 too, and lands a meal once when its first send is cut off after the server took it', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(76), name: '李桂兰' });
    // The server answers 503 (e.g. its database is away): the till keeps recording.
    await page.route('**/api/**', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          statusCode: 503,
          code: 'DATABASE_UNAVAILABLE',
          message: '数据库暂时无法连接，请稍后重试',
        }),
      }),
    );
    await scan(diner.idNumber);
    await page.locator('#q-subsidy', { hasText: '¥2.00' }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('#outbox', { hasText: '待上传 1 笔' }).waitFor();
    await page.unroute('**/api/**');

    // The first send reaches the server, which records the meal, but its answer never comes back.
    let sends = 0;
    await page.route('**/api/canteens/*/meals', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      sends++;
      if (sends > 1) return route.continue();
      await route.fetch();
      return route.abort('connectionreset');
    });
    try {
      await page.locator('#outbox').waitFor({ state: 'detached', timeout: 30_000 });
    } finally {
      await page.unroute('**/api/canteens/*/meals');
    }
    expect(sends).toBeGreaterThanOrEqual(2);
    const rows = await t.db.query(`SELECT subsidy_fen, offline FROM meals WHERE diner_id = $1`, [diner.id]);
    expect(rows).toEqual([{ subsidy_fen: 200, offline: true }]);
    expect(await page.locator('#upload').textContent()).toContain('离线记录已上传 1 笔');
  });

  it('says a meal card cannot be quoted offline', async () => {
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    try {
      await scan('A123456');
      await page.locator('#message', { hasText: '离线时无法识别就餐卡' }).waitFor();
      expect(await page.locator('#quote').count()).toBe(0);
    } finally {
      await page.unroute('**/api/**');
    }
  });
});
