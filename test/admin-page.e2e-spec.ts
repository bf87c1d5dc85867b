import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, TestBrowser } from './support/browser';
import { createCanteen, createDiner, createDistrict, createSubdistrictIn, createUser } from './support/factories';
import { startTestApp, TEST_ADMIN, TestApp } from './support/test-app';

// The admin's page (issues 16, 17) and the reviewer's 辖区 in Chromium at 1366×768: each step asserted in the
// database; a screenshot of every tab (SCREENSHOT_DIR, default /tmp/hc-admin-shots).
const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/hc-admin-shots';

async function pick(page: Page, combobox: string, option: string, scope = page.locator('body')): Promise<void> {
  // Element Plus lays its placeholder over the input: click the select's box.
  await scope.locator('.el-select__wrapper', { has: page.getByRole('combobox', { name: combobox }) }).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
}

describe('Admin page and reviewer view in Chromium', () => {
  let t: TestApp;
  let b: TestBrowser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestApp();
    b = await openBrowser({ width: 1366, height: 768 });
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('creates the hierarchy, a canteen, a finance user, resets a password, adds a policy, unlocks, filters the log', async () => {
    const page = b.page;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.url}/`);
    await page.fill('input[name=username]', TEST_ADMIN.username);
    await page.fill('input[name=password]', TEST_ADMIN.password);
    await page.click('.login-form button[type=submit]');
    await page.waitForURL(/\/admin$/);
    await page.getByRole('tab', { name: '区与街道' }).waitFor();

    // A district with its 6-digit code, then a sub-district in it.
    const code = String(700000 + (process.pid % 99999));
    await page.fill('#new-district-name', '测试新区');
    await page.fill('#new-district-code', code);
    await page.getByRole('button', { name: '添加区' }).click();
    await page.locator('.el-alert', { hasText: '已添加 测试新区' }).waitFor();
    const [district] = await t.db.query(`SELECT id, code FROM districts WHERE name = '测试新区'`);
    expect(district.code).toBe(code);

    await page.fill('#new-sub-name', '新华街道');
    await pick(page, '所属区', '测试新区');
    await page.getByRole('button', { name: '添加街道' }).click();
    await page.locator('.el-alert', { hasText: '新华街道' }).waitFor();
    const [sub] = await t.db.query(`SELECT id, district_id FROM subdistricts WHERE name = '新华街道'`);
    expect(sub.district_id).toBe(district.id);
    await page.locator('.district-table', { hasText: '新华街道' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-1-hierarchy.png') });

    // A canteen in the new sub-district.
    await page.getByRole('tab', { name: '食堂' }).click();
    await page.getByRole('button', { name: '添加食堂' }).click();
    const canteenDialog = page.locator('.el-dialog', { hasText: '添加食堂' });
    await canteenDialog.locator('#canteen-name').fill('新华幸福食堂');
    await pick(page, '所属街道', '新华街道', canteenDialog);
    await canteenDialog.locator('#canteen-lunch').fill('12.5');
    await canteenDialog.getByRole('button', { name: '保存' }).click();
    await page.locator('.el-alert', { hasText: '已添加食堂 新华幸福食堂' }).waitFor();
    const [canteen] = await t.db.query(
      `SELECT id, subdistrict_id, lunch_price_fen FROM canteens WHERE name = '新华幸福食堂'`,
    );
    expect(canteen).toMatchObject({ subdistrict_id: sub.id, lunch_price_fen: 1250 });
    await page.locator('.el-table__row', { hasText: '新华幸福食堂' }).getByText('¥12.50').waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-2-canteens.png') });

    // A finance user for the new sub-district; then a generated password, shown once.
    await page.getByRole('tab', { name: '用户' }).click();
    await page.getByRole('button', { name: '添加用户' }).click();
    const userDialog = page.locator('.el-dialog', { hasText: '初始密码' });
    await userDialog.locator('#user-username').fill('xinhua_finance');
    await userDialog.locator('#user-display').fill('王会计');
    await userDialog.locator('#user-password').fill('Xinhua-pass-2026');
    await pick(page, '角色', '街道财务', userDialog);
    await pick(page, '所属街道', '新华街道', userDialog);
    await userDialog.getByRole('button', { name: '添加' }).click();
    await page.locator('.el-alert', { hasText: '已添加街道财务 xinhua_finance' }).waitFor();
    const [finance] = await t.db.query(`SELECT id, role, subdistrict_id FROM users WHERE username = 'xinhua_finance'`);
    expect(finance).toMatchObject({ role: 'FINANCE', subdistrict_id: sub.id });
    const row = page.locator('.el-table__row', { hasText: 'xinhua_finance' });
    await row.getByText('新华街道').waitFor();

    await row.getByRole('button', { name: '重置密码' }).click();
    const shown = page.locator('.generated-password');
    await shown.waitFor();
    const password = (await shown.textContent())!.trim();
    expect(password.length).toBeGreaterThanOrEqual(8);
    await page.screenshot({ path: join(SHOTS, 'admin-3-users-reset.png') });
    await expect(t.login('xinhua_finance', password)).resolves.toEqual(expect.any(String));
    await page.getByRole('button', { name: '已告知，关闭' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(password);
    await page.screenshot({ path: join(SHOTS, 'admin-3-users.png') });

    // A policy version from a future date.
    await page.getByRole('tab', { name: '政策' }).click();
    await page.locator('.policy-form .el-date-editor input').fill('2031-01-01');
    await page.locator('.policy-form .el-date-editor input').press('Enter');
    await page.locator('#policy-note').fill('2031 年起的标准');
    await page.getByRole('button', { name: '添加标准' }).click();
    await page.locator('.el-alert', { hasText: '2031-01-01 起生效' }).waitFor();
    const [policy] = await t.db.query(
      `SELECT note FROM subsidy_policy_versions WHERE effective_from = '2031-01-01'::date`,
    );
    expect(policy.note).toBe('2031 年起的标准');
    await page.locator('.el-tag', { hasText: '待生效' }).first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-4-policy.png') });

    // A month locked (through the API) unlocked here with a reason.
    const lock = await t
      .http()
      .post('/api/months/2025-02/lock')
      .set('authorization', await t.adminToken())
      .send({ canteenId: canteen.id });
    expect(lock.status).toBe(200);
    await page.getByRole('tab', { name: '月份解锁' }).click();
    const monthInput = page.locator('#pane-locks .el-date-editor input');
    await monthInput.fill('2025-02');
    await monthInput.press('Enter');
    const lockRow = page.locator('#pane-locks .el-table__row', { hasText: '新华幸福食堂' });
    await lockRow.waitFor();
    await lockRow.getByRole('button', { name: '解锁' }).click();
    await page.locator('#unlock-reason').fill('补录漏记的就餐');
    await page.locator('.el-dialog', { hasText: '解锁原因' }).getByRole('button', { name: '解锁' }).click();
    await lockRow.getByText('补录漏记的就餐').waitFor();
    const [unlocked] = await t.db.query(`SELECT unlocked_at, unlock_reason FROM month_locks WHERE id = $1`, [
      lock.body.id,
    ]);
    expect(unlocked).toMatchObject({ unlock_reason: '补录漏记的就餐', unlocked_at: expect.any(Date) });
    await page.screenshot({ path: join(SHOTS, 'admin-5-locks.png') });

    // The audit log, filtered by action: the unlock is there, nothing else.
    await page.getByRole('tab', { name: '审计日志' }).click();
    await pick(page, '操作', '解锁月份');
    await page.getByRole('button', { name: '查询' }).click();
    const auditRows = page.locator('#pane-audit .el-table__row');
    await auditRows.first().getByText('解锁月份').waitFor();
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'MONTH_UNLOCKED'`);
    expect(n).toBeGreaterThan(0);
    expect(await auditRows.count()).toBe(Math.min(n, 20));
    for (const text of await auditRows.allTextContents()) expect(text).toContain('解锁月份');
    await page.screenshot({ path: join(SHOTS, 'admin-6-audit.png') });

    expect(errors).toEqual([]);
  });

  it('shows audit details in words, and filters the log by actor and by dates', async () => {
    const page = b.page;
    // An ID number revealed by the admin (through the API, as the register's 查看 does).
    const diner = await createDiner(t, { birthDate: '1946-04-04', name: '罗玉山' });
    const [{ masked }] = await t.db.query(`SELECT id_number_masked AS masked FROM diners WHERE id = $1`, [diner.id]);
    await t
      .http()
      .post(`/api/diners/${diner.id}/reveal`)
      .set('authorization', await t.adminToken())
      .expect(200);
    // Entries of January 2025 by another clerk, written as another process would (the log is append-only).
    for (const [at, details] of [
      ['2025-01-10T09:00:00+08:00', { month: '2025-01', reason: '补录漏记的就餐' }],
      ['2025-01-20T23:30:00+08:00', { foo: 'bar' }],
      ['2025-02-01T00:10:00+08:00', {}],
    ] as const) {
      await t.db.query(
        `INSERT INTO audit_log (at, actor_username, action, entity_type, entity_id, details)
         VALUES ($1, 'old_clerk', 'MONTH_UNLOCKED', 'month_lock', '7', $2)`,
        [at, JSON.stringify(details)],
      );
    }

    await page.goto(`${t.url}/admin`);
    await page.getByRole('tab', { name: '审计日志' }).click();
    const rows = page.locator('#pane-audit .el-table__row');
    const cellsOf = async () =>
      rows.evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from(tr.querySelectorAll('td')).map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim()),
        ),
      );
    /** 查询, then the rows once they answer `until` (or whatever is shown after 5 s, for the assertion to name). */
    const search = async (until: (cells: string[][]) => boolean): Promise<string[][]> => {
      await page.getByRole('button', { name: '查询' }).click();
      const deadline = Date.now() + 5_000;
      for (;;) {
        const cells = await cellsOf();
        if (until(cells) || Date.now() > deadline) return cells;
        await page.waitForTimeout(100);
      }
    };

    // The reveal, in words: who, which masked number, which diner — no JSON.
    await pick(page, '操作', '查看完整身份证号');
    const revealed = await search((c) => c.length > 0 && c.every((r) => r[2] === '查看完整身份证号'));
    expect(revealed).toEqual([
      [expect.any(String), 'admin', '查看完整身份证号', `老人 #${diner.id}`, `查看身份证号 ${masked}`],
    ]);
    await page.screenshot({ path: join(SHOTS, 'admin-7-audit-reveal.png') });

    // By actor: exactly the clerk's entries, as the database has them; known keys in Chinese, others as key：value.
    await page.locator('.el-form-item', { hasText: '操作' }).locator('.el-select__wrapper').hover();
    await page.locator('.el-form-item', { hasText: '操作' }).locator('.el-select__clear').click();
    await page.locator('#audit-actor').fill('old_clerk');
    const byActor = await search((c) => c.length > 0 && c.every((r) => r[1] === 'old_clerk'));
    const clerk: { at: Date }[] = await t.db.query(
      `SELECT at FROM audit_log WHERE actor_username = 'old_clerk' ORDER BY at DESC, id DESC`,
    );
    expect(byActor.map((r) => r[0])).toEqual(
      clerk.map((r) => r.at.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16)),
    );
    expect(byActor.map((r) => r[4])).toEqual(['', 'foo：bar', '月份：2025-01；原因：补录漏记的就餐']);
    expect(byActor.map((r) => r[3])).toEqual(['月份锁定 #7', '月份锁定 #7', '月份锁定 #7']);

    // By dates (Shanghai days), every actor: 2025-01-15 to 2025-01-31 holds the entry of the 20th at 23:30 only.
    await page.locator('#audit-actor').fill('');
    const range = page.locator('#pane-audit .el-range-input');
    await range.nth(0).fill('2025-01-15');
    await range.nth(1).fill('2025-01-31');
    await range.nth(1).press('Enter');
    await page.keyboard.press('Escape');
    const byDates = await search((c) => c.length > 0 && c.every((r) => r[0].startsWith('2025-01')));
    const inRange: { at: Date }[] = await t.db.query(
      `SELECT at FROM audit_log
        WHERE (at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN '2025-01-15' AND '2025-01-31' ORDER BY at DESC`,
    );
    expect(inRange).toHaveLength(1);
    expect(byDates.map((r) => r[0])).toEqual(['2025-01-20 23:30']);
    await page.screenshot({ path: join(SHOTS, 'admin-8-audit-dates.png') });
  });

  it("shows a reviewer only its own district's sub-districts and canteens", async () => {
    const districtA = await createDistrict(t.db, '审核甲区');
    const subA = await createSubdistrictIn(t.db, districtA, '甲一街道');
    await createCanteen(t.db, { name: '甲一幸福食堂', subdistrictId: subA });
    const districtB = await createDistrict(t.db, '审核乙区');
    const subB = await createSubdistrictIn(t.db, districtB, '乙一街道');
    await createCanteen(t.db, { name: '乙一幸福食堂', subdistrictId: subB });
    const reviewer = await createUser(t, 'REVIEWER', { districtId: districtA, password: 'reviewer-pass-1' });

    const { page } = await openBrowser({ width: 1366, height: 768 }).then((x) => {
      cleanup.push(x);
      return x;
    });
    await page.goto(`${t.url}/`);
    await page.fill('input[name=username]', reviewer.username);
    await page.fill('input[name=password]', 'reviewer-pass-1');
    await page.click('.login-form button[type=submit]');
    // The reviewer lands on its queue; 辖区 is one click away in its menu.
    await page.waitForURL(/\/review$/);
    await page.getByRole('link', { name: '辖区' }).click();
    await page.waitForURL(/\/district$/);
    await page.getByText('甲一幸福食堂').waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('审核甲区');
    expect(text).toContain('甲一街道');
    expect(text).not.toContain('乙一街道');
    expect(text).not.toContain('乙一幸福食堂');
    expect(text).not.toContain('审核乙区');
    await expect(page.getByRole('navigation', { name: '菜单' }).textContent()).resolves.toContain('统计分析');
    await page.screenshot({ path: join(SHOTS, 'reviewer-district.png') });

    // 查看补贴申报 leads to the reviewer's own claims page, not finance's (which would only say "wrong role").
    await page.getByRole('link', { name: '查看补贴申报' }).click();
    await page.waitForURL(/\/review$/);
    await page.locator('#queue').waitFor();
    expect(page.url()).toMatch(/\/review$/);
    expect(await page.locator('.wrong-role').count()).toBe(0);
  });

  const cleanup: TestBrowser[] = [];
  afterAll(async () => {
    for (const x of cleanup) await x.close();
  });
});
