import type { Page } from 'playwright-core';
import { openBrowser, TestBrowser } from './support/browser';
import { createCanteen, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// Issue 15: one web app for every role, served at /: one login, each role lands on its page, a page opened by the
// wrong role says so and offers the right one, and everyone changes their password and logs out from every screen.
describe('The web app (real Chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let canteenId: number;

  beforeAll(async () => {
    t = await startTestApp();
    canteenId = (await createCanteen(t.db, { name: '东关国际幸福食堂' })).id;
    browser = await openBrowser({ width: 1366, height: 768 });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const logIn = async (page: Page, user: UserFixture, path = '/'): Promise<void> => {
    await page.goto(`${t.url}${path}`);
    await page.locator('input[name=username]').waitFor();
    await page.keyboard.type(user.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
  };

  it.each([
    ['CASHIER', '/till', '.till-canteen'],
    ['OPERATOR', '/operator', '#canteen-select option'],
    ['FINANCE', '/finance', '#claim-form'],
    ['REVIEWER', '/review', '#queue'],
  ] as const)('lands a %s on %s after one login at /', async (role, path, ready) => {
    const user = await createUser(
      t,
      role,
      role === 'FINANCE' || role === 'REVIEWER' ? {} : { canteenIds: [canteenId] },
    );
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await logIn(page, user);
    await page.waitForURL(`${t.url}${path}`);
    await page.locator(ready).first().waitFor({ state: 'attached' });
    expect(await page.locator('.user-name').textContent()).toBe(user.username);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('tells a finance user the till is not theirs and offers their page', async () => {
    const finance = await createUser(t, 'FINANCE');
    const page = await browser.context.newPage();
    await logIn(page, finance, '/till');
    const notice = page.locator('.wrong-role');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('此页面不供街道财务使用');
    expect(await page.locator('#scan').count()).toBe(0);
    await notice.getByRole('link', { name: '补贴申报' }).click();
    await page.waitForURL(`${t.url}/finance`);
    await page.locator('#claim-form').waitFor();
    await page.close();
  });

  it('changes the own password and logs out from the header', async () => {
    const operator = await createUser(t, 'OPERATOR', { canteenIds: [canteenId], password: 'operator-pass-1' });
    const page = await browser.context.newPage();
    await logIn(page, operator);
    await page.locator('#canteen-select option').first().waitFor({ state: 'attached' });
    await page.getByRole('button', { name: '修改密码' }).click();
    const dialog = page.locator('.el-dialog', { hasText: '修改密码' });
    // The focus starts in the current-password field; the rest by keyboard.
    // (A locator, not waitForFunction: polling a string would need 'unsafe-eval', which the page's CSP refuses.)
    await dialog.locator('input[name=current]:focus').waitFor();
    await page.keyboard.type('operator-pass-1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('New-pass-2026');
    await page.keyboard.press('Tab');
    await page.keyboard.type('New-pass-2026');
    await page.keyboard.press('Enter');
    await dialog.locator('.ok', { hasText: '密码已修改' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: '退出' }).click();
    await page.locator('.login-page input[name=username]').waitFor();
    expect(await page.evaluate<string | null>("sessionStorage.getItem('hc.token')")).toBeNull();
    await t.http().post('/api/auth/login').send({ username: operator.username, password: 'New-pass-2026' }).expect(200);
    await page.close();
  });

  it('answers the app for a page address and sends old addresses to the new pages', async () => {
    const res = await t.http().get('/finance').expect(200);
    expect(res.text).toContain('<div id="app">');
    expect(res.headers['cache-control']).toBe('no-cache');
    await t.http().get('/no-such-file.js').expect(404);
    const page = await browser.context.newPage();
    await page.goto(`${t.url}/till.html`);
    await page.waitForURL(`${t.url}/till`);
    await page.close();
  });
});
