import type { Page } from 'playwright-core';
import { localTimeOf, todayLocal } from '../src/common/local-date';
import { makeIdNumber } from '../src/subsidy/id-number';
import { openBrowser, TestBrowser } from './support/browser';
import { CanteenFixture, createCanteen, createDiner, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const yearsAgo = (years: number): string => {
  const d = todayLocal();
  return `${Number(d.slice(0, 4)) - years}-${d.slice(5) === '02-29' ? '02-28' : d.slice(5)}`;
};

// The till (issue 15, SPEC §4) in real Chromium, driven by the keyboard as a cashier with a scanner does. Each
// test of a flaw or a rule failed on the plain till it replaces (src/web/till.js): see the commit message.
describe('The till page (real Chromium, keyboard only)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let canteen: CanteenFixture;
  let cashier: UserFixture;

  const mealsOf = async (
    dinerId: number,
  ): Promise<
    { id: string; voided_at: Date | null; subsidy_fen: number; outside_hours: boolean; meal_period: string }[]
  > =>
    t.db.query(
      `SELECT id, voided_at, subsidy_fen, outside_hours, meal_period FROM meals WHERE diner_id = $1 ORDER BY id`,
      [dinerId],
    );

  // A string expression: the test's TypeScript has no DOM types.
  const focusedId = (p: Page = page): Promise<string> =>
    p.evaluate<string>('document.activeElement ? document.activeElement.id : ""');
  const scanValue = (p: Page = page): Promise<string> => p.locator('#scan').inputValue();

  /** A scanner: types into whatever has the focus and ends with Enter. */
  const scan = async (text: string, p: Page = page): Promise<void> => {
    await p.keyboard.type(text);
    await p.keyboard.press('Enter');
  };

  const logIn = async (p: Page, user: UserFixture, path = '/till'): Promise<void> => {
    await p.goto(`${t.url}${path}`);
    await p.locator('input[name=username]').waitFor();
    await p.keyboard.type(user.username);
    await p.keyboard.press('Tab');
    await p.keyboard.type(user.password);
    await p.keyboard.press('Enter');
  };

  beforeAll(async () => {
    t = await startTestApp();
    canteen = await createCanteen(t.db, {
      name: '东关国际幸福食堂',
      prices: { BREAKFAST: 1200, LUNCH: 1200, DINNER: 1200 },
    });
    cashier = await createUser(t, 'CASHIER', {
      canteenIds: [canteen.id],
      password: 'till-pass-1',
      displayName: '罗小梅',
    });
    browser = await openBrowser();
    page = browser.page;
    await logIn(page, cashier);
    await page.locator('.till-canteen', { hasText: '东关国际幸福食堂' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("shows the person's name, no 切换食堂 for one canteen, and 暂无就餐记录 for an empty day", async () => {
    expect(await page.locator('.user-name').textContent()).toBe('罗小梅');
    expect(await page.getByRole('button', { name: '切换食堂' }).count()).toBe(0);
    await page.locator('#meals td.empty', { hasText: '暂无就餐记录' }).waitFor();
    expect(await focusedId()).toBe('scan');
  });

  it('scans, quotes, records on Enter and lists the meal with its cashier and totals', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(75), name: '王秀英' });
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    expect(await page.locator('#q-name').textContent()).toBe('王秀英');
    expect(await page.locator('#q-id').textContent()).toBe(`371502********${diner.idNumber.slice(14)}`);
    expect(await page.locator('#q-payable').textContent()).toBe('¥10.00');
    expect(await page.locator('#q-subsidy').textContent()).toBe('¥2.00');
    expect(await page.content()).not.toContain(diner.idNumber);
    expect(await scanValue()).toBe('');

    await page.keyboard.press('Enter');
    await page.locator('#message', { hasText: '已记录：王秀英' }).waitFor();
    const row = page.locator('#meals tr', { hasText: '王秀英' });
    await row.waitFor();
    expect(await row.textContent()).toContain('罗小梅');
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
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await mealsOf(diner.id)).toHaveLength(1);
  });

  it('Enter on 取消 cancels: nothing is recorded (flaw 2)', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(77), name: '赵淑珍' });
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    await page.keyboard.press('Tab');
    expect(await focusedId()).toBe('confirm');
    await page.keyboard.press('Tab');
    expect(await focusedId()).toBe('cancel');
    await page.keyboard.press('Enter');
    await page.locator('#quote').waitFor({ state: 'detached' });
    await page.locator('#message', { hasText: '已取消' }).waitFor();
    expect(await mealsOf(diner.id)).toHaveLength(0);
    expect(await focusedId()).toBe('scan');
    // Esc cancels too.
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.locator('#quote').waitFor({ state: 'detached' });
    expect(await mealsOf(diner.id)).toHaveLength(0);
  });

  it("a scan during A's quote quotes B, records nothing for A, and says so (flaw 3)", async () => {
    const a = await createDiner(t, { birthDate: yearsAgo(80), name: '钱玉兰' });
    const b = await createDiner(t, { birthDate: yearsAgo(72), name: '孙福来' });
    await scan(a.idNumber);
    await page.locator('#q-name', { hasText: '钱玉兰' }).waitFor();
    await scan(b.idNumber);
    await page.locator('#q-name', { hasText: '孙福来' }).waitFor();
    expect(await page.locator('#replaced').textContent()).toContain('钱玉兰 未记录');
    expect(await scanValue()).toBe('');
    await page.keyboard.press('Enter');
    await page.locator('#message', { hasText: '已记录：孙福来' }).waitFor();
    expect(await mealsOf(a.id)).toHaveLength(0);
    expect(await mealsOf(b.id)).toHaveLength(1);

    // The focus on 确认 while the scanner types: the characters go to the scan field, none is lost.
    await scan(a.idNumber);
    await page.locator('#q-name', { hasText: '钱玉兰' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focusedId()).toBe('confirm');
    const c = await createDiner(t, { birthDate: yearsAgo(90), name: '周长顺' });
    await scan(c.idNumber);
    await page.locator('#q-name', { hasText: '周长顺' }).waitFor();
    expect(await page.locator('#replaced').textContent()).toContain('钱玉兰 未记录');
    await page.keyboard.press('Escape');
    await page.locator('#quote').waitFor({ state: 'detached' });
    expect(await mealsOf(a.id)).toHaveLength(0);
    expect(await mealsOf(c.id)).toHaveLength(0);
  });

  it('empties the scan field after every answer, errors included, and names a wrong-length number', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(77), name: '吴桂芝' });
    // A wrong check character.
    await scan(diner.idNumber.slice(0, 17) + (diner.idNumber[17] === '1' ? '2' : '1'));
    await page.locator('#message.error', { hasText: '校验' }).waitFor();
    expect(await scanValue()).toBe('');
    // 17 and 14 digits: an ID number read wrong, not a meal card.
    await scan(diner.idNumber.slice(0, 17));
    await page.locator('#message.error', { hasText: '身份证号码位数不对（17 位）' }).waitFor();
    expect(await scanValue()).toBe('');
    await scan(diner.idNumber.slice(0, 14));
    await page.locator('#message.error', { hasText: '身份证号码位数不对（14 位）' }).waitFor();
    expect(await scanValue()).toBe('');
    // An unknown meal card.
    await scan('CARD-404');
    await page.locator('#message.error', { hasText: '未找到' }).waitFor();
    expect(await scanValue()).toBe('');
    expect(await page.content()).not.toContain(diner.idNumber.slice(0, 14));
    expect(await focusedId()).toBe('scan');
  });

  it('a session ended on the server brings the login form in place; after login exactly one meal (flaw 4)', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(85), name: '郑有福' });
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    await t.db.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [cashier.id]);
    await page.keyboard.press('Enter');
    const form = page.locator('.session-ended');
    await form.waitFor({ state: 'visible' });
    expect(await form.locator('input[name=username]').inputValue()).toBe(cashier.username);
    expect(await scanValue()).toBe('');
    expect(await mealsOf(diner.id)).toHaveLength(0);
    await page.keyboard.type('till-pass-1');
    await page.keyboard.press('Enter');
    await page.locator('#message', { hasText: '已记录：郑有福' }).waitFor();
    await form.waitFor({ state: 'detached' });
    expect(await mealsOf(diner.id)).toHaveLength(1);

    // Ended before a scan: the scan carries on after login, as its quote.
    await t.db.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [cashier.id]);
    const next = await createDiner(t, { birthDate: yearsAgo(79), name: '冯秀珍' });
    await scan(next.idNumber);
    await form.waitFor({ state: 'visible' });
    await page.keyboard.type('till-pass-1');
    await page.keyboard.press('Enter');
    await page.locator('#q-name', { hasText: '冯秀珍' }).waitFor();
    await page.keyboard.press('Escape');
    expect(await mealsOf(next.id)).toHaveLength(0);
  });

  it('voids the last meal with F4 and a reason', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(73), name: '孙玉梅' });
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    const row = page.locator('#meals tr', { hasText: '孙玉梅' });
    await row.waitFor();
    await page.keyboard.press('F4');
    await page.locator('#void-dialog', { hasText: '孙玉梅' }).waitFor({ state: 'visible' });
    await page.keyboard.type('收错了人');
    await page.keyboard.press('Enter');
    await page.locator('#meals tr.till-voided', { hasText: '孙玉梅' }).waitFor();
    expect(await row.textContent()).toContain('已作废：收错了人');
    const [meal] = await mealsOf(diner.id);
    expect(meal.voided_at).not.toBeNull();
    expect(await focusedId()).toBe('scan');
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
    expect(await mealsOf(diner.id)).toEqual([expect.objectContaining({ subsidy_fen: 400 })]);
  });

  it('lists a meal another till records without a reload', async () => {
    const other = await createUser(t, 'CASHIER', { canteenIds: [canteen.id], displayName: '陈二号' });
    const diner = await createDiner(t, { birthDate: yearsAgo(76), name: '何桂英' });
    await t
      .http()
      .post(`/api/canteens/${canteen.id}/meals`)
      .set('Authorization', other.token)
      .set('Idempotency-Key', 'other-till-1')
      .send({ idNumber: diner.idNumber, mealPeriod: 'LUNCH', verification: 'ID_CARD_READER' })
      .expect(201);
    const row = page.locator('#meals tr', { hasText: '何桂英' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('陈二号');
  });

  it('the customer display shows the amounts the till shows, and 欢迎光临 when idle', async () => {
    const diner = await createDiner(t, { birthDate: yearsAgo(81), name: '罗玉山' });
    const [display] = await Promise.all([browser.context.waitForEvent('page'), page.keyboard.press('F9')]);
    // It shows what the till shows now: the meal just recorded, until the next scan or Esc.
    await display.locator('.display').waitFor();
    await page.bringToFront();
    expect(await focusedId()).toBe('scan');
    await page.keyboard.press('Escape');
    await display.locator('[data-test=display-idle]', { hasText: '欢迎光临' }).waitFor();
    await scan(diner.idNumber);
    await page.locator('#quote').waitFor({ state: 'visible' });
    await display.locator('[data-test=display-name]', { hasText: '您好，罗**' }).waitFor();
    expect(await display.locator('[data-test=display-subsidy]').textContent()).toBe(
      await page.locator('#q-subsidy').textContent(),
    );
    expect(await display.locator('[data-test=display-payable]').textContent()).toBe(
      await page.locator('#q-payable').textContent(),
    );
    expect(await display.locator('[data-test=display-payable]').textContent()).toBe('¥8.00');
    expect(await display.locator('[data-test=display-line]').textContent()).toContain('已补贴');
    expect(await display.content()).not.toContain('罗玉山');
    expect(await display.content()).not.toContain(diner.idNumber.slice(6, 14));
    await page.keyboard.press('Escape');
    await display.locator('[data-test=display-idle]', { hasText: '欢迎光临' }).waitFor();
    await display.close();
  });
});

describe('The till: periods by the clock and outside hours (real Chromium, keyboard only)', () => {
  let t: TestApp;
  let browser: TestBrowser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const logIn = async (page: Page, user: UserFixture): Promise<void> => {
    await page.goto(`${t.url}/till`);
    await page.locator('input[name=username]').waitFor();
    await page.keyboard.type(user.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await page.locator('#scan').waitFor();
  };

  it('moves from breakfast to lunch as the clock passes the end of breakfast, and the quote names it (flaw 1)', async () => {
    const canteen = await createCanteen(t.db, {
      prices: { BREAKFAST: 300, LUNCH: 1200, DINNER: 1000 },
      periodHours: { BREAKFAST: ['06:00', '09:30'], LUNCH: ['10:00', '14:00'], DINNER: ['16:30', '19:00'] },
    });
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const diner = await createDiner(t, { birthDate: yearsAgo(75), name: '王早餐' });
    const page = await browser.context.newPage();
    // The page's clock: 09:29 in Shanghai today, running.
    await page.clock.install({ time: new Date(`${todayLocal()}T09:29:00+08:00`) });
    await logIn(page, cashier);
    const pill = page.locator('#period');
    await pill.locator('.till-period-name', { hasText: '早餐' }).waitFor();
    expect(await pill.textContent()).toContain('¥3.00');

    await page.clock.fastForward('02:30'); // 09:31:30
    await pill.locator('.till-period-name', { hasText: '午餐' }).waitFor();
    expect(await pill.textContent()).toContain('¥12.00');
    await page.keyboard.type(diner.idNumber);
    await page.keyboard.press('Enter');
    await page.locator('#q-period', { hasText: '午餐 ¥12.00' }).waitFor();
    expect(await page.locator('#q-price').textContent()).toBe('¥12.00');
    await page.keyboard.press('Escape');

    // A period picked by hand (F2) holds only until the next period starts (lunch, at 10:00).
    await page.clock.fastForward('20:00'); // 09:51:30
    await page.keyboard.press('F2');
    await pill.locator('.till-period-name', { hasText: '晚餐' }).waitFor();
    await page.clock.fastForward('05:00'); // 09:56:30
    expect(await pill.locator('.till-period-name').textContent()).toBe('晚餐');
    await page.clock.fastForward('05:00'); // 10:01:30
    await pill.locator('.till-period-name', { hasText: '午餐' }).waitFor();
    await page.close();
  });

  it('a meal outside its period hours needs a second, explicit confirmation and is flagged', async () => {
    // Lunch hours that do not hold the server's current time, whatever time the suite runs.
    const lunch: [string, string] = localTimeOf(new Date()) >= '12:00' ? ['00:00', '00:59'] : ['23:00', '23:59'];
    const canteen = await createCanteen(t.db, {
      periodHours: { BREAKFAST: ['00:00', '00:00'], LUNCH: lunch, DINNER: ['00:00', '00:00'] },
    });
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const diner = await createDiner(t, { birthDate: yearsAgo(75), name: '时段外' });
    const page = await browser.context.newPage();
    await logIn(page, cashier);
    const pill = page.locator('#period .till-period-name');
    await pill.waitFor();
    for (let i = 0; i < 3 && (await pill.textContent()) !== '午餐'; i++) {
      await page.keyboard.press('F2');
    }
    expect(await pill.textContent()).toBe('午餐');
    await page.keyboard.type(diner.idNumber);
    await page.keyboard.press('Enter');
    await page.locator('#quote [data-code=OUTSIDE_HOURS]').waitFor();
    const count = async (): Promise<number> =>
      (await t.db.query(`SELECT count(*)::int AS n FROM meals WHERE diner_id = $1`, [diner.id]))[0].n;

    await page.keyboard.press('Enter');
    await page.locator('.till-outside').waitFor();
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('confirm-outside');
    expect(await count()).toBe(0);
    await page.keyboard.press('Enter');
    await page.locator('#message', { hasText: '已标为时段外' }).waitFor();
    const rows = await t.db.query(`SELECT outside_hours, meal_period FROM meals WHERE diner_id = $1`, [diner.id]);
    expect(rows).toEqual([{ outside_hours: true, meal_period: 'LUNCH' }]);
    await page.locator('#meals tr', { hasText: '时段外' }).waitFor();

    // Esc at the second confirmation records nothing.
    const other = await createDiner(t, { birthDate: yearsAgo(75), name: '不记录' });
    await page.keyboard.type(other.idNumber);
    await page.keyboard.press('Enter');
    await page.locator('#quote [data-code=OUTSIDE_HOURS]').waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.till-outside').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#quote').waitFor({ state: 'detached' });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM meals WHERE diner_id = $1`, [other.id]))[0].n).toBe(0);
    await page.close();
  });

  it('offers a cashier of several canteens a numbered list that number keys pick from', async () => {
    const first = await createCanteen(t.db, { name: '一号食堂' });
    const second = await createCanteen(t.db, { name: '二号食堂' });
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [first.id, second.id] });
    const page = await browser.context.newPage();
    await page.goto(`${t.url}/till`);
    await page.locator('input[name=username]').waitFor();
    await page.keyboard.type(cashier.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(cashier.password);
    await page.keyboard.press('Enter');
    await page.locator('.till-pick li', { hasText: '2. 二号食堂' }).waitFor();
    await page.keyboard.press('2');
    await page.locator('.till-canteen', { hasText: '二号食堂' }).waitFor();
    await page.getByRole('button', { name: '切换食堂' }).waitFor();
    await page.close();
  });
});
