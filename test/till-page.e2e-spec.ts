import type { Page } from 'playwright-core';
import { todayLocal } from '../src/common/local-date';
import { makeIdNumber } from '../src/subsidy/id-number';
import { openBrowser, TestBrowser } from './support/browser';
import { CanteenFixture, createCanteen, createDiner, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const yearsAgo = (years: number): string => {
  const d = todayLocal();
  return `${Number(d.slice(0, 4)) - years}-${d.slice(5) === '02-29' ? '02-28' : d.slice(5)}`;
};

describe('The till page (real Chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let canteen: CanteenFixture;
  let cashier: UserFixture;

  const mealsOf = async (dinerId: number): Promise<{ id: string; voided_at: Date | null; subsidy_fen: number }[]> =>
    t.db.query(`SELECT id, voided_at, subsidy_fen FROM meals WHERE diner_id = $1 ORDER BY id`, [dinerId]);

  // A string expression: the test's TypeScript has no DOM types.
  const focusedId = (): Promise<string> =>
    page.evaluate<string>('document.activeElement ? document.activeElement.id : ""');

  const scan = async (text: string): Promise<void> => {
    await page.locator('#scan').focus();
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  };

  beforeAll(async () => {
    t = await startTestApp();
    canteen = await createCanteen(t.db, {
      name: '东关国际幸福食堂',
      prices: { BREAKFAST: 1200, LUNCH: 1200, DINNER: 1200 },
    });
    cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id], password: 'till-pass-1' });
    browser = await openBrowser();
    page = browser.page;
    await page.goto(`${t.url}/till.html`);
    await page.fill('#login-username', cashier.username);
    await page.fill('#login-password', 'till-pass-1');
    await page.keyboard.press('Enter');
    await page.locator('#main').waitFor({ state: 'visible' });
    await page.locator('#canteen-name', { hasText: '东关国际幸福食堂' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('scans, quotes, records on Enter and lists the meal with totals', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(75), name: '王秀英' });
    expect(await focusedId()).toBe('scan');
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    expect(await page.locator('#q-name').textContent()).toBe('王秀英');
    expect(await page.locator('#q-id').textContent()).toBe(`371502********${diner.idNumber.slice(14)}`);
    expect(await page.locator('#q-payable').textContent()).toBe('¥10.00');
    expect(await page.locator('#q-subsidy').textContent()).toBe('¥2.00');
    expect(await page.content()).not.toContain(diner.idNumber);

    await page.keyboard.press('Enter');
    await page.locator('#message', { hasText: '已记录' }).waitFor();
    await page.locator('#meals tr', { hasText: '王秀英' }).waitFor();
    expect(await page.locator('#totals').textContent()).toContain('补贴合计 ¥2.00');
    expect(await mealsOf(diner.id)).toHaveLength(1);
    expect(await focusedId()).toBe('scan');
  });

  it('records one meal for a double Enter', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(82), name: '李桂兰' });
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    // Counts the page's requests: a keydown handler calls fetch synchronously, so once the presses are done every
    // request they caused has started, and "none in flight" means the database holds all they could record.
    await page.evaluate(`(() => {
      const requests = (window.__requests = { real: window.fetch, started: 0, settled: 0 });
      window.fetch = (input, init) => {
        requests.started++;
        return requests.real.call(window, input, init).finally(() => requests.settled++);
      };
    })()`);
    try {
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      // '已记录' and the list's reload (its GET) start in the same task, so the reload is counted below too.
      await page.locator('#message', { hasText: '已记录：李桂兰' }).waitFor();
      await page.waitForFunction('window.__requests.started === window.__requests.settled');
    } finally {
      await page.evaluate('window.fetch = window.__requests.real; delete window.__requests');
    }
    expect(await mealsOf(diner.id)).toHaveLength(1);
    expect(await page.locator('#meals tr', { hasText: '李桂兰' }).count()).toBe(1);
  });

  it('retries a request whose answer was lost with the same key, recording once', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(71), name: '张国华' });
    let lost = 0;
    const keys: string[] = [];
    await page.route(`**/api/canteens/${canteen.id}/meals`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key']);
      if (lost === 0) {
        lost++;
        await route.fetch(); // the server records the meal, but the answer never reaches the till
        await route.abort('connectionreset');
      } else {
        await route.continue();
      }
    });
    try {
      await scan(diner.idNumber);
      await page.locator('#quote').waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      await page.locator('#message', { hasText: '重试' }).waitFor();
      expect(await mealsOf(diner.id)).toHaveLength(1);
      await page.keyboard.press('Enter');
      await page.locator('#message', { hasText: '已记录：张国华' }).waitFor();
    } finally {
      await page.unroute(`**/api/canteens/${canteen.id}/meals`);
    }
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await mealsOf(diner.id)).toHaveLength(1);
  });

  it('cancels a quote with Esc and shows errors as plain Chinese sentences', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(77), name: '赵淑珍' });
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.locator('#quote').waitFor({ state: 'hidden' });
    expect(await mealsOf(diner.id)).toHaveLength(0);

    await scan(diner.idNumber.slice(0, 17) + (diner.idNumber[17] === '1' ? '2' : '1'));
    await page.locator('#message.error').waitFor();
    expect(await page.locator('#message').textContent()).toContain('校验位');
  });

  it('voids a meal with a reason', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(73), name: '孙玉梅' });
    await page.locator('#scan').fill('');
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    const row = page.locator('#meals tr', { hasText: '孙玉梅' });
    await row.waitFor();
    await row.locator('button.till-void').click();
    await page.locator('#void-dialog').waitFor({ state: 'visible' });
    await page.keyboard.type('收错了人');
    await page.keyboard.press('Enter');
    await page.locator('#meals tr.till-voided', { hasText: '孙玉梅' }).waitFor();
    expect(await row.textContent()).toContain('已作废：收错了人');
    const [meal] = await mealsOf(diner.id);
    expect(meal.voided_at).not.toBeNull();
  });

  it('registers a first-time diner on the spot and serves them', async () => {
    const idNumber = makeIdNumber('371502', yearsAgo(84), 357);
    await scan(idNumber);
    await page.locator('#register').waitFor({ state: 'visible' });
    expect(await page.locator('#reg-id').textContent()).toBe(`371502********${idNumber.slice(14)}`);
    await page.keyboard.type('刘德福');
    await page.keyboard.press('Enter');
    await page.locator('#quote').waitFor({ state: 'visible' });
    expect(await page.locator('#q-name').textContent()).toBe('刘德福');
    expect(await page.locator('#q-subsidy').textContent()).toBe('¥4.00');
    await page.keyboard.press('Enter');
    await page.locator('#message', { hasText: '已记录：刘德福' }).waitFor();
    const [diner] = await t.db.query(`SELECT id, registered_canteen_id FROM diners WHERE name = '刘德福'`);
    expect(diner.registered_canteen_id).toBe(canteen.id);
    const meals = await mealsOf(diner.id);
    expect(meals).toEqual([expect.objectContaining({ subsidy_fen: 400 })]);
  });
});
