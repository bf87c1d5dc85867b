import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { TestApp } from './test-app';
import { binary } from './binary';

// Helpers of the claim tests: follow a claim, download it, read the workbook back.

export interface ClaimBody {
  id: number;
  month: string;
  canteenId: number | null;
  version: number;
  status: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
  progress: number;
  totals: Record<string, unknown> | null;
  sha256: string | null;
  fileSize: number | null;
  error: string | null;
  monthLocked: boolean;
  monthEnded: boolean;
  dataSha256: string | null;
}

/** Polls GET /api/claims/:id until the claim is DONE or FAILED. */
export async function waitForClaim(t: TestApp, token: string, id: number, timeoutMs = 40_000): Promise<ClaimBody> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http().get(`/api/claims/${id}`).set('Authorization', token).expect(200);
    if (res.body.status === 'DONE' || res.body.status === 'FAILED') return res.body;
    if (Date.now() > until) throw new Error(`claim ${id} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function downloadClaim(
  t: TestApp,
  token: string,
  id: number,
): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const res = await t
    .http()
    .get(`/api/claims/${id}/file`)
    .set('Authorization', token)
    .buffer(true)
    .parse(binary as never)
    .expect(200);
  return { body: res.body as Buffer, headers: res.headers as Record<string, string> };
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export async function readWorkbook(data: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  return wb;
}

/** Cell values of a sheet's rows from `fromRow` on (1-based), as arrays indexed from 1 like exceljs. */
export function rowsOf(ws: ExcelJS.Worksheet, fromRow: number): unknown[][] {
  const rows: unknown[][] = [];
  ws.eachRow((row, n) => {
    if (n >= fromRow) rows.push(row.values as unknown[]);
  });
  return rows;
}

/** The summary's table header row (title, scope line and status line above it). */
export const SUMMARY_HEADER_ROW = 4;

/** Data rows of a detail sheet series: the 合计 row at the end left out. */
export const dataRowsOnly = (rows: unknown[][]): unknown[][] => rows.filter((r) => r[1] !== '合计');

/** Yuan in a cell → fen, exactly. */
export const fen = (yuan: unknown): number => Math.round(Number(yuan) * 100);

const TIER_MEALS = /^(\d+–\d+岁|\d+岁以上)人次$/;
const TIER_FEN = /^(\d+–\d+岁|\d+岁以上)补贴金额$/;

/** A sheet's tier columns, read from its header row: each tier's label with its 人次 and 补贴金额 column numbers. */
export function tierColumnsOf(header: unknown[]): { label: string; meals: number; fen: number }[] {
  const columns: { label: string; meals: number; fen: number }[] = [];
  header.forEach((h, i) => {
    const m = TIER_MEALS.exec(String(h));
    if (m) columns.push({ label: m[1], meals: i, fen: header.indexOf(`${m[1]}补贴金额`) });
  });
  const fenColumns = header.filter((h) => TIER_FEN.test(String(h))).length;
  if (columns.some((c) => c.fen < 0) || fenColumns !== columns.length) {
    throw new Error(`tier columns not in pairs: ${JSON.stringify(header)}`);
  }
  return columns;
}

/** The sums of a data row's tier columns: meals, and money in fen (exact). */
export function tierSums(row: unknown[], columns: { meals: number; fen: number }[]): { meals: number; fen: number } {
  return {
    meals: columns.reduce((n, c) => n + Number(row[c.meals] ?? 0), 0),
    fen: columns.reduce((n, c) => n + fen(row[c.fen] ?? 0), 0),
  };
}

/** Subsidised (non-voided, subsidy > 0) meals and their money, as SQL counts them. */
export interface Subsidised {
  meals: number;
  fen: number;
}

/**
 * Asserts on 汇总 and 日汇总 that every row's tier columns add up, to the fen: their 人次 to the row's subsidised
 * meals and their 补贴金额 to the row's total; the canteens' rows to the SQL of each canteen, 合计 to the claim's.
 * Returns the tier labels of the summary, in column order.
 */
export function expectTierColumnsAddUp(
  wb: ExcelJS.Workbook,
  sql: { canteens: Map<string, Subsidised>; total: Subsidised },
): string[] {
  const summary = wb.getWorksheet('汇总')!;
  const header = rowsOf(summary, SUMMARY_HEADER_ROW)[0];
  const tiers = tierColumnsOf(header);
  const totalFen = header.indexOf('补贴合计');
  const rows = rowsOf(summary, SUMMARY_HEADER_ROW + 1).filter((r) => typeof r[1] === 'number' || r[1] === '合计');
  expect(rows.map((r) => (r[1] === '合计' ? '合计' : String(r[2])))).toEqual(
    expect.arrayContaining([...sql.canteens.keys(), '合计']),
  );
  for (const row of rows) {
    // A canteen without subsidised meals (an active one is listed all the same) adds up to nothing.
    const expected = row[1] === '合计' ? sql.total : (sql.canteens.get(String(row[2])) ?? { meals: 0, fen: 0 });
    expect({ row: row[2] ?? row[1], ...tierSums(row, tiers) }).toEqual({ row: row[2] ?? row[1], ...expected });
    expect(fen(row[totalFen])).toBe(expected.fen);
  }

  const daily = wb.worksheets.filter((ws) => ws.name.startsWith('日汇总'));
  const dailyHeader = rowsOf(daily[0], 2)[0];
  const dailyTiers = tierColumnsOf(dailyHeader);
  expect(dailyTiers.map((t) => t.label)).toEqual(tiers.map((t) => t.label));
  const [mealsCol, fenCol] = [dailyHeader.indexOf('补贴人次合计'), dailyHeader.indexOf('补贴金额合计')];
  const dailyRows = daily.flatMap((ws) => rowsOf(ws, 3));
  const days = { meals: 0, fen: 0 };
  for (const row of dailyRows) {
    const sums = tierSums(row, dailyTiers);
    expect({ day: row[1], canteen: row[2], ...sums }).toEqual({
      day: row[1],
      canteen: row[2],
      meals: row[mealsCol],
      fen: fen(row[fenCol]),
    });
    if (row[1] === '合计') expect(sums).toEqual(sql.total);
    else {
      days.meals += sums.meals;
      days.fen += sums.fen;
    }
  }
  expect(days).toEqual(sql.total);
  return tiers.map((t) => t.label);
}

/** The subsidised meals of a claim's scope and month by SQL, per canteen name and in all. */
export async function subsidisedMeals(
  db: DataSource,
  scope: { subdistrictId: number; canteenId: number | null; month: string },
): Promise<{ canteens: Map<string, Subsidised>; total: Subsidised }> {
  const rows: { name: string; meals: number; fen: number }[] = await db.query(
    `SELECT c.name, count(*)::int AS meals, sum(m.subsidy_fen)::int AS fen
       FROM meals m JOIN canteens c ON c.id = m.canteen_id
      WHERE m.subdistrict_id = $1 AND ($2::int IS NULL OR m.canteen_id = $2) AND to_char(m.meal_date, 'YYYY-MM') = $3
        AND m.voided_at IS NULL AND m.subsidy_fen > 0
      GROUP BY c.id, c.name`,
    [scope.subdistrictId, scope.canteenId, scope.month],
  );
  return {
    canteens: new Map(rows.map((r) => [r.name, { meals: r.meals, fen: r.fen }])),
    total: rows.reduce((t, r) => ({ meals: t.meals + r.meals, fen: t.fen + r.fen }), { meals: 0, fen: 0 }),
  };
}
