import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDateOf } from '../src/common/local-date';
import { insertMeals, MealInsert } from '../src/meals/meal.queries';
import { readWorkbook, sha256 } from './support/claims';
import { openBrowser, TestBrowser } from './support/browser';
import { createCanteen, createDiner, createUser, DinerFixture, insertMeal, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

jest.setTimeout(90_000);

// February 2025: 43 diners × 28 days, one subsidised lunch each — 1,204 meals, a count past a thousand.
const FEB_DINERS = 43;
const FEB_MEALS = FEB_DINERS * 28;

describe('Finance page (Chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let worker: TestWorker | null = null;
  let claimsDir: string;
  let finance: UserFixture;

  beforeAll(async () => {
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-claims-page-'));
    t = await startTestApp({ env: { CLAIMS_DIR: claimsDir } });
    finance = await createUser(t, 'FINANCE');
    const cashier = await createUser(t, 'CASHIER');
    const canteen = await createCanteen(t.db, { name: '东关国际幸福食堂' });
    const diner = await createDiner(t, { birthDate: '1944-02-02' });
    for (let day = 1; day <= 9; day++) {
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
      });
    }
    const many: DinerFixture[] = [];
    for (let i = 0; i < FEB_DINERS; i++) many.push(await createDiner(t, { birthDate: '1944-02-02' }));
    const feb: MealInsert[] = [];
    for (let day = 1; day <= 28; day++) {
      const date = `2025-02-${String(day).padStart(2, '0')}`;
      for (const d of many) {
        feb.push({
          subdistrictId: canteen.subdistrictId,
          canteenId: canteen.id,
          dinerId: d.id,
          mealDate: date,
          mealPeriod: 'LUNCH',
          servedAt: new Date(`${date}T11:30:00+08:00`),
          priceFen: 1200,
          subsidyFen: 400,
          payableFen: 800,
          age: 81,
          tier: '80_PLUS',
          reason: 'TIER_80_PLUS',
          policyVersionId: 1,
          subsidySlot: 'DAY',
          verification: 'ID_CARD_READER',
          cashierUserId: cashier.id,
          idempotencyKey: `finance-page-feb-${date}-${d.id}`,
          requestHash: 'fixture',
          voidedAt: null,
          voidedBy: null,
          voidReason: null,
        });
      }
    }
    await insertMeals(t.db, feb, { skipConflicts: false });
    browser = await openBrowser();
  });

  const text = async (selector: string): Promise<string> =>
    ((await browser.page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();

  /** Picks a month in the Element Plus month picker (typed, as a person may). */
  async function chooseMonth(month: string): Promise<void> {
    const { page } = browser;
    await page.fill('#month', month);
    await page.press('#month', 'Enter');
  }

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await t?.close();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  it('logs in, generates a claim, shows its progress, downloads a valid workbook and locks the month', async () => {
    const { page } = browser;
    await page.goto(`${t.url}/finance`);
    await page.fill('input[name=username]', finance.username);
    await page.fill('input[name=password]', finance.password);
    await page.click('.login-form button[type=submit]');
    await page.waitForSelector('#claim-form');
    await page.fill('#month', '2025-03');
    await page.press('#month', 'Enter');

    // No worker yet: the claim waits in the queue and the page says so.
    await page.click('#generate');
    await page.waitForSelector('#job');
    await page.waitForSelector('#job-status:has-text("排队中")');
    expect(await page.getAttribute('#progress', 'value')).toBe('0');
    expect(await page.isVisible('#download')).toBe(false);

    worker = await startTestWorker(t.config);
    await page.waitForSelector('#job[data-status="DONE"]', { timeout: 30_000 });
    expect(await page.textContent('#progress-text')).toBe('100%');
    expect(await page.textContent('#message')).toContain('补贴 9 人次，合计 ¥36.00');
    await page.waitForSelector('#claims tbody tr');
    expect(await page.textContent('#claims tbody')).toContain('第1版');
    expect(await page.textContent('#claims tbody')).toContain('36.00');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe('柳园街道幸福食堂补贴申报表-2025年3月-第1版.xlsx');
    const file = readFileSync((await download.path())!);
    expect(file.subarray(0, 2).toString()).toBe('PK');
    const wb = await readWorkbook(file);
    expect(wb.worksheets[0].name).toBe('汇总');
    const [claim] = await t.db.query(`SELECT sha256 FROM claims WHERE month = '2025-03'`);
    expect(sha256(file)).toBe(claim.sha256);

    // The month's card: not locked yet.
    await page.waitForSelector('#month-card');
    expect(await text('#month-card [data-test=lock]')).toBe('本月未锁定');

    // 锁定月份 asks in an Element Plus box (zh-CN), not the browser's confirm: 取消 locks nothing.
    let nativeDialog = false;
    page.on('dialog', (d) => {
      nativeDialog = true;
      void d.dismiss();
    });
    await page.click('#lock');
    await page.waitForSelector('.el-message-box');
    expect(await text('.el-message-box')).toContain('锁定 2025年3月（全街道）后，该月不能再录入、补录或作废就餐记录');
    await page.click('.el-message-box__btns button:has-text("取消")');
    await page.waitForSelector('.el-message-box', { state: 'hidden' });
    expect(await t.db.query(`SELECT month FROM month_locks`)).toEqual([]);

    await page.click('#lock');
    await page.click('.el-message-box__btns button:has-text("锁定")');
    await page.waitForSelector('#message.ok:has-text("已锁定")');
    const locks = await t.db.query(`SELECT month FROM month_locks WHERE unlocked_at IS NULL`);
    expect(locks).toEqual([{ month: '2025-03' }]);
    // The card is read again: it says what the database now holds.
    await page.waitForSelector('#month-card [data-test=lock]:has-text("本月已锁定")', { timeout: 5_000 });
    expect(await text('#month-card [data-test=lock]')).toBe('本月已锁定');
    expect(nativeDialog).toBe(false);
  });

  it('shows the API’s message when locking fails', async () => {
    const { page } = browser;
    // The month is locked already: the API refuses, and the page shows its sentence.
    expect(await page.inputValue('#month')).toBe('2025-03');
    await page.click('#lock');
    await page.click('.el-message-box__btns button:has-text("锁定")');
    await page.waitForSelector('#message.error');
    expect(await page.textContent('#message')).toContain('无需重复锁定');
    expect(await page.textContent('#message')).not.toMatch(/Error|HTTP_/);
  });

  it('tells the versions built before and after the lock apart', async () => {
    const { page } = browser;
    // The lock changed the data the claim is built from: asked again, a second version is built.
    await page.click('#generate');
    await page.waitForSelector('#job[data-status="DONE"] #job-status:has-text("第2版")', { timeout: 30_000 });
    await page.waitForSelector('#claims tbody tr:nth-child(2)');
    const rows = await page.locator('#claims tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        version: tr.querySelector('[data-col=version]')?.textContent?.trim(),
        locked: tr.querySelector('[data-col=locked-at-build]')?.textContent?.trim(),
        ended: tr.querySelector('[data-col=ended-at-build]')?.textContent?.trim(),
      })),
    );
    expect(rows.sort((a, b) => String(a.version).localeCompare(String(b.version)))).toEqual([
      { version: '第1版', locked: '未锁定', ended: '已结束' },
      { version: '第2版', locked: '已锁定', ended: '已结束' },
    ]);
    // What the list shows is what the API's claims say, row by row.
    const db = await t.db.query(
      `SELECT c.version, l.locked_at <= c.started_at AS locked FROM claims c
         LEFT JOIN month_locks l ON l.month = c.month AND l.unlocked_at IS NULL
        WHERE c.month = '2025-03' ORDER BY c.version`,
    );
    expect(db).toEqual([
      { version: 1, locked: false },
      { version: 2, locked: true },
    ]);
    expect(await text('#month-card h3')).toContain('第2版');
  });

  it('names the chosen month when it has no claims', async () => {
    await chooseMonth('2025-01');
    await browser.page.waitForSelector('#claims-empty');
    expect(await text('#claims-empty')).toBe('2025年1月还没有生成过申报表。');
    expect(await text('#month-card-empty')).toContain('2025年1月还没有已生成的全街道申报表');
  });

  it('shows counts with thousands separators in the list, the card and the message', async () => {
    const { page } = browser;
    await chooseMonth('2025-02');
    await page.click('#generate');
    await page.waitForSelector('#job[data-status="DONE"]', { timeout: 30_000 });
    const [{ meals }] = await t.db.query(
      `SELECT count(*)::int AS meals FROM meals WHERE meal_date BETWEEN '2025-02-01' AND '2025-02-28'`,
    );
    expect(meals).toBe(FEB_MEALS);
    expect(await text('#message')).toContain('补贴 1,204 人次，合计 ¥4,816.00');
    await page.waitForSelector('#claims tbody tr [data-col=meals]:has-text("1,204")');
    expect(await text('#claims tbody tr [data-col=diners]')).toBe('43');
    await page.waitForSelector('#month-card');
    expect(await text('#month-card .card-meta')).toContain('补贴 1,204 人次');
  });
});
