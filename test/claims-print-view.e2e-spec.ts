import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDateOf } from '../src/common/local-date';
import type { components } from '../web/src/api/schema';
import { downloadClaim, fen, readWorkbook, rowsOf, SUMMARY_HEADER_ROW, waitForClaim } from './support/claims';
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

// Issue 18: GET /api/claims/{id}/print answers the claim's sheets as data, with the workbook's figures (read back
// with exceljs) and the database's; masked ID numbers only; refused past its bound and once the data changed.
jest.setTimeout(90_000);

type ClaimPrint = components['schemas']['ClaimPrintDto'];
const MONTH = '2025-03';

describe('GET /api/claims/{id}/print', () => {
  let t: TestApp;
  let worker: TestWorker;
  let claimsDir: string;
  let subdistrictId: number;
  let finance: UserFixture;
  let cashier: UserFixture;
  let north: CanteenFixture;
  let south: CanteenFixture;
  let claimId: number;
  let print: ClaimPrint;
  let wb: ExcelJS.Workbook;
  const diners: Record<string, DinerFixture> = {};

  async function meal(
    canteen: CanteenFixture,
    diner: DinerFixture,
    day: string,
    tier: '70_79' | '80_PLUS',
    voided: { by: number; reason: string } | null = null,
  ) {
    const servedAt = new Date(`${day}T12:00:00+08:00`);
    return insertMeal(t.db, {
      canteen,
      dinerId: diner.id,
      cashierUserId: cashier.id,
      servedAt,
      mealDate: localDateOf(servedAt),
      priceFen: 1200,
      subsidyFen: tier === '80_PLUS' ? 400 : 200,
      age: tier === '80_PLUS' ? 82 : 75,
      tier,
      reason: `TIER_${tier}`,
      voided,
    });
  }

  beforeAll(async () => {
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-printview-'));
    t = await startTestApp({ env: { CLAIMS_DIR: claimsDir, CLAIM_PRINT_MAX_ROWS: '10' } });
    worker = await startTestWorker(t.config);
    subdistrictId = await createSubdistrict(t.db, '打印街道');
    north = await createCanteen(t.db, { subdistrictId, name: '北关幸福食堂' });
    south = await createCanteen(t.db, { subdistrictId, name: '南关幸福食堂' });
    finance = await createUser(t, 'FINANCE', { subdistrictId });
    cashier = await createUser(t, 'CASHIER', { subdistrictId, canteenIds: [north.id, south.id] });
    for (const name of ['张三', '赵六', '安娜', '王五']) {
      diners[name] = await createDiner(t, { birthDate: '1948-05-05', subdistrictId, name });
    }
    await meal(north, diners['张三'], '2025-03-03', '70_79');
    await meal(south, diners['张三'], '2025-03-04', '70_79');
    await meal(north, diners['安娜'], '2025-03-03', '70_79');
    await meal(south, diners['王五'], '2025-03-05', '70_79');
    await meal(north, diners['赵六'], '2025-03-03', '80_PLUS');
    await meal(south, diners['赵六'], '2025-03-06', '80_PLUS');
    await meal(north, diners['王五'], '2025-03-07', '70_79', { by: cashier.id, reason: '测试作废' });
    const res = await t.http().post('/api/claims').set('Authorization', finance.token).send({ month: MONTH });
    const claim = await waitForClaim(t, finance.token, res.body.id);
    expect(claim.status).toBe('DONE');
    claimId = claim.id;
    wb = await readWorkbook((await downloadClaim(t, finance.token, claimId)).body);
    const answer = await t.http().get(`/api/claims/${claimId}/print`).set('Authorization', finance.token);
    expect(answer.status).toBe(200);
    print = answer.body as ClaimPrint;
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  it("answers the database's figures and the claim's totals", async () => {
    const [sql] = (await t.db.query(
      `SELECT count(*)::int AS meals, sum(subsidy_fen)::int AS fen, count(DISTINCT diner_id)::int AS diners
         FROM meals m JOIN canteens c ON c.id = m.canteen_id
        WHERE c.subdistrict_id = $1 AND m.voided_at IS NULL AND m.subsidy_fen > 0`,
      [subdistrictId],
    )) as { meals: number; fen: number; diners: number }[];
    expect(sql).toEqual({ meals: 6, fen: 6 * 200 - 2 * 200 + 2 * 400, diners: 4 });
    expect(print.totals).toMatchObject({ meals: sql.meals, subsidyFen: sql.fen, diners: sql.diners, voided: 1 });
    const claim = await t.http().get(`/api/claims/${claimId}`).set('Authorization', finance.token);
    expect(print.totals).toEqual(claim.body.totals);
    expect(print.dataSha256).toBe(claim.body.dataSha256);
    expect(print).toMatchObject({ subdistrictName: '打印街道', month: MONTH, version: 1, scopeName: '全部食堂' });
    expect(print.details.reduce((n, d) => n + d.total.subsidyFen, 0)).toBe(sql.fen);
    expect(print.details.flatMap((d) => d.rows)).toHaveLength(sql.meals);
    expect(print.daily.reduce((n, d) => n + d.subsidyFen, 0)).toBe(sql.fen);
    expect(print.roster.reduce((n, d) => n + d.subsidyFen, 0)).toBe(sql.fen);
    expect(print.subsidyCapital).toBe('壹拾陆元整');
  });

  it("answers the workbook's figures, sheet by sheet", () => {
    const summary = wb.worksheets[0];
    const header = rowsOf(summary, SUMMARY_HEADER_ROW)[0];
    const totalCol = header.indexOf('补贴合计');
    const lines = rowsOf(summary, SUMMARY_HEADER_ROW + 1).filter((r) => typeof r[1] === 'number' || r[1] === '合计');
    expect(lines.map((r) => [r[1] === '合计' ? '合计' : r[2], fen(r[totalCol])])).toEqual([
      ...print.totals.canteens.map((c) => [c.name, c.subsidyFen]),
      ['合计', print.totals.subsidyFen],
    ]);
    for (const sheet of print.details) {
      const ws = wb.worksheets.find((w) => w.name === `明细-${sheet.canteenName}`)!;
      const rows = rowsOf(ws, 3);
      const data = rows.filter((r) => r[1] !== '合计');
      expect(data.map((r) => [r[2], r[4], r[5], fen(r[9]), r[13]])).toEqual(
        sheet.rows.map((r) => [r.date, r.name, r.idNumberMasked, r.subsidyFen, r.mealId]),
      );
      const total = rows.find((r) => r[1] === '合计')!;
      expect([fen(total[8]), fen(total[9]), fen(total[10])]).toEqual([
        sheet.total.priceFen,
        sheet.total.subsidyFen,
        sheet.total.payableFen,
      ]);
    }
    const roster = rowsOf(
      wb.worksheets.find((w) => w.name === '花名册')!,
      3,
    ).filter((r) => r[1] !== '合计');
    expect(roster.map((r) => [r[2], r[3], r[5], fen(r[6])])).toEqual(
      print.roster.map((r) => [r.name, r.idNumberMasked, r.meals, r.subsidyFen]),
    );
    expect(print.roster.map((r) => r.name)).toEqual(['安娜', '王五', '张三', '赵六']);
    const daily = rowsOf(
      wb.worksheets.find((w) => w.name === '日汇总')!,
      3,
    ).filter((r) => r[1] !== '合计');
    expect(daily.map((r) => [r[1], r[2], fen(r[r.length - 1])])).toEqual(
      print.daily.map((d) => [d.date, d.canteenName, d.subsidyFen]),
    );
  });

  it('shows masked ID numbers only', () => {
    const text = JSON.stringify(print);
    for (const d of Object.values(diners)) {
      expect(text).not.toContain(d.idNumber);
      expect(text).toContain(`${d.idNumber.slice(0, 6)}********${d.idNumber.slice(-4)}`);
    }
  });

  it('refuses a claim over the bound, and one whose data changed, with stable codes', async () => {
    // A second claim of the same month after one more meal: the first one's data is no longer what was printed.
    await meal(north, diners['安娜'], '2025-03-10', '70_79');
    const changed = await t.http().get(`/api/claims/${claimId}/print`).set('Authorization', finance.token);
    expect(changed.status).toBe(409);
    expect(changed.body.code).toBe('CLAIM_DATA_CHANGED');

    // Version 2 has 7 meals and 4 diners: 11 rows, over CLAIM_PRINT_MAX_ROWS (10 here).
    const res = await t.http().post('/api/claims').set('Authorization', finance.token).send({ month: MONTH });
    const big = await waitForClaim(t, finance.token, res.body.id);
    expect(big.status).toBe('DONE');
    const refused = await t.http().get(`/api/claims/${big.id}/print`).set('Authorization', finance.token);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CLAIM_PRINT_TOO_LARGE');
    expect(refused.body.message).toContain('请下载申报表');
  });
});
