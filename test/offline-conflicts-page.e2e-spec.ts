import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { DEFAULT_PERIOD_HOURS } from '../src/canteens/canteens.service';
import { localDateOf, localDateTimeOf, localTimeOf, todayLocal } from '../src/common/local-date';
import { makeIdNumber } from '../src/subsidy/id-number';
import { openBrowser, shotsAtBothWidths, TestBrowser } from './support/browser';
import { CanteenFixture, createCanteen, createDiner, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// The operator's 离线冲突 tab and the 离线 filter of 今日就餐 (SPEC §4 "Offline") in real Chromium, in a browser whose
// zone is not Shanghai. The conflicts are made through the real API, as an offline till sends its meals. Screenshots
// go to $SHOTS_DIR when it is set.
const MINUTE = 60_000;
jest.setTimeout(120_000);

const shot = (page: Page, name: string): Promise<void> => shotsAtBothWidths(page, `operator-${name}`);

/** Chooses `label` in the Element Plus select whose input has this id. */
async function choose(page: Page, id: string, label: string): Promise<void> {
  await page.locator(`.el-select:has(#${id})`).click();
  await page.locator(`.el-select-dropdown:visible .el-select-dropdown__item`, { hasText: label }).first().click();
}

const yearsAgo = (years: number): string => {
  const d = todayLocal();
  const md = d.slice(5) === '02-29' ? '02-28' : d.slice(5);
  return `${Number(d.slice(0, 4)) - years}-${md}`;
};

describe('Operator page: offline conflicts in Chromium (a browser in Los Angeles)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let canteen: CanteenFixture;
  let operator: UserFixture;
  let cashier: UserFixture;

  const record = (token: string, canteenId: number, body: Record<string, unknown>) =>
    t
      .http()
      .post(`/api/canteens/${canteenId}/meals`)
      .set('Authorization', token)
      .set('Idempotency-Key', randomUUID())
      .send(body);
  /** A lunch an offline till served `agoMs` ago (offline since 30 minutes before) and quoted `provisional` for. */
  const offlineLunch = (idNumber: string, provisional: number, agoMs: number) => ({
    idNumber,
    mealPeriod: 'LUNCH',
    verification: 'ID_CARD_READER',
    servedAt: new Date(Date.now() - agoMs).toISOString(),
    confirmOutsideHours: true,
    offline: true,
    offlineSince: new Date(Date.now() - agoMs - 30 * MINUTE).toISOString(),
    provisionalSubsidyFen: provisional,
  });

  beforeAll(async () => {
    t = await startTestApp();
    canteen = await createCanteen(t.db, {
      name: '东关国际幸福食堂',
      prices: { LUNCH: 1200 },
      periodHours: DEFAULT_PERIOD_HOURS,
    });
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id], password: 'operator-pass-1' });
    cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id], displayName: '刘收银' });
    b = await openBrowser({ width: 1366, height: 768 }, 'America/Los_Angeles');
  });
  afterAll(async () => {
    await b?.close();
    await t.close();
  });

  it('lists the conflicts with what was under-collected, settles one with a note, and filters offline meals', async () => {
    const page = b.page;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // Arrange through the API. 罗玉山 (75) had a subsidised lunch at another canteen, then an offline till here quoted
    // him ¥2.00: the server says already subsidised, ¥2.00 under-collected.
    const elsewhere = await createCanteen(t.db, { name: '馨泰颐养中心幸福食堂', prices: { LUNCH: 1000 } });
    const elsewhereCashier = await createUser(t, 'CASHIER', { canteenIds: [elsewhere.id] });
    const luo = await createDiner(t, { birthDate: yearsAgo(75), name: '罗玉山' });
    await record(elsewhereCashier.token, elsewhere.id, {
      idNumber: luo.idNumber,
      mealPeriod: 'LUNCH',
      verification: 'ID_CARD_READER',
      confirmOutsideHours: true,
    }).expect(201);
    const luoMeal = await record(cashier.token, canteen.id, offlineLunch(luo.idNumber, 200, 20 * MINUTE)).expect(201);
    expect(luoMeal.body).toMatchObject({ offline: true, subsidyFen: 0, reason: 'ALREADY_SUBSIDISED' });
    // An ID number the register does not know, quoted ¥4.00 (82 years old): a conflict without a meal.
    const stranger = makeIdNumber('371502', yearsAgo(82), 917);
    const strangerConflict = await record(cashier.token, canteen.id, offlineLunch(stranger, 400, 10 * MINUTE)).expect(
      202,
    );
    // An online meal of the same day at this canteen: not offline.
    const zhou = await createDiner(t, { birthDate: yearsAgo(85), name: '周在线' });
    await record(cashier.token, canteen.id, {
      idNumber: zhou.idNumber,
      mealPeriod: 'LUNCH',
      verification: 'ID_CARD_READER',
      confirmOutsideHours: true,
    }).expect(201);

    const conflicts: {
      id: string;
      meal_id: string | null;
      under_collected_fen: number;
      served_at: Date;
      meal_date: string;
    }[] = await t.db.query(
      `SELECT id::text, meal_id::text, under_collected_fen, served_at, meal_date::text
         FROM offline_conflicts WHERE canteen_id = $1 AND settled_at IS NULL ORDER BY served_at`,
      [canteen.id],
    );
    expect(conflicts.map((c) => c.under_collected_fen)).toEqual([200, 400]);
    const [luoConflict, strangerRow] = conflicts;
    expect(luoConflict.meal_id).toBe(luoMeal.body.id);
    expect(strangerRow.id).toBe(strangerConflict.body.id);

    await page.goto(`${t.url}/operator`);
    await page.fill('input[name=username]', operator.username);
    await page.fill('input[name=password]', 'operator-pass-1');
    await page.click('.login-form button[type=submit]');
    await page.waitForSelector('#canteen-select option', { state: 'attached' });

    // The tab's label counts the unsettled ones before it is opened.
    await page.locator('#conflicts-tab-label', { hasText: '离线冲突 (2)' }).waitFor();
    await page.click('.el-tabs__item#tab-conflicts');
    await expect(page.getAttribute('.el-tabs__item#tab-conflicts', 'aria-selected')).resolves.toBe('true');
    await page.locator('#conflict-rows tbody tr').nth(1).waitFor();
    expect(await page.locator('#conflict-rows tbody tr').count()).toBe(2);
    await page.locator('#conflict-pager', { hasText: '共 2 条' }).waitFor();

    const rowOf = (text: string) => page.locator('#conflict-rows tbody tr', { hasText: text });
    const luoRow = (await rowOf('罗玉山').innerText()).replace(/\s+/g, ' ');
    // Shanghai's time and date though the browser is in Los Angeles; the database's figures.
    expect(luoRow).toContain(localTimeOf(luoConflict.served_at));
    expect(luoRow).toContain(luoConflict.meal_date);
    expect(luoRow).toContain(`371502********${luo.idNumber.slice(14)}`);
    expect(luoRow).toMatch(/午餐.*罗玉山.*¥2\.00 ¥0\.00 ¥2\.00 今日已在他处享受补贴 刘收银 处理/);
    expect(await rowOf('罗玉山').locator('[data-cell=under]').textContent()).toBe('¥2.00');
    const strangerText = (await rowOf('未登记').innerText()).replace(/\s+/g, ' ');
    expect(strangerText).toContain(localTimeOf(strangerRow.served_at));
    expect(strangerText).toContain(`371502********${stranger.slice(14)}`);
    expect(strangerText).toMatch(/未登记.*¥4\.00 ¥0\.00 ¥4\.00 未登记 刘收银 处理/);
    expect(await rowOf('未登记').locator('[data-cell=under]').textContent()).toBe('¥4.00');
    // Newest meal first, as the server pages them.
    expect(await page.locator('#conflict-rows tbody tr').first().innerText()).toContain('未登记');
    // Only masked numbers on the page.
    const html = await page.content();
    expect(html).not.toContain(luo.idNumber);
    expect(html).not.toContain(stranger);
    await shot(page, 'conflicts');

    // 处理: the dialog insists on a note; a blank one writes nothing.
    await rowOf('罗玉山').locator('button', { hasText: '处理' }).click();
    await page.locator('#settle-form').waitFor();
    // The note has the focus: the operator types at once.
    await page.waitForFunction(() => document.activeElement?.id === 'settle-note');
    expect(await page.textContent('#settle-form')).toContain('少收 ¥2.00');
    await page.fill('#settle-note', '   ');
    await page.click('#settle-submit');
    await page.locator('#settle-error', { hasText: '请填写处理说明' }).waitFor();
    const [still] = await t.db.query(`SELECT settled_at FROM offline_conflicts WHERE id = $1`, [luoConflict.id]);
    expect(still.settled_at).toBeNull();
    await shot(page, 'conflicts-settle');
    await page.fill('#settle-note', '已向老人补收 ¥2.00');
    await page.click('#settle-submit');
    await page.locator('#message', { hasText: '已处理离线冲突：罗玉山' }).waitFor();
    await page.locator('#settle-form').waitFor({ state: 'detached' });

    // The row leaves 未处理; the count drops; the database holds who, when and the note, and the audit log the step.
    await page.locator('#conflicts-tab-label', { hasText: '离线冲突 (1)' }).waitFor();
    await page.locator('#conflict-pager', { hasText: '共 1 条' }).waitFor();
    expect(await page.locator('#conflict-rows tbody tr').count()).toBe(1);
    expect(await page.textContent('#conflict-rows')).not.toContain('罗玉山');
    const [settled] = await t.db.query(
      `SELECT settled_at, settle_note, u.username FROM offline_conflicts oc JOIN users u ON u.id = oc.settled_by
        WHERE oc.id = $1`,
      [luoConflict.id],
    );
    expect(settled.settled_at).toBeInstanceOf(Date);
    expect(settled).toMatchObject({ settle_note: '已向老人补收 ¥2.00', username: operator.username });
    const audit = await t.db.query(
      `SELECT actor_username, canteen_id, details->>'note' AS note FROM audit_log
        WHERE action = 'OFFLINE_CONFLICT_SETTLED' AND entity_type = 'offline_conflict' AND entity_id = $1`,
      [luoConflict.id],
    );
    expect(audit).toEqual([{ actor_username: operator.username, canteen_id: canteen.id, note: '已向老人补收 ¥2.00' }]);
    const [{ n: unsettled }] = await t.db.query(
      `SELECT count(*)::int AS n FROM offline_conflicts WHERE canteen_id = $1 AND settled_at IS NULL`,
      [canteen.id],
    );
    expect(unsettled).toBe(1);

    // 已处理 shows who, when (Shanghai) and the note; 全部 both.
    await page.click('#conflict-filter label:has-text("已处理")');
    await rowOf('罗玉山').waitFor();
    expect(await page.locator('#conflict-rows tbody tr').count()).toBe(1);
    const done = (await rowOf('罗玉山').locator('[data-cell=settled]').innerText()).replace(/\s+/g, ' ');
    expect(done).toBe(
      `已处理 ${localDateTimeOf(settled.settled_at).slice(0, 16)} ${operator.username}：已向老人补收 ¥2.00`,
    );
    await shot(page, 'conflicts-settled');
    await page.click('#conflict-filter label:has-text("全部")');
    await page.locator('#conflict-pager', { hasText: '共 2 条' }).waitFor();
    expect(await page.locator('#conflict-rows tbody tr').count()).toBe(2);

    // 今日就餐's 离线 filter: only the offline meal, then only the online one.
    const mealDate: string = luoMeal.body.mealDate;
    expect(mealDate).toBe(localDateOf(new Date()));
    await page.click('.el-tabs__item#tab-meals');
    await page.locator('#meal-totals [data-total=count]', { hasText: /^2$/ }).waitFor();
    const countWhere = async (offline: boolean): Promise<number> => {
      const [r] = await t.db.query(
        `SELECT count(*)::int AS n FROM meals WHERE canteen_id = $1 AND meal_date = $2 AND offline = $3`,
        [canteen.id, mealDate, offline],
      );
      return r.n;
    };
    expect(await countWhere(true)).toBe(1);
    expect(await countWhere(false)).toBe(1);
    await choose(page, 'meal-offline', '离线');
    await page.locator('#meal-totals [data-total=count]', { hasText: /^1$/ }).waitFor();
    expect(await page.locator('#meal-rows tbody tr').count()).toBe(1);
    const offlineRow = (await page.locator('#meal-rows tbody tr').innerText()).replace(/\s+/g, ' ');
    expect(offlineRow).toContain('罗玉山');
    expect(offlineRow).toContain('离线');
    expect(await page.textContent('#meal-totals [data-total=payable]')).toBe('¥12.00');
    await shot(page, 'meals-offline');
    await choose(page, 'meal-offline', '在线');
    await page.locator('#meal-rows tbody tr', { hasText: '周在线' }).waitFor();
    expect(await page.locator('#meal-rows tbody tr').count()).toBe(1);
    expect(await page.textContent('#meal-rows')).not.toContain('罗玉山');

    // A till sends another conflict while the page is open: the next change of tab counts it, and the list shows it.
    const late = makeIdNumber('371502', yearsAgo(90), 919);
    await record(cashier.token, canteen.id, offlineLunch(late, 400, 5 * MINUTE)).expect(202);
    await page.click('.el-tabs__item#tab-conflicts');
    await page.locator('#conflicts-tab-label', { hasText: '离线冲突 (2)' }).waitFor();
    await page.locator('#conflict-pager', { hasText: '共 3 条' }).waitFor();
    expect(await page.locator('#conflict-rows tbody tr').count()).toBe(3);

    expect(pageErrors).toEqual([]);
  });
});
