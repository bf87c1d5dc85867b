import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDateOf, monthOf, todayLocal } from '../src/common/local-date';
import { displayWidth, POLICY_IN_WORDS } from '../src/claims/workbook-format';
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

// SPEC §5: the workbook ready to print, stamp and file, read back: print settings, page header and footer, borders
// on every table cell, total rows on every sheet, the total in capital numerals, the seal box and signature lines,
// the roster by pinyin with a column to sign, the policy in plain words, the version and the month's lock state,
// and a month not ended marked as a preview.
jest.setTimeout(90_000);

const MONTH = '2025-03';
const THIN = { style: 'thin' };

describe('The claim workbook, ready to print', () => {
  let t: TestApp;
  let worker: TestWorker;
  let claimsDir: string;
  let subdistrictId: number;
  let finance: UserFixture;
  let cashier: UserFixture;
  let north: CanteenFixture;
  let south: CanteenFixture;
  let wb: ExcelJS.Workbook;
  let claim: Awaited<ReturnType<typeof waitForClaim>>;
  const diners: Record<string, DinerFixture> = {};

  async function meal(
    canteen: CanteenFixture,
    diner: DinerFixture,
    day: string,
    tier: '70_79' | '80_PLUS',
    priceFen = 1200,
  ) {
    const servedAt = new Date(`${day}T12:00:00+08:00`);
    const amount = tier === '80_PLUS' ? 400 : 200;
    await insertMeal(t.db, {
      canteen,
      dinerId: diner.id,
      cashierUserId: cashier.id,
      servedAt,
      mealDate: localDateOf(servedAt),
      priceFen,
      subsidyFen: Math.min(amount, priceFen),
      age: tier === '80_PLUS' ? 82 : 75,
      tier,
      reason: `TIER_${tier}`,
    });
  }

  beforeAll(async () => {
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-print-'));
    t = await startTestApp({ env: { CLAIMS_DIR: claimsDir } });
    worker = await startTestWorker(t.config);
    subdistrictId = await createSubdistrict(t.db, '印刷街道');
    north = await createCanteen(t.db, { subdistrictId, name: '北关A&B幸福食堂' });
    south = await createCanteen(t.db, { subdistrictId, name: '南关幸福食堂' });
    finance = await createUser(t, 'FINANCE', { subdistrictId });
    cashier = await createUser(t, 'CASHIER', { subdistrictId, canteenIds: [north.id, south.id] });
    // Registered in an order that is neither pinyin nor character code.
    for (const name of ['张三', '赵六', '安娜', '王五', '李四']) {
      diners[name] = await createDiner(t, { birthDate: '1948-05-05', subdistrictId, name });
    }
    // 6 × ¥2 + 3 × ¥4 + one 80+ meal at ¥3.50 (subsidy = price) = ¥27.50.
    await meal(north, diners['张三'], '2025-03-03', '70_79');
    await meal(north, diners['张三'], '2025-03-04', '70_79');
    await meal(south, diners['张三'], '2025-03-05', '70_79');
    await meal(north, diners['安娜'], '2025-03-03', '70_79');
    await meal(south, diners['王五'], '2025-03-03', '70_79');
    await meal(south, diners['李四'], '2025-03-03', '70_79');
    await meal(north, diners['赵六'], '2025-03-03', '80_PLUS');
    await meal(south, diners['赵六'], '2025-03-04', '80_PLUS');
    await meal(south, diners['赵六'], '2025-03-05', '80_PLUS');
    await meal(north, diners['赵六'], '2025-03-06', '80_PLUS', 350);
    // Finance locked March for the sub-district.
    await t.db.query(`INSERT INTO month_locks (subdistrict_id, month, locked_by) VALUES ($1, $2, $3)`, [
      subdistrictId,
      MONTH,
      finance.id,
    ]);
    const res = await t.http().post('/api/claims').set('Authorization', finance.token).send({ month: MONTH });
    claim = await waitForClaim(t, finance.token, res.body.id);
    expect(claim.status).toBe('DONE');
    wb = await readWorkbook((await downloadClaim(t, finance.token, claim.id)).body);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  const texts = (ws: ExcelJS.Worksheet): string =>
    rowsOf(ws, 1)
      .flat()
      .filter((v) => typeof v === 'string')
      .join('\n');

  function expectBordered(ws: ExcelJS.Worksheet, fromRow: number, toRow: number, columns: number): void {
    for (let r = fromRow; r <= toRow; r++) {
      for (let c = 1; c <= columns; c++) {
        const b = ws.getRow(r).getCell(c).border;
        expect({ sheet: ws.name, r, c, border: b }).toEqual({
          sheet: ws.name,
          r,
          c,
          border: expect.objectContaining({ top: THIN, bottom: THIN, left: THIN, right: THIN }),
        });
      }
    }
  }

  it('says the claim is locked, ended and version 1, in the API and on the summary', async () => {
    expect(claim).toMatchObject({ monthLocked: true, monthEnded: true, version: 1 });
    const summary = wb.getWorksheet('汇总')!;
    expect(summary.getCell('A1').value).toBe('印刷街道幸福食堂老年人就餐补贴申报表（2025年3月）');
    expect(summary.getCell('A3').value).toBe('第1版 · 本月已锁定');
  });

  it('prints every sheet on A4 landscape, fitted to the width, the header rows repeated, pages named and numbered', () => {
    expect(wb.worksheets.map((ws) => ws.name)).toEqual([
      '汇总',
      `明细-${north.name}`,
      `明细-${south.name}`,
      '日汇总',
      '花名册',
    ]);
    for (const ws of wb.worksheets) {
      const headerRow = ws.name === '汇总' ? SUMMARY_HEADER_ROW : 2;
      expect({ sheet: ws.name, ...ws.pageSetup }).toMatchObject({
        sheet: ws.name,
        paperSize: 9,
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: `${headerRow}:${headerRow}`,
      });
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: headerRow });
      const { oddHeader, oddFooter } = ws.headerFooter;
      expect(oddHeader).toMatch(/^&L印刷街道 2025年3月&C.+&R第1版$/);
      expect(oddFooter).toMatch(/^&L本月已锁定&C第 &P 页 共 &N 页&R生成于 \d{4}-\d{2}-\d{2} /);
    }
    // The canteen and month on every page of a detail sheet, `&` written as `&&` so it prints as one.
    expect(wb.getWorksheet(`明细-${north.name}`)!.headerFooter.oddHeader).toContain(
      '&C北关A&&B幸福食堂 老年人就餐补贴明细（2025年3月）&R',
    );
  });

  it('borders every table cell, and gives every sheet a total row equal to the SQL sums', async () => {
    const summary = wb.getWorksheet('汇总')!;
    const columns = (rowsOf(summary, SUMMARY_HEADER_ROW)[0] as unknown[]).length - 1;
    expectBordered(summary, SUMMARY_HEADER_ROW, SUMMARY_HEADER_ROW + 3, columns);
    const [sql] = await t.db.query(
      `SELECT count(*)::int AS meals, sum(subsidy_fen)::int AS fen, sum(price_fen)::int AS price,
              sum(payable_fen)::int AS payable, count(DISTINCT diner_id)::int AS diners
         FROM meals WHERE subdistrict_id = $1 AND voided_at IS NULL AND subsidy_fen > 0`,
      [subdistrictId],
    );
    expect(sql).toMatchObject({ meals: 10, fen: 2750, diners: 5 });
    const total = rowsOf(summary, SUMMARY_HEADER_ROW + 1).find((r) => r[1] === '合计')!;
    expect(fen(total[8])).toBe(sql.fen);

    for (const canteen of [north, south]) {
      const ws = wb.getWorksheet(`明细-${canteen.name}`)!;
      expectBordered(ws, 2, ws.rowCount, 13);
      const rows = rowsOf(ws, 3);
      const last = rows[rows.length - 1];
      const [c] = await t.db.query(
        `SELECT count(*)::int AS meals, sum(price_fen)::int AS price, sum(subsidy_fen)::int AS fen,
                sum(payable_fen)::int AS payable FROM meals WHERE canteen_id = $1`,
        [canteen.id],
      );
      expect([last[1], last[4], fen(last[8]), fen(last[9]), fen(last[10])]).toEqual([
        '合计',
        `${c.meals} 人次`,
        c.price,
        c.fen,
        c.payable,
      ]);
      expect(rows).toHaveLength(c.meals + 1);
      // The title above the table has no border.
      expect(ws.getRow(1).getCell(1).border ?? {}).toEqual({});
    }
    const daily = wb.getWorksheet('日汇总')!;
    expectBordered(daily, 2, daily.rowCount, (rowsOf(daily, 2)[0] as unknown[]).length - 1);
    const dailyTotal = rowsOf(daily, 3).find((r) => r[1] === '合计')!;
    expect(fen(dailyTotal[dailyTotal.length - 1])).toBe(sql.fen);
  });

  it('gives every table column the width of its longest text, or wraps it (nothing cut off, nothing running together)', () => {
    const shown = (cell: ExcelJS.Cell): string => {
      const v = cell.value;
      if (typeof v === 'number' && /¥|0\.00/.test(cell.numFmt ?? '')) {
        return `¥${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
      }
      return v === null || v === undefined ? '' : String(v);
    };
    let checked = 0;
    for (const ws of wb.worksheets) {
      const headerRow = ws.name === '汇总' ? SUMMARY_HEADER_ROW : 2;
      // The table: from its header to the last bordered row below it.
      let last = headerRow;
      while (last < ws.rowCount && ws.getRow(last + 1).getCell(1).border?.top) last++;
      for (let r = headerRow; r <= last; r++) {
        ws.getRow(r).eachCell((cell, c) => {
          const text = shown(cell);
          if (text === '' || cell.isMerged) return;
          const width = ws.getColumn(c).width ?? 9;
          const wraps = cell.alignment?.wrapText === true;
          checked++;
          // A CJK character takes two columns; a cell keeps one column of padding.
          expect({ sheet: ws.name, cell: cell.address, text, fits: wraps || displayWidth(text) + 1 <= width }).toEqual({
            sheet: ws.name,
            cell: cell.address,
            text,
            fits: true,
          });
        });
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('writes the total in capital numerals, explains the distinct diners, and states the policy in plain words', () => {
    const summary = wb.getWorksheet('汇总')!;
    const text = texts(summary);
    expect(text).toContain('补贴合计（人民币大写）');
    expect(text).toContain('贰拾柒元伍角整\u3000\u3000（¥27.50）');
    // 张三 and 赵六 ate at both canteens: 5 diners, not the canteens' 3 + 4.
    const rows = rowsOf(summary, SUMMARY_HEADER_ROW + 1);
    expect(rows.filter((r) => typeof r[1] === 'number').map((r) => r[9])).toEqual([3, 4]);
    expect(rows.find((r) => r[1] === '合计')![9]).toBe(5);
    expect(text).toContain(
      '就餐老人数合计 5 人为去重人数：在多个食堂就餐的老人只计一次，所以少于各食堂人数之和（7 人）',
    );
    expect(text).toContain(POLICY_IN_WORDS);
    expect(text).toContain('补贴标准（自2022-08-01起执行）：70–79岁每餐¥2.00；80岁以上每餐¥4.00');
    expect(text).not.toContain('min(');
    expect(text).toMatch(/数据校验码（SHA-256）：[0-9a-f]{64}/);
    expect(text).toContain(`数据校验码（SHA-256）：${claim.dataSha256}`);
  });

  it('has a bordered seal box and signature lines', () => {
    const summary = wb.getWorksheet('汇总')!;
    let box: ExcelJS.Cell | undefined;
    summary.eachRow((row) =>
      row.eachCell((cell) => {
        if (!box && cell.value === '申报单位（盖章）') box = cell;
      }),
    );
    expect(box).toBeDefined();
    const first = Number(box!.row);
    // Five rows tall, three columns wide, merged into one box with a border all round.
    expect(summary.model.merges).toContain(`A${first}:C${first + 4}`);
    expectBordered(summary, first, first + 4, 3);
    const text = texts(summary);
    for (const line of ['经办人：', '审核人：', '负责人：', '日\u3000期：']) expect(text).toContain(line);
  });

  it('lists the roster by pinyin with an empty column for each diner to sign, and a total row', () => {
    const roster = wb.getWorksheet('花名册')!;
    expect(rowsOf(roster, 2)[0].slice(1)).toEqual([
      '序号',
      '姓名',
      '身份证号',
      '就餐食堂',
      '补贴餐次',
      '补贴金额',
      '本人签字',
    ]);
    const rows = rowsOf(roster, 3);
    expect(rows.slice(0, -1).map((r) => r[2])).toEqual(['安娜', '李四', '王五', '张三', '赵六']);
    expect(rows.slice(0, -1).every((r) => r[7] === undefined || r[7] === '')).toBe(true);
    expect(Array.from(rows[rows.length - 1].slice(1, 7), (v) => v ?? '')).toEqual(['合计', '5 人', '', '', 10, 27.5]);
    expect(rows[0][3]).toMatch(/^371502\*{8}\d{3}[\dX]$/);
    expectBordered(roster, 2, roster.rowCount, 7);
  });

  it('marks a claim of a month not yet ended as a preview, on every page', async () => {
    const month = monthOf(todayLocal());
    const res = await t.http().post('/api/claims').set('Authorization', finance.token).send({ month });
    const preview = await waitForClaim(t, finance.token, res.body.id);
    expect(preview).toMatchObject({ status: 'DONE', monthEnded: false, monthLocked: false });
    const pwb = await readWorkbook((await downloadClaim(t, finance.token, preview.id)).body);
    const summary = pwb.getWorksheet('汇总')!;
    expect(String(summary.getCell('A1').value)).toMatch(/（预览）$/);
    expect(summary.getCell('A3').value).toBe('第1版 · 本月未锁定 · 月份未结束：仅供预览，不能提交');
    for (const ws of pwb.worksheets) expect(ws.headerFooter.oddHeader).toMatch(/&R第1版（预览）$/);
  });

  // To look at the printed pages: CLAIM_PRINT_OUT=/tmp/claim.xlsx writes a bigger month's workbook (several pages per
  // detail sheet) there, for LibreOffice (`soffice --headless --convert-to pdf`) and pdftoppm.
  const lookAt = process.env.CLAIM_PRINT_OUT ? it : it.skip;
  lookAt('writes a several-page workbook to look at', async () => {
    const names = '陈 李 王 张 刘 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗'.split(' ');
    const people: DinerFixture[] = [];
    for (const [i, n] of names.entries()) {
      people.push(
        await createDiner(t, { birthDate: i % 3 === 0 ? '1940-02-02' : '1950-02-02', subdistrictId, name: `${n}秀英` }),
      );
    }
    for (let day = 1; day <= 30; day++) {
      for (const [i, p] of people.entries()) {
        if ((i + day) % 3 === 0) continue;
        await meal(
          i % 2 ? north : south,
          p,
          `2025-04-${String(day).padStart(2, '0')}`,
          i % 3 === 0 ? '80_PLUS' : '70_79',
        );
      }
    }
    const res = await t.http().post('/api/claims').set('Authorization', finance.token).send({ month: '2025-04' });
    const big = await waitForClaim(t, finance.token, res.body.id);
    writeFileSync(process.env.CLAIM_PRINT_OUT!, (await downloadClaim(t, finance.token, big.id)).body);
  });
});
