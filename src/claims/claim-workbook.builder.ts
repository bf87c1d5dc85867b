import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import { createWriteStream, WriteStream } from 'node:fs';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { CANTEEN_TYPE_LABELS, CanteenType, MEAL_PERIOD_LABELS, VERIFICATION_LABELS } from '../common/enums';
import { fenToYuan, formatYuan } from '../common/money';
import { localDateTimeOf, monthBounds, monthLabel, monthOf, todayLocal } from '../common/local-date';
import { AppConfig } from '../config/app-config';
import type { PolicyTier } from '../subsidy/subsidy-calculator';
import {
  claimDataSha256,
  ClaimMeta,
  claimStatusLine,
  continuationName,
  describeTiers,
  dinersNote,
  displayWidth,
  fitWidth,
  pageHeaderFooter,
  POLICY_IN_WORDS,
  summaryTitle,
  uniqueSheetName,
} from './workbook-format';
import { rmbCapital } from './rmb-capital';
import { TierColumn, tierColumns, tierLabel } from './tier-columns';
import {
  canteenSums,
  claimFingerprintOn,
  dailyRows,
  detailRows,
  distinctDiners,
  policiesOfClaim,
  policyTiersInForce,
  rosterRows,
  ScopeParams,
  subdistrictNameOn,
  tierSums,
} from './claim.queries';

/** One tier's subsidised meals and money. Money in fen. */
export interface TierTotals {
  code: string;
  label: string;
  meals: number;
  subsidyFen: number;
}

/** One canteen's line of the summary. Money in fen. */
export interface CanteenTotals {
  canteenId: number;
  name: string;
  type: CanteenType;
  /** Every tier column of the claim, in column order; they add up to meals and subsidyFen. */
  tiers: TierTotals[];
  // The two tiers the service started with, kept for readers of older claims; `tiers` has every tier.
  meals7079: number;
  subsidy7079Fen: number;
  meals80Plus: number;
  subsidy80PlusFen: number;
  meals: number;
  subsidyFen: number;
  diners: number;
  voided: number;
}

/** What the claim row stores: the summary's numbers, in fen, equal to SQL sums over the month's meals. */
export interface ClaimTotals {
  meals: number;
  subsidyFen: number;
  /** Every tier column of the claim, in column order; they add up to meals and subsidyFen. */
  tiers: TierTotals[];
  // The two tiers the service started with, kept for readers of older claims; `tiers` has every tier.
  meals7079: number;
  subsidy7079Fen: number;
  meals80Plus: number;
  subsidy80PlusFen: number;
  diners: number;
  voided: number;
  canteens: CanteenTotals[];
}

export interface ClaimScope {
  subdistrictId: number;
  canteenId: number | null;
  month: string;
  /** The claim's version, printed on every sheet and page. */
  version: number;
}

/** A detail row of the print view: masked ID number only (first 6 and last 4). Money in fen. */
export interface PrintDetailRow {
  mealId: string;
  date: string;
  period: string;
  name: string;
  idNumberMasked: string;
  age: number;
  tier: string;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
  verification: string;
  cashier: string;
}

/** One canteen's detail sheet and its 合计 row. */
export interface PrintDetailSheet {
  canteenId: number;
  canteenName: string;
  rows: PrintDetailRow[];
  total: { meals: number; priceFen: number; subsidyFen: number; payableFen: number };
}

/** A row of the daily sheet: one day and canteen. */
export interface PrintDailyRow {
  date: string;
  canteenName: string;
  tiers: TierTotals[];
  meals: number;
  subsidyFen: number;
}

/** A row of the roster, by pinyin. */
export interface PrintRosterRow {
  name: string;
  idNumberMasked: string;
  canteens: string;
  meals: number;
  subsidyFen: number;
}

/** The claim's sheets as data, for the print view: the figures of the workbook, from the same queries. */
export interface ClaimPrintData {
  subdistrictName: string;
  month: string;
  monthLabel: string;
  version: number;
  monthLocked: boolean;
  monthEnded: boolean;
  statusLine: string;
  dataSha256: string;
  title: string;
  totals: ClaimTotals;
  subsidyCapital: string;
  dinersNote: string;
  policies: { from: string; text: string }[];
  policyInWords: string;
  details: PrintDetailSheet[];
  daily: PrintDailyRow[];
  roster: PrintRosterRow[];
}

/** Why printData answers no data: the data changed since the build, or too many rows. */
export type PrintRefused = { refused: 'CHANGED' } | { refused: 'TOO_LARGE'; rows: number };

/** What a build produces besides the file. */
export interface BuiltClaim {
  totals: ClaimTotals;
  /** SHA-256 of the data the workbook was built from (claimDataSha256), printed on the summary. */
  dataSha256: string;
}

export const MONEY_FORMAT = '¥#,##0.00';
// Rows handed to exceljs between two checks of the file stream's backlog.
const BATCH_ROWS = 500;

interface Column {
  header: string;
  width: number;
  money?: boolean;
  /** Long text wraps within the column instead of running into the next one. */
  wrap?: boolean;
}

// Every table cell has a thin border all round (SPEC §5: ready to print and file).
const BORDER: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  bottom: { style: 'thin' },
  left: { style: 'thin' },
  right: { style: 'thin' },
};

const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true },
  alignment: { horizontal: 'center', vertical: 'middle', wrapText: true },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFEFEF' } },
  border: BORDER,
};

const num = (v: unknown): number => Number(v ?? 0);

/**
 * Builds the claim workbook of SPEC §5 by streaming rows from PostgreSQL into exceljs' streaming writer.
 * Every query runs in one REPEATABLE READ snapshot, so the summary (computed first with GROUP BY) and the
 * streamed detail rows describe the same meals even while tills keep recording.
 */
@Injectable()
export class ClaimWorkbookBuilder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async build(scope: ClaimScope, path: string, onProgress: (percent: number) => void): Promise<BuiltClaim> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    const out = createWriteStream(path, { flags: 'wx' });
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // A big month is one long cursor: the pool's per-statement timeout does not apply to it.
      await client.query('SET LOCAL statement_timeout = 0');
      const built = await this.write(client, scope, out, onProgress);
      await client.query('COMMIT');
      return built;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      out.destroy();
      throw e;
    } finally {
      await runner.release();
    }
  }

  /**
   * The claim's sheets as data for the print view (issue 18): the same snapshot, the same queries and the same
   * figures as build(), in one REPEATABLE READ READ ONLY transaction. Refused when the data is not what the workbook
   * was built from (builtFrom, its data SHA-256), and past maxRows detail + roster rows (counted on the summary's
   * figures, before any row is read).
   */
  async printData(
    scope: ClaimScope,
    maxRows: number,
    builtFrom: string | null,
  ): Promise<ClaimPrintData | PrintRefused> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { firstDay, lastDay } = monthBounds(scope.month);
      const params: ScopeParams = [scope.subdistrictId, scope.canteenId, firstDay, lastDay];
      const subdistrictName = await subdistrictNameOn(client, scope.subdistrictId);
      const fingerprint = await claimFingerprintOn(client, params, scope.month);
      const monthEnded = scope.month < monthOf(todayLocal());
      const dataSha256 = claimDataSha256(scope, { ...fingerprint }, monthEnded);
      // Not the data the workbook was built from: its figures would not be the workbook's.
      if (builtFrom !== null && builtFrom !== dataSha256) {
        await client.query('COMMIT');
        return { refused: 'CHANGED' };
      }
      const totals = await this.totals(client, params, firstDay, lastDay);
      // Detail rows and roster rows (the daily sheet adds at most 31 per canteen).
      const rows = totals.meals + totals.diners;
      if (rows > maxRows) {
        await client.query('COMMIT');
        return { refused: 'TOO_LARGE', rows };
      }
      const policies = await policiesOfClaim(client, params);
      const tiers = totals.tiers.map(({ code, label }) => ({ code, label }));
      const details: PrintDetailSheet[] = [];
      for (const canteen of totals.canteens) {
        const sheet: PrintDetailSheet = {
          canteenId: canteen.canteenId,
          canteenName: canteen.name,
          rows: [],
          total: { meals: 0, priceFen: 0, subsidyFen: 0, payableFen: 0 },
        };
        for await (const r of detailRows(client, canteen.canteenId, firstDay, lastDay)) {
          sheet.rows.push({
            mealId: String(r.id),
            date: r.meal_date,
            period: MEAL_PERIOD_LABELS[r.meal_period] ?? r.meal_period,
            name: r.name,
            idNumberMasked: r.id_number_masked,
            age: num(r.age),
            tier: tierLabel(r.tier),
            priceFen: num(r.price_fen),
            subsidyFen: num(r.subsidy_fen),
            payableFen: num(r.payable_fen),
            verification: VERIFICATION_LABELS[r.verification] ?? r.verification,
            cashier: r.cashier,
          });
          sheet.total.meals++;
          sheet.total.priceFen += num(r.price_fen);
          sheet.total.subsidyFen += num(r.subsidy_fen);
          sheet.total.payableFen += num(r.payable_fen);
        }
        if (sheet.total.meals !== canteen.meals || sheet.total.subsidyFen !== canteen.subsidyFen) {
          throw new Error(`明细与汇总不符（${canteen.name}）`);
        }
        details.push(sheet);
      }
      const daily: PrintDailyRow[] = [];
      for await (const r of dailyRows(client, params)) {
        daily.push({
          date: r.meal_date,
          canteenName: r.name,
          tiers: tiers.map(({ code, label }) => ({
            code,
            label,
            meals: num(r.tiers[code]?.[0]),
            subsidyFen: num(r.tiers[code]?.[1]),
          })),
          meals: num(r.meals),
          subsidyFen: num(r.fen),
        });
      }
      const roster: PrintRosterRow[] = [];
      for await (const r of rosterRows(client, params)) {
        roster.push({
          name: r.name,
          idNumberMasked: r.id_number_masked,
          canteens: r.canteens,
          meals: num(r.meals),
          subsidyFen: num(r.fen),
        });
      }
      await client.query('COMMIT');
      return {
        subdistrictName,
        month: scope.month,
        monthLabel: monthLabel(scope.month),
        version: scope.version,
        monthLocked: fingerprint.locked,
        monthEnded,
        statusLine: claimStatusLine({ version: scope.version, monthLocked: fingerprint.locked, monthEnded }),
        dataSha256,
        title: summaryTitle(subdistrictName, scope.month) + (monthEnded ? '' : '（预览）'),
        totals,
        subsidyCapital: rmbCapital(totals.subsidyFen),
        dinersNote: dinersNote(
          totals.diners,
          totals.canteens.reduce((n, c) => n + c.diners, 0),
        ),
        policies: policies.map((p) => ({ from: p.from, text: describeTiers(p.tiers) })),
        policyInWords: POLICY_IN_WORDS,
        details,
        daily,
        roster,
      };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  }

  private async write(
    client: PoolClient,
    scope: ClaimScope,
    out: WriteStream,
    onProgress: (percent: number) => void,
  ): Promise<BuiltClaim> {
    const { firstDay, lastDay } = monthBounds(scope.month);
    const params: ScopeParams = [scope.subdistrictId, scope.canteenId, firstDay, lastDay];
    const sub = { name: await subdistrictNameOn(client, scope.subdistrictId) };
    const fingerprint = await claimFingerprintOn(client, params, scope.month);
    const monthEnded = scope.month < monthOf(todayLocal());
    const meta: SheetMeta = {
      subdistrictName: sub.name,
      month: scope.month,
      version: scope.version,
      monthLocked: fingerprint.locked,
      monthEnded,
      generatedAt: localDateTimeOf(new Date()),
      dataSha256: claimDataSha256(scope, { ...fingerprint }, monthEnded),
    };
    const totals = await this.totals(client, params, firstDay, lastDay);
    const policies = await policiesOfClaim(client, params);
    const tiers = totals.tiers.map(({ code, label }) => ({ code, label }));

    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    wb.creator = '幸福食堂补贴结算系统';
    wb.created = new Date();
    const taken = new Set<string>();
    const work = totals.meals + totals.diners + 1;
    let done = 0;
    const progress = (rows: number): void => {
      done += rows;
      onProgress(Math.min(95, Math.floor((done / work) * 95)));
    };

    this.writeSummary(wb, uniqueSheetName('汇总', taken), meta, scope, totals, tiers, policies);

    for (const canteen of totals.canteens) {
      const sheets = new SheetSeries(wb, taken, `明细-${canteen.name}`, this.config.CLAIM_SHEET_MAX_ROWS, meta, {
        title: `${canteen.name} 老年人就餐补贴明细（${monthLabel(scope.month)}）`,
        columns: DETAIL_COLUMNS,
      });
      let n = 0;
      let priceFen = 0;
      let subsidyFen = 0;
      let payableFen = 0;
      // SPEC §5: subsidised, non-voided meals of the month, in date order.
      for await (const r of detailRows(client, canteen.canteenId, firstDay, lastDay)) {
        n++;
        priceFen += num(r.price_fen);
        subsidyFen += num(r.subsidy_fen);
        payableFen += num(r.payable_fen);
        sheets.add([
          n,
          r.meal_date,
          MEAL_PERIOD_LABELS[r.meal_period] ?? r.meal_period,
          r.name,
          r.id_number_masked,
          r.age,
          tierLabel(r.tier),
          fenToYuan(num(r.price_fen)),
          fenToYuan(num(r.subsidy_fen)),
          fenToYuan(num(r.payable_fen)),
          VERIFICATION_LABELS[r.verification] ?? r.verification,
          r.cashier,
          String(r.id),
        ]);
        if (n % BATCH_ROWS === 0) {
          progress(BATCH_ROWS);
          await breathe(out, sheets.current);
        }
      }
      progress(n % BATCH_ROWS);
      if (n !== canteen.meals) throw new Error(`明细行数 ${n} 与汇总人次 ${canteen.meals} 不符（${canteen.name}）`);
      if (subsidyFen !== canteen.subsidyFen) {
        throw new Error(`明细补贴 ${subsidyFen} 分与汇总 ${canteen.subsidyFen} 分不符（${canteen.name}）`);
      }
      sheets.add(
        [
          '合计',
          '',
          '',
          `${n} 人次`,
          '',
          '',
          '',
          fenToYuan(priceFen),
          fenToYuan(subsidyFen),
          fenToYuan(payableFen),
          '',
          '',
          '',
        ],
        true,
      );
      sheets.finish();
      await breathe(out, null);
    }

    await this.writeDaily(client, wb, taken, meta, scope, params, totals, tiers, out);
    await this.writeRoster(client, wb, taken, meta, scope, params, totals, out, progress);
    await wb.commit();
    return { totals, dataSha256: meta.dataSha256 };
  }

  /**
   * The summary's numbers, by SQL over the month's meals (cheap GROUP BYs), before any row is streamed. The tier
   * columns are every tier of these meals and of the policy versions in force during the month.
   */
  async totals(client: PoolClient, params: ScopeParams, firstDay: string, lastDay: string): Promise<ClaimTotals> {
    const rows = await canteenSums(client, params);
    const byTier = await tierSums(client, params);
    const versions = await policyTiersInForce(client, firstDay, lastDay);
    const columns = tierColumns(
      byTier.map((r) => String(r.tier)),
      versions,
    );
    const tiersOf = (canteenId: number | null): TierTotals[] =>
      columns.map(({ code, label }) => {
        const mine = byTier.filter((r) => r.tier === code && (canteenId === null || num(r.canteen_id) === canteenId));
        return {
          code,
          label,
          meals: mine.reduce((n, r) => n + num(r.meals), 0),
          subsidyFen: mine.reduce((n, r) => n + num(r.fen), 0),
        };
      });
    const canteens: CanteenTotals[] = rows.map((r) => {
      const tiers = tiersOf(num(r.id));
      return {
        canteenId: num(r.id),
        name: String(r.name),
        type: r.type,
        tiers,
        ...legacyTiers(tiers),
        meals: num(r.meals),
        subsidyFen: num(r.fen),
        diners: num(r.diners),
        voided: num(r.voided),
      };
    });
    // A diner who ate at two canteens counts once in the total.
    const diners = await distinctDiners(client, params);
    const sum = (k: 'meals' | 'subsidyFen' | 'voided'): number => canteens.reduce((s, c) => s + c[k], 0);
    const tiers = tiersOf(null);
    // Every subsidised meal is in exactly one tier column (columns hold every tier of the meals).
    const tierSum = tiers.reduce((t, x) => ({ meals: t.meals + x.meals, fen: t.fen + x.subsidyFen }), {
      meals: 0,
      fen: 0,
    });
    if (tierSum.meals !== sum('meals') || tierSum.fen !== sum('subsidyFen')) {
      throw new Error(
        `档次合计 ${tierSum.meals} 人次 ${tierSum.fen} 分 与补贴合计 ${sum('meals')} 人次 ${sum('subsidyFen')} 分不符`,
      );
    }
    return {
      meals: sum('meals'),
      subsidyFen: sum('subsidyFen'),
      tiers,
      ...legacyTiers(tiers),
      diners,
      voided: sum('voided'),
      canteens,
    };
  }

  private writeSummary(
    wb: ExcelJS.stream.xlsx.WorkbookWriter,
    name: string,
    meta: SheetMeta,
    scope: ClaimScope,
    totals: ClaimTotals,
    tiers: Pick<TierColumn, 'code' | 'label'>[],
    policies: { from: string; tiers: PolicyTier[] }[],
  ): void {
    const nameWidth = fitWidth(
      totals.canteens.map((c) => c.name),
      16,
      40,
    );
    const columns = summaryColumns(tiers, nameWidth);
    const title = summaryTitle(meta.subdistrictName, scope.month) + (meta.monthEnded ? '' : '（预览）');
    const ws = wb.addWorksheet(name, sheetOptions(SUMMARY_HEADER_ROW, meta, title));
    ws.columns = columns.map((c) => columnOf(c, false));
    const last = columns.length;
    const line = (text: string, style: Partial<ExcelJS.Style> = {}): ExcelJS.Row => {
      const row = ws.addRow([text]);
      row.getCell(1).style = { alignment: { vertical: 'middle', wrapText: true }, ...style };
      ws.mergeCells(row.number, 1, row.number, last);
      return row;
    };
    const head = line(title, {
      font: { bold: true, size: 16 },
      alignment: { horizontal: 'center', vertical: 'middle' },
    });
    head.height = 30;
    const scopeText = scope.canteenId === null ? '全部食堂' : (totals.canteens[0]?.name ?? '');
    line(
      `申报单位：${meta.subdistrictName}\u3000\u3000申报月份：${monthLabel(scope.month)}\u3000\u3000申报范围：${scopeText}`,
    );
    line(claimStatusLine(meta), {
      font: { bold: !meta.monthEnded, color: meta.monthEnded ? undefined : { argb: 'FFC00000' } },
    });
    headerRow(ws, columns);
    const bordered = (values: unknown[], bold = false): void => {
      const row = ws.addRow(values);
      for (let c = 1; c <= last; c++) {
        const cell = row.getCell(c);
        cell.border = BORDER;
        if (bold) cell.font = { bold: true };
        if (c === 2) cell.alignment = { wrapText: true, vertical: 'middle' };
      }
    };
    totals.canteens.forEach((c, i) => {
      bordered([
        i + 1,
        c.name,
        CANTEEN_TYPE_LABELS[c.type] ?? c.type,
        ...tierCells(c.tiers),
        fenToYuan(c.subsidyFen),
        c.diners,
        c.voided,
      ]);
    });
    bordered(
      ['合计', '', '', ...tierCells(totals.tiers), fenToYuan(totals.subsidyFen), totals.diners, totals.voided],
      true,
    );
    // The total in capital numerals, in a bordered line of its own (SPEC §5).
    const capital = ws.addRow([
      '补贴合计（人民币大写）',
      '',
      '',
      `${rmbCapital(totals.subsidyFen)}\u3000\u3000（¥${formatYuan(totals.subsidyFen).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}）`,
    ]);
    ws.mergeCells(capital.number, 1, capital.number, 3);
    ws.mergeCells(capital.number, 4, capital.number, last);
    for (let c = 1; c <= last; c++) capital.getCell(c).border = BORDER;
    capital.getCell(1).font = { bold: true };
    capital.getCell(4).font = { bold: true };
    capital.getCell(4).numFmt = '@';
    capital.height = 24;
    line(
      `说明：${dinersNote(
        totals.diners,
        totals.canteens.reduce((n, c) => n + c.diners, 0),
      )}`,
    );
    for (const p of policies) line(`补贴标准（自${p.from}起执行）：${describeTiers(p.tiers)}。`);
    line(POLICY_IN_WORDS);
    line(`生成时间：${meta.generatedAt}（北京时间）\u3000\u3000版本：第${meta.version}版`);
    line(`数据校验码（SHA-256）：${meta.dataSha256}`, { font: { size: 9 } });
    ws.addRow([]);
    // The seal box on the left, signature lines on the right.
    const boxFirst = ws.lastRow!.number + 1;
    const sigCol = Math.min(5, last - 1);
    const signatures = [
      '经办人：＿＿＿＿＿＿＿＿',
      '审核人：＿＿＿＿＿＿＿＿',
      '负责人：＿＿＿＿＿＿＿＿',
      '日\u3000期：＿＿＿＿年＿＿月＿＿日',
    ];
    for (let i = 0; i < 5; i++) {
      const row = ws.addRow([]);
      row.height = 30;
      if (i === 0) row.getCell(1).value = '申报单位（盖章）';
      const sig = signatures[i];
      if (sig) row.getCell(sigCol + 1).value = sig;
    }
    ws.mergeCells(boxFirst, 1, boxFirst + 4, Math.min(3, sigCol));
    const box = ws.getCell(boxFirst, 1);
    box.alignment = { horizontal: 'left', vertical: 'top' };
    box.font = { bold: true };
    for (let r = boxFirst; r <= boxFirst + 4; r++) {
      for (let c = 1; c <= Math.min(3, sigCol); c++) ws.getCell(r, c).border = BORDER;
    }
    ws.commit();
  }

  private async writeDaily(
    client: PoolClient,
    wb: ExcelJS.stream.xlsx.WorkbookWriter,
    taken: Set<string>,
    meta: SheetMeta,
    scope: ClaimScope,
    params: ScopeParams,
    totals: ClaimTotals,
    tiers: Pick<TierColumn, 'code' | 'label'>[],
    out: WriteStream,
  ): Promise<void> {
    const sheets = new SheetSeries(wb, taken, '日汇总', this.config.CLAIM_SHEET_MAX_ROWS, meta, {
      title: `每日补贴汇总（${monthLabel(scope.month)}）`,
      columns: dailyColumns(
        tiers,
        fitWidth(
          totals.canteens.map((c) => c.name),
          16,
          40,
        ),
      ),
    });
    // One row per day and canteen, its tiers folded into one JSON object: still a stream, whatever the tiers.
    let n = 0;
    for await (const r of dailyRows(client, params)) {
      const byTier = r.tiers;
      sheets.add([
        r.meal_date,
        r.name,
        ...tierCells(
          tiers.map(({ code, label }) => ({
            code,
            label,
            meals: num(byTier[code]?.[0]),
            subsidyFen: num(byTier[code]?.[1]),
          })),
        ),
        num(r.meals),
        fenToYuan(num(r.fen)),
      ]);
      if (++n % BATCH_ROWS === 0) await breathe(out, sheets.current);
    }
    sheets.add(['合计', '', ...tierCells(totals.tiers), totals.meals, fenToYuan(totals.subsidyFen)], true);
    sheets.finish();
  }

  private async writeRoster(
    client: PoolClient,
    wb: ExcelJS.stream.xlsx.WorkbookWriter,
    taken: Set<string>,
    meta: SheetMeta,
    scope: ClaimScope,
    params: ScopeParams,
    totals: ClaimTotals,
    out: WriteStream,
    progress: (rows: number) => void,
  ): Promise<void> {
    const sheets = new SheetSeries(wb, taken, '花名册', this.config.CLAIM_SHEET_MAX_ROWS, meta, {
      title: `享受补贴老人花名册（${monthLabel(scope.month)}）`,
      columns: ROSTER_COLUMNS,
      rowHeight: 26,
    });
    let n = 0;
    for await (const r of rosterRows(client, params)) {
      n++;
      sheets.add([n, r.name, r.id_number_masked, r.canteens, num(r.meals), fenToYuan(num(r.fen)), '']);
      if (n % BATCH_ROWS === 0) {
        progress(BATCH_ROWS);
        await breathe(out, sheets.current);
      }
    }
    progress(n % BATCH_ROWS);
    sheets.add(['合计', `${n} 人`, '', '', totals.meals, fenToYuan(totals.subsidyFen), ''], true);
    sheets.finish();
  }
}

// A pair of columns per tier of the claim (TierColumn), between the fixed ones.
// Headers wrap onto two lines; each column is at least as wide as half its header and its widest figure.
const tierHeaders = (tiers: Pick<TierColumn, 'label'>[]): Column[] =>
  tiers.flatMap((t) => [
    { header: `${t.label}人次`, width: Math.max(10, Math.ceil(displayWidth(`${t.label}人次`) / 2) + 3) },
    {
      header: `${t.label}补贴金额`,
      width: Math.max(15, Math.ceil(displayWidth(`${t.label}补贴金额`) / 2) + 3),
      money: true,
    },
  ]);

const tierCells = (tiers: TierTotals[]): unknown[] => tiers.flatMap((t) => [t.meals, fenToYuan(t.subsidyFen)]);

// The fields of the two original tiers, from the tier list.
function legacyTiers(
  tiers: TierTotals[],
): Pick<CanteenTotals, 'meals7079' | 'subsidy7079Fen' | 'meals80Plus' | 'subsidy80PlusFen'> {
  const of = (code: string): TierTotals | undefined => tiers.find((t) => t.code === code);
  return {
    meals7079: of('70_79')?.meals ?? 0,
    subsidy7079Fen: of('70_79')?.subsidyFen ?? 0,
    meals80Plus: of('80_PLUS')?.meals ?? 0,
    subsidy80PlusFen: of('80_PLUS')?.subsidyFen ?? 0,
  };
}

const summaryColumns = (tiers: Pick<TierColumn, 'label'>[], nameWidth: number): Column[] => [
  { header: '序号', width: 6 },
  { header: '食堂名称', width: nameWidth, wrap: true },
  { header: '类型', width: 14 },
  ...tierHeaders(tiers),
  { header: '补贴合计', width: 16, money: true },
  { header: '就餐老人数', width: 12 },
  { header: '作废笔数', width: 10 },
];

const DETAIL_COLUMNS: Column[] = [
  { header: '序号', width: 8 },
  { header: '日期', width: 12 },
  { header: '餐次', width: 6 },
  { header: '姓名', width: 12, wrap: true },
  { header: '身份证号', width: 21 },
  { header: '年龄', width: 6 },
  { header: '补贴档次', width: 11 },
  { header: '餐价', width: 11, money: true },
  { header: '补贴金额', width: 11, money: true },
  { header: '个人支付', width: 11, money: true },
  { header: '核验方式', width: 11 },
  { header: '收银员', width: 16, wrap: true },
  { header: '流水号', width: 12 },
];

const dailyColumns = (tiers: Pick<TierColumn, 'label'>[], nameWidth: number): Column[] => [
  { header: '日期', width: 12 },
  { header: '食堂名称', width: nameWidth, wrap: true },
  ...tierHeaders(tiers),
  { header: '补贴人次合计', width: 12 },
  { header: '补贴金额合计', width: 16, money: true },
];

// SPEC §5: the roster is what each diner signs for the month: an empty 本人签字 column, tall enough to sign in.
const ROSTER_COLUMNS: Column[] = [
  { header: '序号', width: 8 },
  { header: '姓名', width: 12, wrap: true },
  { header: '身份证号', width: 21 },
  { header: '就餐食堂', width: 34, wrap: true },
  { header: '补贴餐次', width: 10 },
  { header: '补贴金额', width: 13, money: true },
  { header: '本人签字', width: 16 },
];

// Data cells take their column's style: borders everywhere (bordered tables), money formatted, long text wrapped.
const columnOf = (c: Column, border = true): Partial<ExcelJS.Column> => ({
  width: c.width,
  style: {
    ...(c.money ? { numFmt: MONEY_FORMAT } : {}),
    ...(border ? { border: BORDER } : {}),
    alignment: c.wrap ? { wrapText: true, vertical: 'middle' } : { vertical: 'middle' },
  },
});

/** What every sheet's page header and footer say of the claim. */
interface SheetMeta extends ClaimMeta {
  generatedAt: string;
  dataSha256: string;
}

const SUMMARY_HEADER_ROW = 4;

// Header rows frozen, A4 landscape, fit to the page width, the header repeated on every printed page, and a page
// header and footer naming the claim and numbering the pages (loose pages can be put back in order).
function sheetOptions(headerRows: number, meta: SheetMeta, title: string): Partial<ExcelJS.AddWorksheetOptions> {
  return {
    views: [{ state: 'frozen', ySplit: headerRows, xSplit: 0 }],
    headerFooter: pageHeaderFooter(meta, title, meta.generatedAt),
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${headerRows}:${headerRows}`,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
  };
}

function headerRow(ws: ExcelJS.Worksheet, columns: Column[]): void {
  const row = ws.addRow(columns.map((c) => c.header));
  row.eachCell((cell) => {
    cell.style = HEADER_STYLE;
  });
  row.height = 34;
  row.commit();
}

/**
 * Sheets of one kind: a title row and a header row, then data rows; past Excel's row limit the rows
 * continue on a further sheet (明细-X（续2）…) with the same header.
 */
class SheetSeries {
  private ws: ExcelJS.Worksheet | null = null;
  private rows = 0;
  private part = 0;
  // One style object per column, given to every cell of it: exceljs renders a style once per object (a WeakMap),
  // and the copy each new cell gets from its column would otherwise be rendered again for every cell.
  private readonly styles: Partial<ExcelJS.Style>[];
  private readonly boldStyles: Partial<ExcelJS.Style>[];

  constructor(
    private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter,
    private readonly taken: Set<string>,
    private readonly base: string,
    private readonly maxRows: number,
    private readonly meta: SheetMeta,
    private readonly layout: { title: string; columns: Column[]; rowHeight?: number },
  ) {
    this.styles = layout.columns.map((c) => columnOf(c).style as Partial<ExcelJS.Style>);
    this.boldStyles = this.styles.map((style) => ({ ...style, font: { bold: true } }));
  }

  /** The sheet rows go to now. */
  get current(): ExcelJS.Worksheet | null {
    return this.ws;
  }

  add(values: unknown[], bold = false): void {
    if (!this.ws || this.rows >= this.maxRows) this.open();
    const row = this.ws!.addRow(values);
    // Every column's cell, empty ones too, so that the table is bordered throughout.
    const styles = bold ? this.boldStyles : this.styles;
    for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i];
    if (this.layout.rowHeight) row.height = this.layout.rowHeight;
    row.commit();
    this.rows++;
  }

  finish(): void {
    if (!this.ws) this.open();
    this.ws!.commit();
  }

  private open(): void {
    this.ws?.commit();
    this.part++;
    const text = this.part === 1 ? this.layout.title : `${this.layout.title}（续${this.part}）`;
    const ws = this.wb.addWorksheet(
      uniqueSheetName(continuationName(this.base, this.part), this.taken),
      sheetOptions(2, this.meta, text),
    );
    ws.columns = this.layout.columns.map((c) => columnOf(c));
    const title = ws.addRow([`${text}\u3000${claimStatusLine(this.meta)}`]);
    // The title stands above the table: no borders.
    title.getCell(1).style = { font: { bold: true, size: 14 }, alignment: { vertical: 'middle' } };
    title.height = 24;
    ws.mergeCells(1, 1, 1, this.layout.columns.length);
    title.commit();
    headerRow(ws, this.layout.columns);
    this.ws = ws;
    this.rows = 2;
  }
}

// How many bytes a sheet may have waiting for the zip's deflate before the producer pauses.
const MAX_BACKLOG_BYTES = 1 << 20;

interface NodeStreamState {
  _writableState?: { length: number };
  _readableState?: { length: number };
}

// exceljs' sheet stream (StreamBuf) writes into archiver's entry stream and ignores write()'s return value, so
// without this the rows pile up in memory whenever deflate and the disk are slower than PostgreSQL.
function backlog(ws: ExcelJS.Worksheet | null): number {
  const pipes = (ws as unknown as { stream?: { pipes?: NodeStreamState[] } } | null)?.stream?.pipes ?? [];
  return pipes.reduce((n, p) => n + (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0), 0);
}

/** Waits until the zip and the file have caught up with the rows handed to exceljs (backpressure). */
async function breathe(out: WriteStream, ws: ExcelJS.Worksheet | null): Promise<void> {
  while (backlog(ws) > MAX_BACKLOG_BYTES) await sleep(2);
  if (out.writableNeedDrain) await once(out, 'drain');
  await nextTurn();
}
