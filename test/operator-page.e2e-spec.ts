import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { DEFAULT_PERIOD_HOURS } from '../src/canteens/canteens.service';
import { localDateOf } from '../src/common/local-date';
import { makeIdNumber } from '../src/subsidy/id-number';
import { openBrowser, shotsAtBothWidths, TestBrowser } from './support/browser';
import { createCanteen, createDiner, createUser, insertMeal, UserFixture, CanteenFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// The operator's page (issue 16) in real Chromium, in a browser whose zone is not Shanghai: what it shows must be
// Shanghai's dates and times anyway. Screenshots of each tab go to $SHOTS_DIR when it is set.
const DAY_MS = 86_400_000;

const shot = (page: Page, name: string): Promise<void> => shotsAtBothWidths(page, `operator-${name}`);

/** Chooses `label` in the Element Plus select whose input has this id. */
async function choose(page: Page, id: string, label: string): Promise<void> {
  await page.locator(`.el-select:has(#${id})`).click();
  await page.locator(`.el-select-dropdown:visible .el-select-dropdown__item`, { hasText: label }).first().click();
}

/** Types a date, a time, or both into an Element Plus picker, as a keyboard user would. */
async function typeDate(page: Page, id: string, value: string): Promise<void> {
  await page.fill(`#${id}`, value);
  await page.press(`#${id}`, 'Enter');
  await page.press(`#${id}`, 'Tab');
  await page.locator('.el-picker__popper:visible').waitFor({ state: 'hidden' });
}

describe('Operator page in Chromium (a browser in Los Angeles)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let operator: UserFixture;
  let canteen: CanteenFixture;
  let other: CanteenFixture;
  let cashierA: UserFixture;
  let cashierB: UserFixture;
  const yesterday = localDateOf(new Date(Date.now() - DAY_MS));
  const at = (hhmm: string): Date => new Date(`${yesterday}T${hhmm}:00+08:00`);

  beforeAll(async () => {
    t = await startTestApp();
    canteen = await createCanteen(t.db, {
      name: '东关国际幸福食堂',
      prices: { LUNCH: 1200 },
      periodHours: DEFAULT_PERIOD_HOURS,
    });
    other = await createCanteen(t.db, { name: '馨泰颐养中心幸福食堂', type: 'CARE_FACILITY' });
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id, other.id], password: 'operator-pass-1' });
    cashierA = await createUser(t, 'CASHIER', { canteenIds: [canteen.id], displayName: '刘收银' });
    cashierB = await createUser(t, 'CASHIER', { canteenIds: [canteen.id], displayName: '王收银' });
    b = await openBrowser({ width: 1366, height: 768 }, 'America/Los_Angeles');
    const page = b.page;
    await page.goto(`${t.url}/operator`);
    await page.fill('input[name=username]', operator.username);
    await page.fill('input[name=password]', 'operator-pass-1');
    await page.click('.login-form button[type=submit]');
    await page.waitForSelector('#canteen-select option', { state: 'attached' });
    await page.selectOption('#canteen-select', String(canteen.id));
  });
  afterAll(async () => {
    await b?.close();
    await t.close();
  });

  it('opens on 今日就餐; filters a past day, shows its totals, voids with a reason, and 补录s a missed meal', async () => {
    const page = b.page;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const old = await createDiner(t, { birthDate: '1940-03-03', name: '罗玉山' });
    const young = await createDiner(t, { birthDate: '1960-05-05', name: '赵年轻' });
    const late = await createDiner(t, { birthDate: '1942-01-01', name: '钱补录' });
    const base = { canteen, mealDate: yesterday, policyVersionId: null };
    await insertMeal(t.db, {
      ...base,
      dinerId: old.id,
      cashierUserId: cashierA.id,
      servedAt: at('11:42'),
      priceFen: 1200,
      subsidyFen: 400,
      age: 86,
      tier: '80_PLUS',
      reason: 'TIER_80_PLUS',
    });
    const toVoid = await insertMeal(t.db, {
      ...base,
      dinerId: young.id,
      cashierUserId: cashierB.id,
      servedAt: at('12:05'),
      priceFen: 123456,
      subsidyFen: 0,
      age: 66,
      tier: 'NONE',
      reason: 'UNDER_AGE',
    });
    await insertMeal(t.db, {
      ...base,
      dinerId: old.id,
      cashierUserId: cashierB.id,
      servedAt: at('17:30'),
      period: 'DINNER',
      priceFen: 1000,
      subsidyFen: 0,
      age: 86,
      tier: 'NONE',
      reason: 'ALREADY_SUBSIDISED',
    });
    // Another canteen's meal of the same day is not this canteen's.
    await insertMeal(t.db, {
      ...base,
      canteen: other,
      dinerId: young.id,
      cashierUserId: cashierB.id,
      servedAt: at('11:00'),
      priceFen: 900,
      subsidyFen: 0,
      age: 66,
      tier: 'NONE',
      reason: 'UNDER_AGE',
    });

    // The page opened on 今日就餐 (the tab selected), today in Shanghai.
    await expect(page.getAttribute('.el-tabs__item.is-active', 'id')).resolves.toBe('tab-meals');
    await expect(page.inputValue('#meal-date')).resolves.toBe(localDateOf(new Date()));

    await typeDate(page, 'meal-date', yesterday);
    await page.locator('#meal-totals [data-total=count]', { hasText: '3' }).waitFor();
    const totalsOf = async (where: string): Promise<Record<string, string | number>> => {
      const [r] = await t.db.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE subsidy_fen > 0)::int AS s,
                coalesce(sum(subsidy_fen), 0)::int AS sub, coalesce(sum(payable_fen), 0)::int AS pay
           FROM meals WHERE canteen_id = $1 AND meal_date = $2 AND voided_at IS NULL ${where}`,
        [canteen.id, yesterday],
      );
      return r;
    };
    const all = await totalsOf('');
    expect(all).toEqual({ n: 3, s: 1, sub: 400, pay: 800 + 123456 + 1000 });
    expect(await page.textContent('#meal-totals')).toMatch(
      /人次\s*3\s*补贴人次\s*1\s*补贴金额\s*¥4\.00\s*实收\s*¥1,252\.56/,
    );
    // Times are Shanghai's though the browser is in Los Angeles.
    const rows = await page.textContent('#meal-rows');
    expect(rows).toContain('11:42');
    expect(rows).toContain('17:30');
    expect(rows).toContain('¥1,234.56');
    expect(rows).not.toContain(old.idNumber);
    await shot(page, 'meals');

    // Filter: lunch by 王收银 — one row, totals of that row only.
    await choose(page, 'meal-period', '午餐');
    await choose(page, 'meal-cashier', '王收银');
    await page.locator('#meal-totals [data-total=count]', { hasText: /^1$/ }).waitFor();
    const filtered = await totalsOf(`AND meal_period = 'LUNCH' AND cashier_user_id = ${cashierB.id}`);
    expect(filtered.n).toBe(1);
    expect(await page.textContent('#meal-totals [data-total=payable]')).toBe('¥1,234.56');
    expect(await page.locator('#meal-rows tbody tr').count()).toBe(1);

    // Void it with a reason: the dialog insists on one.
    await page.click(`#meal-rows tbody tr:has-text("赵年轻") button:has-text("作废")`);
    await page.locator('#void-form').waitFor();
    await page.click('#void-form button[type=submit]');
    await expect(page.inputValue('#void-reason')).resolves.toBe('');
    await page.fill('#void-reason', '录错价格');
    await page.click('#void-form button[type=submit]');
    await page.locator('#message', { hasText: '已作废' }).waitFor();
    const [v] = await t.db.query(`SELECT void_reason, voided_at IS NOT NULL AS voided FROM meals WHERE id = $1`, [
      toVoid,
    ]);
    expect(v).toEqual({ void_reason: '录错价格', voided: true });
    await page.locator('#meal-totals [data-total=count]', { hasText: /^0$/ }).waitFor();
    await page.locator('#meal-rows', { hasText: '已作废：录错价格' }).waitFor();

    // 补录 a missed lunch of yesterday at 12:30 Shanghai: the quote first, then the row.
    await page.click('#backdate-open');
    await page.fill('#backdate-key', late.idNumber);
    await choose(page, 'backdate-period', '午餐');
    await typeDate(page, 'backdate-time', `${yesterday} 12:30`);
    await page.click('#backdate-quote-button');
    await page.locator('#backdate-quote', { hasText: '钱补录' }).waitFor();
    expect(await page.textContent('#backdate-quote')).toContain('¥12.00');
    await shot(page, 'backdate');
    await page.click('#backdate-record');
    await page.locator('#message', { hasText: '已补录' }).waitFor();
    const [m] = await t.db.query(
      `SELECT meal_date::text AS d, meal_period, served_at, idempotency_key FROM meals WHERE diner_id = $1`,
      [late.id],
    );
    expect(m.d).toBe(yesterday);
    expect(m.meal_period).toBe('LUNCH');
    expect(new Date(m.served_at).toISOString()).toBe(at('12:30').toISOString());
    expect(m.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);

    // Outside the window: eight days back is refused with the server's sentence, nothing written.
    const longAgo = localDateOf(new Date(Date.now() - 8 * DAY_MS));
    await page.click('#backdate-open');
    await page.fill('#backdate-key', old.idNumber);
    await typeDate(page, 'backdate-time', `${longAgo} 12:30`);
    await page.click('#backdate-quote-button');
    await page.locator('#backdate-quote').waitFor();
    await page.click('#backdate-record');
    await page.locator('#backdate-error', { hasText: '7 天' }).waitFor();
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM meals WHERE meal_date = $1`, [longAgo]);
    expect(n).toBe(0);
    await page.keyboard.press('Escape');

    // A locked month: refused with the server's sentence, nothing written.
    await t.db.query(
      `INSERT INTO month_locks (subdistrict_id, canteen_id, month, locked_by)
       SELECT $1, $2, $3, id FROM users WHERE username = 'admin'`,
      [canteen.subdistrictId, canteen.id, yesterday.slice(0, 7)],
    );
    await page.click('#backdate-open');
    await page.fill('#backdate-key', old.idNumber);
    await typeDate(page, 'backdate-time', `${yesterday} 07:30`);
    await choose(page, 'backdate-period', '早餐');
    await page.click('#backdate-quote-button');
    await page.locator('#backdate-quote').waitFor();
    await page.click('#backdate-record');
    await page.locator('#backdate-error', { hasText: '已锁定' }).waitFor();
    const [{ n: breakfasts }] = await t.db.query(
      `SELECT count(*)::int AS n FROM meals WHERE canteen_id = $1 AND meal_period = 'BREAKFAST'`,
      [canteen.id],
    );
    expect(breakfasts).toBe(0);
    await page.keyboard.press('Escape');

    expect(pageErrors).toEqual([]);
  });

  it('老人档案: pages with the total, finds by the last 4 digits and by community, registers and edits in the drawer, exports masked, imports', async () => {
    const page = b.page;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    for (let i = 0; i < 24; i++) await createDiner(t, { birthDate: `19${40 + (i % 10)}-02-0${1 + (i % 9)}` });
    const [{ n: count }] = await t.db.query(`SELECT count(*)::int AS n FROM diners WHERE merged_into_id IS NULL`);

    await page.click('.el-tabs__item#tab-register');
    await page.locator('#register-total', { hasText: `共 ${count} 人` }).waitFor();
    expect(await page.locator('#diner-rows tbody tr').count()).toBe(20);
    await shot(page, 'register');
    await page.click('#register-pager .btn-next');
    await page
      .locator('#diner-rows tbody tr')
      .nth(count - 21)
      .waitFor();
    expect(await page.locator('#diner-rows tbody tr').count()).toBe(count - 20);

    // Search by the last 4 digits of an ID number: the total is the database's count.
    const [target] = await t.db.query(
      `SELECT id, name, right(id_number_masked, 4) AS last4 FROM diners WHERE name = '罗玉山'`,
    );
    const [{ n: byLast4 }] = await t.db.query(
      `SELECT count(*)::int AS n FROM diners WHERE right(id_number_masked, 4) = $1 AND merged_into_id IS NULL`,
      [target.last4],
    );
    await page.fill('#register-q', target.last4);
    await page.press('#register-q', 'Enter');
    await page.locator('#register-total', { hasText: `共 ${byLast4} 人` }).waitFor();
    await page.locator(`#diner-rows [data-diner-id="${target.id}"]`).waitFor();

    // Nothing found, then a diner registered: the old "没有找到" does not stay.
    await page.fill('#register-q', '不存在的人');
    await page.press('#register-q', 'Enter');
    await page.locator('#diner-rows', { hasText: '没有找到' }).waitFor();
    const idNumber = makeIdNumber('371502', '1943-07-21', 314);
    await page.click('#register-new');
    await page.fill('#diner-name', '孙桂兰');
    await page.fill('#diner-id', idNumber);
    await page.fill('#diner-community', '东关社区');
    await shot(page, 'register-drawer');
    await page.click('#diner-form button[type=submit]');
    await page.locator('#diner-rows', { hasText: '孙桂兰' }).waitFor();
    expect(await page.textContent('#diner-rows')).not.toContain('没有找到');
    expect(await page.content()).not.toContain(idNumber);
    const [diner] = await t.db.query(`SELECT id, registered_canteen_id FROM diners WHERE name = '孙桂兰'`);
    expect(diner.registered_canteen_id).toBe(canteen.id);

    // Edit: a meal card and a phone.
    await page.click(`#diner-rows tbody tr:has-text("孙桂兰") button:has-text("编辑")`);
    await page.fill('#diner-card', 'DG-0001');
    await page.fill('#diner-phone', '13805381234');
    await page.click('#diner-form button[type=submit]');
    await page.locator('#message', { hasText: '已保存 孙桂兰' }).waitFor();
    const [edited] = await t.db.query(`SELECT card_no, phone FROM diners WHERE id = $1`, [diner.id]);
    expect(edited.card_no).toBe('DG-0001');
    // Found by the card now.
    await page.fill('#register-q', 'DG-0001');
    await page.press('#register-q', 'Enter');
    await page.locator('#register-total', { hasText: '共 1 人' }).waitFor();

    // Status with its effective date and a note.
    await page.click(`#diner-rows tbody tr:has-text("孙桂兰") button:has-text("编辑")`);
    await choose(page, 'status-value', '暂停');
    await typeDate(page, 'status-date', '2022-12-01');
    await page.fill('#status-note', '住院');
    await page.click('#status-form button[type=submit]');
    await page.locator('#diner-rows', { hasText: '暂停' }).waitFor();
    const [status] = await t.db.query(
      `SELECT status, status_effective_from::text AS d, status_note FROM diners WHERE id = $1`,
      [diner.id],
    );
    expect(status).toEqual({ status: 'SUSPENDED', d: '2022-12-01', status_note: '住院' });

    // By community: the register's total is the database's count of that community (or name).
    await page.fill('#register-q', '东关');
    await page.press('#register-q', 'Enter');
    const [{ n: byCommunity }] = await t.db.query(
      `SELECT count(*)::int AS n FROM diners
        WHERE merged_into_id IS NULL AND (community LIKE '%东关%' OR name LIKE '%东关%')`,
    );
    expect(byCommunity).toBeGreaterThan(0);
    await page.locator('#register-total', { hasText: `共 ${byCommunity} 人` }).waitFor();
    await page.locator('#diner-rows tbody tr', { hasText: '孙桂兰' }).waitFor();
    expect(await page.locator('#diner-rows tbody tr').count()).toBe(byCommunity);

    // Export of the whole register: an .xlsx with masked ID numbers only — no full 18-digit number in any cell.
    await page.fill('#register-q', '');
    await page.press('#register-q', 'Enter');
    await page.locator('#register-total', { hasText: `共 ${count + 1} 人` }).waitFor();
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('#register-export')]);
    expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
    const exported = new ExcelJS.Workbook();
    await exported.xlsx.readFile((await file.path())!);
    const cells: string[] = [];
    exported.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((c) => {
          cells.push(String(c.text ?? ''));
        }),
      ),
    );
    const masked: { m: string }[] = await t.db.query(
      `SELECT id_number_masked AS m FROM diners WHERE merged_into_id IS NULL`,
    );
    expect(masked).toHaveLength(count + 1);
    for (const { m } of masked) expect(cells).toContain(m);
    expect(cells.filter((c) => /\d{17}[\dXx]/.test(c.replace(/[\s-]/g, '')))).toEqual([]);
    expect(cells.join('\n')).not.toContain(idNumber);

    // Import with its per-row result.
    await page.click('#register-import');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('就餐老人');
    ws.addRow(['姓名', '身份证号码', '联系电话', '就餐卡号', '所属社区']);
    ws.addRow(['周明', makeIdNumber('371502', '1936-02-02', 51), '', '', '柳园社区']);
    ws.addRow(['孙桂兰', idNumber, '', '', '']);
    ws.addRow(['错号', '371502193602020000', '', '', '']);
    await page.setInputFiles('#import-file', {
      name: 'diners.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await wb.xlsx.writeBuffer()),
    });
    await page.click('#import-form button[type=submit]');
    await page.waitForSelector('#import-result');
    expect(await page.textContent('#import-summary')).toContain('导入 1 人，已登记跳过 1 人，有误 1 行');
    expect(await page.textContent('#import-rows')).toContain('4');
    await page.keyboard.press('Escape');

    expect(pageErrors).toEqual([]);
  });

  it('收银员: adds one, deactivates one, resets a password to a generated one that logs in; 价格与时段: overlapping hours are refused', async () => {
    const page = b.page;
    await page.click('.el-tabs__item#tab-cashiers');
    await page.waitForSelector(`#cashier-rows tr[data-username="${cashierA.username}"]`);
    await shot(page, 'cashiers');
    await page.click(`#cashier-rows tr[data-username="${cashierA.username}"] button:has-text("重置密码")`);
    const shown = (await page.locator('#generated-password').textContent())!.trim();
    expect(shown.length).toBeGreaterThanOrEqual(8);
    await expect(t.login(cashierA.username, shown)).resolves.toMatch(/^Bearer /);
    await page.click('#generated-password-box button:has-text("我已记下")');
    await page.locator('#generated-password').waitFor({ state: 'detached' });

    // Add a cashier: a CASHIER row of this canteen in the database, able to log in.
    await page.fill('#cashier-username', 'zhang_cashier');
    await page.fill('#cashier-name', '张收银');
    await page.fill('#cashier-password', 'cashier-pass-9');
    await page.click('#cashier-form button[type=submit]');
    await page.waitForSelector('#cashier-rows tr[data-username="zhang_cashier"]');
    const [added] = await t.db.query(
      `SELECT u.role, u.active, u.display_name, array_agg(uc.canteen_id) AS canteens
         FROM users u JOIN user_canteens uc ON uc.user_id = u.id WHERE u.username = 'zhang_cashier'
        GROUP BY u.id`,
    );
    expect(added).toEqual({ role: 'CASHIER', active: true, display_name: '张收银', canteens: [canteen.id] });
    await expect(t.login('zhang_cashier', 'cashier-pass-9')).resolves.toMatch(/^Bearer /);

    // Deactivate 王收银: inactive in the database, and the login refused.
    const rowB = `#cashier-rows tr[data-username="${cashierB.username}"]`;
    await page.click(`${rowB} button:has-text("停用")`);
    await page.locator(rowB, { hasText: '已停用' }).waitFor();
    const inactive: { username: string }[] = await t.db.query(
      `SELECT username FROM users WHERE role = 'CASHIER' AND active = false ORDER BY username`,
    );
    expect(inactive).toEqual([{ username: cashierB.username }]);
    await expect(t.login(cashierB.username, cashierB.password)).rejects.toThrow(/401/);

    await page.click('.el-tabs__item#tab-canteen');
    await page.fill('#price-LUNCH', '13.5');
    await page.click('#canteen-form button[type=submit]');
    await page.locator('#message', { hasText: '已保存' }).waitFor();
    const [c] = await t.db.query(`SELECT lunch_price_fen, period_hours FROM canteens WHERE id = $1`, [canteen.id]);
    expect(c.lunch_price_fen).toBe(1350);
    await choose(page, 'end-BREAKFAST', '11:30');
    await page.click('#canteen-form button[type=submit]');
    await page.locator('#canteen-error', { hasText: '重叠' }).waitFor();
    const [after] = await t.db.query(`SELECT period_hours FROM canteens WHERE id = $1`, [canteen.id]);
    expect(after.period_hours).toEqual(c.period_hours);
    await shot(page, 'canteen');
  });
});
