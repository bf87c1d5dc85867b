import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import type { TestApp } from './test-app';

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

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

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

/** Yuan in a cell → fen, exactly. */
export const fen = (yuan: unknown): number => Math.round(Number(yuan) * 100);
