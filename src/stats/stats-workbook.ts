// The .xlsx of the statistics tables: the same figures as the JSON answers, one sheet per table, in Chinese, money
// as yuan numbers formatted ¥#,##0.00 (exact: fen / 100 of an integer), frozen header row, borders.
import ExcelJS from 'exceljs';
import { MEAL_PERIOD_LABELS } from '../common/enums';
import { tierLabel } from '../claims/tier-columns';
import type { DailyStatsDto, SummaryStatsDto } from './stats.dto';
import type { SummaryTable } from './stats.dto';

const MONEY = '¥#,##0.00';
const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

interface Column {
  header: string;
  width: number;
  money?: boolean;
}

function addTable(wb: ExcelJS.Workbook, name: string, title: string, columns: Column[], rows: unknown[][]): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.addRow([title]).font = { bold: true, size: 13 };
  const header = ws.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  columns.forEach((c, i) => {
    ws.getColumn(i + 1).width = c.width;
    if (c.money) ws.getColumn(i + 1).numFmt = MONEY;
  });
  for (const r of rows) ws.addRow(r);
  const thin = { style: 'thin' } as const;
  for (let n = 2; n <= ws.rowCount; n++) {
    ws.getRow(n).eachCell({ includeEmpty: true }, (cell) => {
      cell.border = { top: thin, left: thin, bottom: thin, right: thin };
    });
  }
}

const yuan = (fen: number): number => fen / 100;
const scopeTitle = (scope: string, what: string): string => `${scope}${what}`;

/** The daily table (GET /api/stats/daily as a sheet): one row per day, tier columns, a 合计 row. */
export async function dailyWorkbook(stats: DailyStatsDto, scope: string): Promise<Buffer> {
  const tiers = Object.keys(stats.totals.byTier).sort();
  const wb = new ExcelJS.Workbook();
  addTable(
    wb,
    '日统计',
    scopeTitle(scope, `就餐统计（${stats.from} 至 ${stats.to}）`),
    [
      { header: '日期', width: 12 },
      { header: '人次', width: 10 },
      { header: '补贴人次', width: 10 },
      { header: '补贴金额', width: 14, money: true },
      { header: '就餐老人数', width: 12 },
      ...tiers.map((t) => ({ header: `${tierLabel(t)}人次`, width: 14 })),
    ],
    [
      ...stats.days.map((d) => [
        d.date,
        d.meals,
        d.subsidisedMeals,
        yuan(d.subsidyFen),
        d.distinctDiners,
        ...tiers.map((t) => d.byTier[t] ?? 0),
      ]),
      [
        '合计',
        stats.totals.meals,
        stats.totals.subsidisedMeals,
        yuan(stats.totals.subsidyFen),
        stats.totals.distinctDiners,
        ...tiers.map((t) => stats.totals.byTier[t] ?? 0),
      ],
    ],
  );
  const ws = wb.getWorksheet('日统计')!;
  ws.addRow([]);
  ws.addRow(['注：合计行的就餐老人数为区间内去重人数（一位老人只计一次），不是各日之和；作废的就餐记录不计入。']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const KPI_LABELS = [
  ['meals', '本月人次', false],
  ['subsidisedMeals', '补贴人次', false],
  ['subsidyFen', '补贴金额', true],
  ['distinctDiners', '就餐老人数', false],
] as const;

/** The summary's tables, each a sheet (or only `table`). */
export async function summaryWorkbook(stats: SummaryStatsDto, scope: string, table?: SummaryTable): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const want = (t: SummaryTable): boolean => table === undefined || table === t;
  const figureColumns: Column[] = [
    { header: '人次', width: 10 },
    { header: '补贴人次', width: 10 },
    { header: '补贴金额', width: 14, money: true },
    { header: '就餐老人数', width: 12 },
  ];
  const figures = (f: { meals: number; subsidisedMeals: number; subsidyFen: number; distinctDiners: number }) => [
    f.meals,
    f.subsidisedMeals,
    yuan(f.subsidyFen),
    f.distinctDiners,
  ];
  const title = (what: string): string => scopeTitle(scope, `${what}（${stats.month}）`);
  if (want('kpis')) {
    // A month under way: also the same days of the previous month, and the change against them.
    const range = stats.toDateRange;
    addTable(
      wb,
      '概览',
      title('概览'),
      [
        { header: '指标', width: 14 },
        { header: '本月', width: 14 },
        { header: `上月（${stats.previousMonth}）`, width: 16 },
        { header: '变化', width: 14 },
        { header: '变化比例', width: 12 },
        ...(range
          ? [
              { header: `上月同期（${range.from}至${range.to}）`, width: 30 },
              { header: '较同期变化', width: 14 },
              { header: '较同期变化比例', width: 16 },
            ]
          : []),
      ],
      KPI_LABELS.map(([key, label, money]) => {
        const k = stats.kpis[key];
        const v = (n: number): number => (money ? yuan(n) : n);
        const r = (x: number | null): number | string => (x === null ? '—' : x);
        const toDate = k.toDate ? [v(k.toDate.previous), v(k.toDate.change), r(k.toDate.changeRatio)] : [];
        return [label, v(k.value), v(k.previous), v(k.change), r(k.changeRatio), ...toDate];
      }),
    );
    const ws = wb.getWorksheet('概览')!;
    for (let r = 3; r <= ws.rowCount; r++) {
      ws.getCell(r, 5).numFmt = '0.0%';
      if (range) ws.getCell(r, 8).numFmt = '0.0%';
    }
    ws.getRow(5).eachCell((cell, col) => {
      if ((col >= 2 && col <= 4) || col === 6 || col === 7) cell.numFmt = MONEY;
    });
  }
  if (want('tiers'))
    addTable(
      wb,
      '补贴档次',
      title('按补贴档次'),
      [{ header: '档次', width: 14 }, ...figureColumns],
      stats.byTier.map((t) => [tierLabel(t.tier), ...figures(t)]),
    );
  if (want('periods'))
    addTable(
      wb,
      '餐次',
      title('按餐次'),
      [{ header: '餐次', width: 10 }, ...figureColumns],
      stats.byPeriod.map((p) => [MEAL_PERIOD_LABELS[p.mealPeriod], ...figures(p)]),
    );
  if (want('canteens'))
    addTable(
      wb,
      '食堂',
      title('各食堂'),
      [{ header: '食堂', width: 28 }, ...figureColumns],
      stats.byCanteen.map((c) => [c.canteenName, ...figures(c)]),
    );
  if (want('months'))
    addTable(
      wb,
      '月度趋势',
      scopeTitle(scope, `月度趋势（截至 ${stats.month}）`),
      [{ header: '月份', width: 10 }, ...figureColumns],
      stats.months.map((m) => [m.month, ...figures(m)]),
    );
  if (want('hours'))
    addTable(
      wb,
      '就餐时段',
      title('就餐时段（星期 × 小时，北京时间）'),
      [
        { header: '星期', width: 8 },
        { header: '时段', width: 14 },
        { header: '人次', width: 10 },
      ],
      stats.busiestHours.map((h) => [
        WEEKDAYS[h.weekday],
        `${String(h.hour).padStart(2, '0')}:00–${String(h.hour).padStart(2, '0')}:59`,
        h.meals,
      ]),
    );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
