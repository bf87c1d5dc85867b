import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { localDateOf, todayLocal } from '../src/common/local-date';
import { openBrowser, TestBrowser } from './support/browser';
import { waitForClaim } from './support/claims';
import {
  createCanteen,
  createDiner,
  createSubdistrictIn,
  createUser,
  firstDistrictId,
  insertMeal,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

// SPEC §5 in real Chromium: finance submits the month with a note for its finding, the district's reviewer returns
// it with a reason, finance submits again, the reviewer approves and records the payment — each step asserted in the
// database and on screen. Screenshots (1366×768 and 1024×768) go to SCREENSHOT_DIR when it is set.
jest.setTimeout(120_000);

const SHOTS = process.env.SCREENSHOT_DIR;

describe('Finance and reviewer pages: submit, return, approve, pay (Chromium)', () => {
  let t: TestApp;
  let worker: TestWorker;
  let claimsDir: string;
  let finance: UserFixture;
  let reviewer: UserFixture;
  let fin: TestBrowser;
  let rev: TestBrowser;

  beforeAll(async () => {
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-claims-review-page-'));
    t = await startTestApp({ env: { CLAIMS_DIR: claimsDir } });
    worker = await startTestWorker(t.config);
    finance = await createUser(t, 'FINANCE', { displayName: '王会计' });
    reviewer = await createUser(t, 'REVIEWER', { districtId: await firstDistrictId(t.db), displayName: '李审核' });
    const cashier = await createUser(t, 'CASHIER');
    const canteen = await createCanteen(t.db, { name: '东关国际幸福食堂' });
    const diner = await createDiner(t, { birthDate: '1944-02-02', name: '罗玉山' });
    for (let day = 1; day <= 6; day++) {
      const servedAt = new Date(`2025-03-0${day}T11:30:00+08:00`);
      await insertMeal(t.db, {
        canteen,
        dinerId: diner.id,
        cashierUserId: cashier.id,
        servedAt,
        mealDate: localDateOf(servedAt),
        priceFen: 1200,
        subsidyFen: 400,
        age: 81,
        tier: '80_PLUS',
        reason: 'TIER_80_PLUS',
        // One meal typed in three hours late: a BACKDATED finding to acknowledge.
        recordedAt: day === 2 ? new Date(servedAt.getTime() + 3 * 3_600_000) : undefined,
      });
    }
    fin = await openBrowser({ width: 1366, height: 768 });
    rev = await openBrowser({ width: 1366, height: 768 });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await fin?.close();
    await rev?.close();
    await worker?.close();
    await t?.close();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  async function login(page: Page, path: string, user: UserFixture): Promise<void> {
    await page.goto(`${t.url}${path}`);
    await page.fill('input[name=username]', user.username);
    await page.fill('input[name=password]', user.password);
    await page.click('.login-form button[type=submit]');
  }
  async function shots(page: Page, name: string): Promise<void> {
    if (!SHOTS) return;
    for (const width of [1366, 1024]) {
      await page.setViewportSize({ width, height: 768 });
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1366, height: 768 });
  }
  const claimRow = async (): Promise<Record<string, unknown>> => {
    const [row] = await t.db.query(
      `SELECT id, version, review_status, acknowledgements, return_reason, paid_on::text AS paid_on, payment_reference
         FROM claims WHERE month = '2025-03' AND canteen_id IS NULL ORDER BY version DESC LIMIT 1`,
    );
    return row;
  };
  const locked = async (): Promise<number> =>
    (await t.db.query(`SELECT id FROM month_locks WHERE month = '2025-03' AND unlocked_at IS NULL`)).length;

  it('finance submits with a note, the reviewer returns, finance resubmits, the reviewer approves and pays', async () => {
    const f = fin.page;
    await login(f, '/finance', finance);
    await f.waitForSelector('#claim-form');
    await f.fill('#month', '2025-03');
    await f.press('#month', 'Enter');
    await f.click('#generate');
    await f.waitForSelector('#month-card [data-test=chip]', { timeout: 30_000 });
    expect(await f.textContent('#month-card [data-test=chip]')).toBe('可申报');
    expect(await f.textContent('#month-card [data-test=lock]')).toContain('本月未锁定');
    expect(await f.textContent('#month-card')).toContain('¥24.00');
    expect(await f.getAttribute('#month-card a.button-link', 'href')).toMatch(/^\/claims\/\d+\/print$/);

    // Asked again with nothing changed: the same version, and the page says so.
    await f.click('#generate');
    await f.waitForSelector('#message.ok:has-text("数据没有变化")');
    expect(await f.textContent('#message')).toContain('沿用已生成的第1版');
    expect(await t.db.query(`SELECT version FROM claims WHERE month = '2025-03'`)).toEqual([{ version: 1 }]);

    // The finding waits for its note; the submit button with it.
    await f.waitForSelector('#month-card li[data-code=BACKDATED]');
    // Which meal it is, in words (served 11:30, typed in at 14:30, Shanghai).
    expect(await f.textContent('#month-card li[data-code=BACKDATED] [data-test=examples]')).toMatch(
      /^2025-03-02 午餐，2025-03-02 11:30 就餐，2025-03-02 14:30 录入，收银员 \S+$/,
    );
    expect(await f.isDisabled('#month-card button.submit')).toBe(true);
    await shots(f, 'finance-draft');
    const note = '3月2日读卡器故障，午餐先纸质登记，下午补录';
    await f.fill('#month-card li[data-code=BACKDATED] textarea', note);
    await f.click('#month-card button.submit');
    await f.waitForSelector('#month-card[data-review-status=SUBMITTED]');
    expect(await f.textContent('#month-card [data-test=chip]')).toBe('已提交');
    expect(await f.textContent('#month-card [data-test=lock]')).toContain('本月已锁定');
    const submitted = await claimRow();
    expect(submitted.review_status).toBe('SUBMITTED');
    expect(submitted.acknowledgements).toEqual([expect.objectContaining({ code: 'BACKDATED', note })]);
    expect(await locked()).toBe(1);
    await shots(f, 'finance-submitted');

    // The reviewer lands on its queue, opens the claim on its findings and totals, and returns it.
    const r = rev.page;
    await login(r, '/', reviewer);
    await r.waitForURL(/\/review$/);
    await r.waitForSelector(`#queue tr[data-claim-id="${submitted.id}"]`);
    await r.click(`#queue tr[data-claim-id="${submitted.id}"] button.open-claim`);
    await r.waitForSelector('.claim-card .canteen-totals');
    expect(await r.textContent('.claim-card .canteen-totals')).toContain('东关国际幸福食堂');
    expect(await r.textContent('.claim-card li[data-code=BACKDATED]')).toContain(`财务说明：${note}`);
    expect(await r.textContent('.claim-card li[data-code=BACKDATED] [data-test=examples]')).toContain('14:30 录入');
    await shots(r, 'reviewer-queue');
    const reason = '请附读卡器故障的报修记录';
    await r.fill('.claim-card input.reason', reason);
    await r.click('.claim-card button.return');
    await r.waitForSelector('.claim-card[data-review-status=RETURNED]');
    expect((await claimRow()).review_status).toBe('RETURNED');
    expect(await locked()).toBe(0);

    // Finance sees why, keeps its note, and submits again.
    await f.reload();
    await f.fill('#month', '2025-03');
    await f.press('#month', 'Enter');
    await f.waitForSelector('#month-card[data-review-status=RETURNED]');
    expect(await f.textContent('#month-card [data-test=return-reason]')).toContain(reason);
    expect(await f.textContent('#month-card [data-test=chip]')).toBe('已退回');
    expect(await f.inputValue('#month-card li[data-code=BACKDATED] textarea')).toBe(note);
    await shots(f, 'finance-returned');
    await f.fill('#month-card li[data-code=BACKDATED] textarea', `${note}；报修单号 2025-0302`);
    await f.click('#month-card button.submit');
    await f.waitForSelector('#month-card[data-review-status=SUBMITTED]');
    expect((await claimRow()).review_status).toBe('SUBMITTED');

    // The reviewer approves, then records the payment from the 待拨付 tab.
    await r.reload();
    await r.click(`#queue tr[data-claim-id="${submitted.id}"] button.open-claim`);
    await r.click('.claim-card button.approve');
    await r.waitForSelector('.claim-card[data-review-status=APPROVED]');
    expect((await claimRow()).review_status).toBe('APPROVED');
    await r.click('.review-tabs [role=tab]:has-text("待拨付")');
    await r.click(`#queue tr[data-claim-id="${submitted.id}"] button.open-claim`);
    await r.waitForSelector('.claim-card input.reference');
    await r.fill('.claim-card input.reference', '东财拨〔2025〕118号');
    await shots(r, 'reviewer-pay');
    await r.click('.claim-card button.pay');
    await r.waitForSelector('.claim-card[data-review-status=PAID]');
    const paid = await claimRow();
    expect(paid).toMatchObject({
      review_status: 'PAID',
      paid_on: todayLocal(),
      payment_reference: '东财拨〔2025〕118号',
    });
    // The history reloads after the step.
    await r.waitForSelector('.claim-card .history li[data-action=PAID]');
    const history = await r.$$eval('.claim-card .history li', (lis) => lis.map((li) => li.getAttribute('data-action')));
    expect(history).toEqual(['SUBMITTED', 'RETURNED', 'SUBMITTED', 'APPROVED', 'PAID']);
    expect(await r.textContent('.claim-card .history')).toContain('李审核');
    await shots(r, 'reviewer-paid');
  });

  it('narrows the queue to one sub-district of the district', async () => {
    // A second sub-district of the district, with a claim of its own submitted by its finance.
    const districtId = await firstDistrictId(t.db);
    const sub2 = await createSubdistrictIn(t.db, districtId, '古楼街道');
    const finance2 = await createUser(t, 'FINANCE', { subdistrictId: sub2 });
    const cashier2 = await createUser(t, 'CASHIER', { subdistrictId: sub2 });
    const canteen2 = await createCanteen(t.db, { subdistrictId: sub2, name: '古楼幸福食堂' });
    const diner2 = await createDiner(t, { birthDate: '1950-05-05', subdistrictId: sub2 });
    const servedAt = new Date('2025-03-10T11:30:00+08:00');
    await insertMeal(t.db, {
      canteen: canteen2,
      dinerId: diner2.id,
      cashierUserId: cashier2.id,
      servedAt,
      mealDate: localDateOf(servedAt),
      priceFen: 1200,
      subsidyFen: 200,
      age: 74,
      tier: '70_79',
      reason: 'TIER_70_79',
    });
    const asked = await t.http().post('/api/claims').set('authorization', finance2.token).send({ month: '2025-03' });
    expect(asked.status).toBe(202);
    const built = await waitForClaim(t, finance2.token, asked.body.id);
    const checks = await t.http().get(`/api/claims/${built.id}/checks`).set('authorization', finance2.token);
    const acknowledgements = (checks.body.findings as { code: string; canteenId: number | null }[]).map((f) => ({
      code: f.code,
      canteenId: f.canteenId,
      note: '已核实',
    }));
    await t
      .http()
      .post(`/api/claims/${built.id}/submit`)
      .set('authorization', finance2.token)
      .send({ acknowledgements })
      .expect(200);

    const r = rev.page;
    await r.goto(`${t.url}/review`);
    await r.waitForSelector(`#queue tr[data-claim-id="${built.id}"]`);
    // The picker lists the district's sub-districts, as the database has them.
    const subs: { name: string }[] = await t.db.query(
      `SELECT name FROM subdistricts WHERE district_id = $1 ORDER BY name`,
      [districtId],
    );
    await r.click('.review-filter .el-select__wrapper');
    const items = r.locator('.el-select-dropdown:visible .el-select-dropdown__item');
    await items.first().waitFor();
    expect((await items.allTextContents()).map((x) => x.trim()).sort()).toEqual(subs.map((x) => x.name).sort());
    expect(subs.map((x) => x.name)).toEqual(expect.arrayContaining(['柳园街道', '古楼街道']));

    // 柳园街道: its claim was paid in the test before, so nothing waits for review there.
    await r.click('.el-select-dropdown:visible .el-select-dropdown__item:has-text("柳园街道")');
    await r.waitForSelector('#queue-empty');
    expect((await r.textContent('#queue-empty'))?.replace(/\s+/g, '')).toBe('柳园街道没有待审核的申报。');
    expect(await r.locator('#queue tbody tr').count()).toBe(0);
    // 已拨付 keeps the choice: 柳园街道's paid claim, not 古楼街道's.
    await r.click('.review-tabs [role=tab]:has-text("已拨付")');
    await r.waitForSelector('#queue tbody tr');
    const paid = await r.locator('#queue tbody tr td:first-child').allTextContents();
    expect(paid.map((x) => x.trim())).toEqual(['柳园街道']);

    // 古楼街道 in the 待审核 tab: its claim alone.
    await r.click('.review-tabs [role=tab]:has-text("待审核")');
    await r.click('.review-filter .el-select__wrapper');
    await r.click('.el-select-dropdown:visible .el-select-dropdown__item:has-text("古楼街道")');
    await r.waitForSelector(`#queue tr[data-claim-id="${built.id}"]`);
    const rows = await r
      .locator('#queue tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-claim-id')));
    expect(rows).toEqual([String(built.id)]);
    await shots(r, 'reviewer-queue-filtered');
  });

  it('tells a reviewer on the finance page where its page is', async () => {
    const r = rev.page;
    await r.goto(`${t.url}/finance`);
    await r.waitForSelector('.wrong-role');
    expect(await r.getAttribute('.wrong-role a', 'href')).toBe('/review');
  });
});
