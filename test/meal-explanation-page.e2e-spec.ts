import type { Page } from 'playwright-core';
import { addDays, todayLocal } from '../src/common/local-date';
import { openBrowser, shotsAtBothWidths, TestBrowser } from './support/browser';
import { CanteenFixture, createCanteen, createDiner, createUser, insertMeal, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// SPEC §5 in the operator's 今日就餐 (Chromium): a meal eaten while the diner's status was not active is tagged
// 停用期间; the operator explains it with a note (row in meal_explanations, the note on the row) or voids it, and
// the claim's check then no longer blocks on it. Screenshots to $SHOTS_DIR when set.

const shot = (page: Page, name: string): Promise<void> => shotsAtBothWidths(page, `operator-${name}`);

describe('Explaining a meal eaten while the diner was not active (Chromium)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let operator: UserFixture;
  let canteen: CanteenFixture;
  const day = addDays(todayLocal(), -1);

  beforeAll(async () => {
    t = await startTestApp();
    canteen = await createCanteen(t.db, { name: '东关国际幸福食堂', prices: { LUNCH: 1200 } });
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id], password: 'operator-pass-1' });
    b = await openBrowser({ width: 1366, height: 768 });
    await b.page.goto(`${t.url}/operator`);
    await b.page.fill('input[name=username]', operator.username);
    await b.page.fill('input[name=password]', 'operator-pass-1');
    await b.page.click('.login-form button[type=submit]');
    await b.page.waitForSelector('#canteen-select option', { state: 'attached' });
    await b.page.selectOption('#canteen-select', String(canteen.id));
  });
  afterAll(async () => {
    await b?.close();
    await t.close();
  });

  it('tags the meal 停用期间, takes a note for it (none without one), and shows who explained it', async () => {
    const page = b.page;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id], displayName: '刘收银' });
    const suspended = await createDiner(t, { birthDate: '1944-04-04', name: '孙停用' });
    const active = await createDiner(t, { birthDate: '1945-05-05', name: '周正常' });
    await t.db.query(`UPDATE diners SET status = 'SUSPENDED', status_effective_from = $2 WHERE id = $1`, [
      suspended.id,
      addDays(day, -3),
    ]);
    const meal = (dinerId: number, hh: string) =>
      insertMeal(t.db, {
        canteen,
        dinerId,
        cashierUserId: cashier.id,
        servedAt: new Date(`${day}T${hh}:00+08:00`),
        mealDate: day,
        priceFen: 1200,
        subsidyFen: 200,
        age: 80,
        tier: '70_79',
        reason: 'TIER_70_79',
      });
    const flagged = await meal(suspended.id, '11:30');
    await meal(active.id, '11:40');

    await page.fill('#meal-date', day);
    await page.press('#meal-date', 'Enter');
    await page.press('#meal-date', 'Tab');
    const row = page.locator('#meal-rows tbody tr', { hasText: '孙停用' });
    await row.locator('.inactive-tag', { hasText: '停用期间' }).waitFor();
    // Only the suspended diner's meal is tagged and offers 说明.
    expect(await page.locator('#meal-rows .inactive-tag').count()).toBe(1);
    expect(
      await page.locator('#meal-rows tbody tr', { hasText: '周正常' }).locator('button', { hasText: '说明' }).count(),
    ).toBe(0);
    await shot(page, 'inactive-meal');

    await row.locator('button', { hasText: '说明' }).click();
    await page.locator('#explain-form').waitFor();
    // A blank note is refused in the form; nothing written.
    await page.fill('#explain-note', '   ');
    await page.click('#explain-form button[type=submit]');
    await page.locator('#explain-error', { hasText: '请填写说明' }).waitFor();
    await shot(page, 'explain-dialog');
    await page.fill('#explain-note', '状态登记日期有误，老人 3 日后才停用');
    await page.click('#explain-form button[type=submit]');
    await page.locator('#message', { hasText: '已说明：孙停用' }).waitFor();

    const rows = await t.db.query(`SELECT meal_id::text AS id, note, explained_by FROM meal_explanations`);
    expect(rows).toEqual([{ id: flagged, note: '状态登记日期有误，老人 3 日后才停用', explained_by: operator.id }]);
    await row.locator('[data-explained]', { hasText: '已说明：状态登记日期有误' }).waitFor();
    expect(await row.locator('button', { hasText: '说明' }).count()).toBe(0);
    expect(await row.textContent()).not.toContain(suspended.idNumber);
    await shot(page, 'explained-meal');
    expect(pageErrors).toEqual([]);
  });
});
