import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import { createWriteStream, WriteStream } from 'node:fs';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { CANTEEN_TYPE_LABELS, CanteenType, MEAL_PERIOD_LABELS, VERIFICATION_LABELS } from '../common/enums';
import { fenToYuan } from '../common/money';
import { localDateTimeOf, monthBounds, monthLabel } from '../common/local-date';
import { AppConfig } from '../config/app-config';
import type { PolicyTier } from '../subsidy/subsidy-calculator';
import { continuationName, describeTiers, summaryTitle, uniqueSheetName } from './workbook-format';
import { TierColumn, tierColumns, tierLabel } from './tier-columns';
import {
  canteenSums,
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
}

export const MONEY_FORMAT = '¥#,##0.00';
// Rows handed to exceljs between two checks of the file stream's backlog.
const BATCH_ROWS = 500;

interface Column {
  header: string;
  width: number;
  money?: boolean;
}

const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true },
  alignment: { horizontal: 'center', vertical: 'middle', wrapText: true },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFEFEF' } },
  border: {
    top: { style: 'thin' },
    bottom: { style: 'thin' },
    left: { style: 'thin' },
    right: { style: 'thin' },
  },
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

  async build(scope: ClaimScope, path: string, onProgress: (percent: number) => void): Promise<ClaimTotals> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    const out = createWriteStream(path, { flags: 'wx' });
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // A big month is one long cursor: the pool's per-statement timeout does not apply to it.
      await client.query('SET LOCAL statement_timeout = 0');
      const totals = await this.write(client, scope, out, onProgress);
      await client.query('COMMIT');
      return totals;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      out.destroy();
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
  ): Promise<ClaimTotals> {
    const { firstDay, lastDay } = monthBounds(scope.month);
    const params: ScopeParams = [scope.subdistrictId, scope.canteenId, firstDay, lastDay];
    const sub = { name: await subdistrictNameOn(client, scope.subdistrictId) };
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

    this.writeSummary(wb, uniqueSheetName('汇总', taken), sub.name, scope, totals, tiers, policies);

    for (const canteen of totals.canteens) {
      const sheets = new SheetSeries(wb, taken, `明细-${canteen.name}`, this.config.CLAIM_SHEET_MAX_ROWS, {
        title: `${canteen.name} 老年人就餐补贴明细（${monthLabel(scope.month)}）`,
        columns: DETAIL_COLUMNS,
      });
      let n = 0;
      // SPEC §5: subsidised, non-voided meals of the month, in date order.
      for await (const r of detailRows(client, canteen.canteenId, firstDay, lastDay)) {
        n++;
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
      sheets.finish();
      await breathe(out, null);
    }

    await this.writeDaily(client, wb, taken, scope, params, totals, tiers, out);
    await this.writeRoster(client, wb, taken, scope, params, out, progress);
    await wb.commit();
    return totals;
  }

  /**
   * The summary's numbers, by SQL over the month's meals (cheap GROUP BYs), before any row is streamed. The tier
   * columns are every tier of these meals and of the policy versions in force during the month.
   */
  private async totals(
    client: PoolClient,
    params: ScopeParams,
    firstDay: string,
    lastDay: string,
  ): Promise<ClaimTotals> {
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
    subdistrictName: string,
    scope: ClaimScope,
    totals: ClaimTotals,
    tiers: Pick<TierColumn, 'code' | 'label'>[],
    policies: { from: string; tiers: PolicyTier[] }[],
  ): void {
    const columns = summaryColumns(tiers);
    const ws = wb.addWorksheet(name, sheetOptions(3));
    ws.columns = columns.map(columnOf);
    const last = columns.length;
    const title = ws.addRow([summaryTitle(subdistrictName, scope.month)]);
    title.font = { bold: true, size: 16 };
    title.alignment = { horizontal: 'center' };
    title.height = 30;
    ws.mergeCells(1, 1, 1, last);
    const scopeText = scope.canteenId === null ? '全部食堂' : (totals.canteens[0]?.name ?? '');
    ws.addRow([
      `申报单位：${subdistrictName}\u3000\u3000申报月份：${monthLabel(scope.month)}\u3000\u3000申报范围：${scopeText}`,
    ]);
    ws.mergeCells(2, 1, 2, last);
    headerRow(ws, columns);
    totals.canteens.forEach((c, i) => {
      ws.addRow([
        i + 1,
        c.name,
        CANTEEN_TYPE_LABELS[c.type] ?? c.type,
        ...tierCells(c.tiers),
        fenToYuan(c.subsidyFen),
        c.diners,
        c.voided,
      ]).commit();
    });
    const sum = ws.addRow([
      '合计',
      '',
      '',
      ...tierCells(totals.tiers),
      fenToYuan(totals.subsidyFen),
      totals.diners,
      totals.voided,
    ]);
    sum.font = { bold: true };
    sum.commit();
    ws.addRow([]).commit();
    for (const p of policies) {
      ws.addRow([`补贴标准（自${p.from}起执行）：${describeTiers(p.tiers)}`]).commit();
    }
    ws.addRow(['补贴金额＝min(档次标准, 餐价)；作废的就餐记录不计入补贴，只计入作废笔数。']).commit();
    ws.addRow([`生成时间：${localDateTimeOf(new Date())}（北京时间）`]).commit();
    ws.addRow([]).commit();
    ws.addRow(['经办人：', '', '', '审核人：', '', '', '负责人：', '', '日期：']).commit();
    ws.commit();
  }

  private async writeDaily(
    client: PoolClient,
    wb: ExcelJS.stream.xlsx.WorkbookWriter,
    taken: Set<string>,
    scope: ClaimScope,
    params: ScopeParams,
    totals: ClaimTotals,
    tiers: Pick<TierColumn, 'code' | 'label'>[],
    out: WriteStream,
  ): Promise<void> {
    const sheets = new SheetSeries(wb, taken, '日汇总', this.config.CLAIM_SHEET_MAX_ROWS, {
      title: `每日补贴汇总（${monthLabel(scope.month)}）`,
      columns: dailyColumns(tiers),
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
    scope: ClaimScope,
    params: ScopeParams,
    out: WriteStream,
    progress: (rows: number) => void,
  ): Promise<void> {
    const sheets = new SheetSeries(wb, taken, '花名册', this.config.CLAIM_SHEET_MAX_ROWS, {
      title: `享受补贴老人花名册（${monthLabel(scope.month)}）`,
      columns: ROSTER_COLUMNS,
    });
    let n = 0;
    for await (const r of rosterRows(client, params)) {
      n++;
      sheets.add([n, r.name, r.id_number_masked, r.canteens, num(r.meals), fenToYuan(num(r.fen))]);
      if (n % BATCH_ROWS === 0) {
        progress(BATCH_ROWS);
        await breathe(out, sheets.current);
      }
    }
    progress(n % BATCH_ROWS);
    sheets.finish();
  }
}

// A pair of columns per tier of the claim (TierColumn), between the fixed ones.
const tierHeaders = (tiers: Pick<TierColumn, 'label'>[]): Column[] =>
  tiers.flatMap((t) => [
    { header: `${t.label}人次`, width: 12 },
    { header: `${t.label}补贴金额`, width: 16, money: true },
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

const summaryColumns = (tiers: Pick<TierColumn, 'label'>[]): Column[] => [
  { header: '序号', width: 6 },
  { header: '食堂名称', width: 28 },
  { header: '类型', width: 12 },
  ...tierHeaders(tiers),
  { header: '补贴合计', width: 16, money: true },
  { header: '就餐老人数', width: 12 },
  { header: '作废笔数', width: 10 },
];

const DETAIL_COLUMNS: Column[] = [
  { header: '序号', width: 8 },
  { header: '日期', width: 12 },
  { header: '餐次', width: 6 },
  { header: '姓名', width: 10 },
  { header: '身份证号', width: 21 },
  { header: '年龄', width: 6 },
  { header: '补贴档次', width: 10 },
  { header: '餐价', width: 10, money: true },
  { header: '补贴金额', width: 10, money: true },
  { header: '个人支付', width: 10, money: true },
  { header: '核验方式', width: 11 },
  { header: '收银员', width: 12 },
  { header: '流水号', width: 12 },
];

const dailyColumns = (tiers: Pick<TierColumn, 'label'>[]): Column[] => [
  { header: '日期', width: 12 },
  { header: '食堂名称', width: 28 },
  ...tierHeaders(tiers),
  { header: '补贴人次合计', width: 12 },
  { header: '补贴金额合计', width: 16, money: true },
];

const ROSTER_COLUMNS: Column[] = [
  { header: '序号', width: 8 },
  { header: '姓名', width: 12 },
  { header: '身份证号', width: 21 },
  { header: '就餐食堂', width: 40 },
  { header: '补贴餐次', width: 10 },
  { header: '补贴金额', width: 12, money: true },
];

const columnOf = (c: Column): Partial<ExcelJS.Column> => ({
  width: c.width,
  style: c.money ? { numFmt: MONEY_FORMAT } : {},
});

// Header rows frozen, A4 landscape, fit to the page width, the header repeated on every printed page.
function sheetOptions(headerRows: number): Partial<ExcelJS.AddWorksheetOptions> {
  return {
    views: [{ state: 'frozen', ySplit: headerRows, xSplit: 0 }],
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
  row.height = 22;
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

  constructor(
    private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter,
    private readonly taken: Set<string>,
    private readonly base: string,
    private readonly maxRows: number,
    private readonly layout: { title: string; columns: Column[] },
  ) {}

  /** The sheet rows go to now. */
  get current(): ExcelJS.Worksheet | null {
    return this.ws;
  }

  add(values: unknown[], bold = false): void {
    if (!this.ws || this.rows >= this.maxRows) this.open();
    const row = this.ws!.addRow(values);
    if (bold) row.font = { bold: true };
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
    const ws = this.wb.addWorksheet(
      uniqueSheetName(continuationName(this.base, this.part), this.taken),
      sheetOptions(2),
    );
    ws.columns = this.layout.columns.map(columnOf);
    const title = ws.addRow([this.part === 1 ? this.layout.title : `${this.layout.title}（续${this.part}）`]);
    title.font = { bold: true, size: 14 };
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
