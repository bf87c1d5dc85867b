import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmbCapital } from '../src/claims/rmb-capital';
import { localDateOf } from '../src/common/local-date';
import { openBrowser, TestBrowser } from './support/browser';
import { waitForClaim } from './support/claims';
import {
  CanteenFixture,
  createCanteen,
  createDiner,
  createSubdistrict,
  createUser,
  DinerFixture,
  insertMeal,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

// Issue 18: the claim's print view in Chromium: the figures shown are the database's, and the PDF it prints to is
// A4 landscape over several pages, each with 第 N 页 共 M 页 and the running header. Its screenshots and PDF pages
// are left in SHOTS for people to look at.
jest.setTimeout(120_000);

const MONTH = '2025-03';
const SHOTS = process.env.PRINT_VIEW_SHOTS ?? join(tmpdir(), 'hc-print-view');
const hasPoppler = existsSync('/usr/bin/pdftotext');

describe('Claim print view (Chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let worker: TestWorker;
  let claimsDir: string;
  let subdistrictId: number;
  let finance: UserFixture;
  let claimId: number;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-print-page-'));
    t = await startTestApp({ env: { CLAIMS_DIR: claimsDir } });
    worker = await startTestWorker(t.config);
    subdistrictId = await createSubdistrict(t.db, '桃源街道');
    const canteens: CanteenFixture[] = [
      await createCanteen(t.db, { subdistrictId, name: '东关国际幸福食堂' }),
      await createCanteen(t.db, { subdistrictId, name: '馨泰颐养中心幸福食堂', type: 'CARE_FACILITY' }),
    ];
    finance = await createUser(t, 'FINANCE', { subdistrictId });
    const cashier = await createUser(t, 'CASHIER', { subdistrictId, canteenIds: canteens.map((c) => c.id) });
    const names = ['张秀英', '王桂兰', '李淑珍', '赵凤英', '刘玉兰', '陈德明', '杨建国', '黄丽华', '周志强', '吴秀兰'];
    const diners: DinerFixture[] = [];
    for (const [i, name] of names.entries()) {
      diners.push(await createDiner(t, { birthDate: i % 3 === 0 ? '1940-05-05' : '1950-05-05', subdistrictId, name }));
    }
    // 10 diners × 12 days: 120 meals, enough for several printed pages.
    for (const [i, diner] of diners.entries()) {
      for (let day = 1; day <= 12; day++) {
        const servedAt = new Date(`${MONTH}-${String(day).padStart(2, '0')}T11:30:00+08:00`);
        const old = i % 3 === 0;
        await insertMeal(t.db, {
          canteen: canteens[(i + day) % 2],
          dinerId: diner.id,
          cashierUserId: cashier.id,
          servedAt,
          mealDate: localDateOf(servedAt),
          priceFen: 1250,
          subsidyFen: old ? 400 : 200,
          age: old ? 84 : 74,
          tier: old ? '80_PLUS' : '70_79',
          reason: old ? 'TIER_80_PLUS' : 'TIER_70_79',
        });
      }
    }
    const res = await t.http().post('/api/claims').set('Authorization', finance.token).send({ month: MONTH });
    const claim = await waitForClaim(t, finance.token, res.body.id);
    expect(claim.status).toBe('DONE');
    claimId = claim.id;
    browser = await openBrowser({ width: 1366, height: 768 });
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await t?.close();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  it("shows the database's figures, and prints to a numbered A4 landscape PDF", async () => {
    const { page } = browser;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${t.url}/claims/${claimId}/print`);
    await page.fill('input[name=username]', finance.username);
    await page.fill('input[name=password]', finance.password);
    await page.click('.login-form button[type=submit]');
    await page.waitForSelector('[data-test=summary-total]');

    const [sql] = (await t.db.query(
      `SELECT count(*)::int AS meals, sum(m.subsidy_fen)::int AS fen, count(DISTINCT m.diner_id)::int AS diners
         FROM meals m JOIN canteens c ON c.id = m.canteen_id
        WHERE c.subdistrict_id = $1 AND m.voided_at IS NULL AND m.subsidy_fen > 0`,
      [subdistrictId],
    )) as { meals: number; fen: number; diners: number }[];
    expect(sql).toEqual({ meals: 120, fen: 4 * 12 * 400 + 6 * 12 * 200, diners: 10 });
    expect(sql.fen).toBe(33_600);
    const total = '¥336.00';
    expect(await page.textContent('[data-test=summary-total] [data-test=subsidy]')).toBe(total);
    expect(await page.textContent('[data-test=daily-total] [data-test=subsidy]')).toBe(total);
    expect(await page.textContent('[data-test=roster-total] [data-test=subsidy]')).toBe(total);
    const perCanteen = (await t.db.query(
      `SELECT c.name, sum(m.subsidy_fen)::int AS fen, count(*)::int AS meals
         FROM meals m JOIN canteens c ON c.id = m.canteen_id WHERE c.subdistrict_id = $1 GROUP BY c.name`,
      [subdistrictId],
    )) as { name: string; fen: number; meals: number }[];
    const detailTotals = await page.$$eval('[data-test=detail-sheet]', (sheets) =>
      sheets.map((s) => ({
        name: s.getAttribute('aria-label'),
        fen: s.querySelector('[data-test=detail-total] [data-test=subsidy]')?.textContent,
        rows: s.querySelectorAll('tbody tr').length - 1,
      })),
    );
    expect(detailTotals.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual(
      perCanteen
        .map((c) => ({ name: `明细-${c.name}`, fen: `¥${(c.fen / 100).toFixed(2)}`, rows: c.meals }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(await page.$$eval('[data-test=roster-row]', (rows) => rows.length)).toBe(sql.diners);
    const squeeze = (text: string | null): string => (text ?? '').replace(/\s+/g, '');
    expect(squeeze(await page.textContent('[data-test=capital]'))).toBe(squeeze(`${rmbCapital(sql.fen)}（${total}）`));
    const body = (await page.textContent('body')) ?? '';
    for (const text of ['申报单位（盖章）', '经办人', '审核人', '负责人', '本人签字', '第1版', '打印']) {
      expect(body).toContain(text);
    }
    // No full ID number anywhere on the page.
    expect(body).not.toMatch(/\d{17}[\dX]/);
    expect(await page.isVisible('text=打印')).toBe(true);

    await page.screenshot({ path: join(SHOTS, 'screen-1366.png') });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.screenshot({ path: join(SHOTS, 'screen-1024.png') });
    await page.setViewportSize({ width: 1366, height: 768 });

    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('text=打印')).toBe(false);
    const pdf = await page.pdf({ format: 'A4', landscape: true, preferCSSPageSize: true, printBackground: true });
    const pdfPath = join(SHOTS, 'claim.pdf');
    writeFileSync(pdfPath, pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pageErrors).toEqual([]);

    if (!hasPoppler) {
      throw new Error('poppler-utils missing: bash scripts/apt-install.sh poppler-utils');
    }
    const info = execFileSync('pdfinfo', [pdfPath]).toString();
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(1);
    // A4 landscape: 842 × 595 pt.
    expect(info).toMatch(/Page size:\s+841\.\d+ x 59[45]\.\d+ pts \(A4\)/);
    const text = execFileSync('pdftotext', ['-layout', pdfPath, '-']).toString();
    const perPage = text.split('\f').filter((p) => p.trim() !== '');
    expect(perPage).toHaveLength(pages);
    perPage.forEach((p, i) => {
      // pdftotext keeps or drops the spaces between CJK characters depending on the layout.
      expect(squeeze(p)).toContain(`第${i + 1}页共${pages}页`);
      expect(p).toContain('桃源街道');
      expect(p).toContain('2025年3月');
      expect(p).not.toContain('纸张：A4 横向');
    });
    expect(text).not.toContain('（预览）');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '3', pdfPath, join(SHOTS, 'pdf-page')]);
  });
});
