import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDateOf } from '../src/common/local-date';
import { readWorkbook, sha256 } from './support/claims';
import { openBrowser, TestBrowser } from './support/browser';
import { createCanteen, createDiner, createUser, insertMeal, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

jest.setTimeout(60_000);

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
    browser = await openBrowser();
  });

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

    page.once('dialog', (d) => void d.accept());
    await page.click('#lock');
    await page.waitForSelector('#message.ok:has-text("已锁定")');
    const locks = await t.db.query(`SELECT month FROM month_locks WHERE unlocked_at IS NULL`);
    expect(locks).toEqual([{ month: '2025-03' }]);
  });

  it('shows the API’s message when locking fails', async () => {
    const { page } = browser;
    // The month is locked already: the API refuses, and the page shows its sentence.
    expect(await page.inputValue('#month')).toBe('2025-03');
    page.once('dialog', (d) => void d.accept());
    await page.click('#lock');
    await page.waitForSelector('#message.error');
    expect(await page.textContent('#message')).toContain('无需重复锁定');
    expect(await page.textContent('#message')).not.toMatch(/Error|HTTP_/);
  });
});
