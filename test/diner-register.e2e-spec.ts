import ExcelJS from 'exceljs';
import { inflateRawSync } from 'node:zlib';
import {
  createCanteen,
  createDiner,
  createSubdistrict,
  createUser,
  DinerFixture,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { binary } from './support/binary';

// Issue 16's register pieces: server-side paging with a total, search by name, last 4 of the ID number, card number
// or community, and the export to .xlsx with masked ID numbers only — all within the caller's register.
describe('The paged register and its export (real PostgreSQL)', () => {
  let t: TestApp;
  let operator: UserFixture;
  let otherOperator: UserFixture;
  const diners: DinerFixture[] = [];

  const page = (token: string, query: Record<string, string | number>) =>
    t.http().get('/api/diners/register').query(query).set('authorization', token);

  beforeAll(async () => {
    t = await startTestApp();
    const canteen = await createCanteen(t.db);
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
    const otherSub = await createSubdistrict(t.db);
    const otherCanteen = await createCanteen(t.db, { subdistrictId: otherSub });
    otherOperator = await createUser(t, 'OPERATOR', { canteenIds: [otherCanteen.id], subdistrictId: otherSub });
    for (let i = 0; i < 25; i++) {
      diners.push(
        await createDiner(t, {
          birthDate: `19${40 + (i % 10)}-0${1 + (i % 9)}-1${i % 10}`,
          name: `花名册${String(i).padStart(2, '0')}`,
          cardNo: i === 7 ? 'HM-0007' : null,
        }),
      );
    }
    await t.db.query(`UPDATE diners SET community = '米市街社区' WHERE id = $1`, [diners[3].id]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('pages the register with a total, by name', async () => {
    const first = await page(operator.token, { q: '花名册', pageSize: 10 }).expect(200);
    expect(first.body).toMatchObject({ total: 25, page: 1, pageSize: 10 });
    expect(first.body.items.map((d: { name: string }) => d.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `花名册${String(i).padStart(2, '0')}`),
    );
    expect(first.body.items[0]).toMatchObject({ subdistrictName: '柳园街道', maskedIdNumber: expect.any(String) });
    const third = await page(operator.token, { q: '花名册', pageSize: 10, page: 3 }).expect(200);
    expect(third.body.items.map((d: { name: string }) => d.name)).toEqual(
      Array.from({ length: 5 }, (_, i) => `花名册${20 + i}`),
    );
    expect(JSON.stringify([first.body, third.body])).not.toContain(diners[0].idNumber);
    const bad = await page(operator.token, { pageSize: 1000 }).expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('finds by the last four digits of the ID number, the card number and the community', async () => {
    const target = diners[12];
    const byLast4 = await page(operator.token, { q: target.idNumber.slice(-4) }).expect(200);
    expect(byLast4.body.items.map((d: { id: number }) => d.id)).toContain(target.id);
    for (const item of byLast4.body.items as { maskedIdNumber: string }[]) {
      expect(item.maskedIdNumber.slice(-4)).toBe(target.idNumber.slice(-4));
    }
    const byCard = await page(operator.token, { q: 'HM-0007' }).expect(200);
    expect(byCard.body).toMatchObject({ total: 1, items: [{ id: diners[7].id }] });
    const byCommunity = await page(operator.token, { q: '米市街' }).expect(200);
    expect(byCommunity.body).toMatchObject({ total: 1, items: [{ id: diners[3].id }] });
  });

  it('keeps the register to the caller’s reach', async () => {
    const other = await page(otherOperator.token, { q: '花名册' }).expect(200);
    expect(other.body).toMatchObject({ total: 0, items: [] });
    const lastFour = await page(otherOperator.token, { q: diners[12].idNumber.slice(-4) }).expect(200);
    expect(lastFour.body.items.map((d: { id: number }) => d.id)).not.toContain(diners[12].id);
  });

  it('exports the register to .xlsx with masked ID numbers only, audited', async () => {
    const res = await t
      .http()
      .get('/api/diners/export')
      .query({ q: '花名册' })
      .set('authorization', operator.token)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const file = res.body as Buffer;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(2).value).toBe('身份证号（脱敏）');
    expect(ws.rowCount).toBe(26);
    const masked = new Set<string>();
    ws.eachRow((row, n) => {
      if (n > 1) masked.add(String(row.getCell(2).value));
    });
    for (const d of diners) expect(masked).toContain(`${d.idNumber.slice(0, 6)}********${d.idNumber.slice(-4)}`);
    // No full ID number anywhere in the file's parts (the sheet XML, unzipped).
    const text = unzipText(file);
    expect(text).toContain('花名册00');
    for (const d of diners) expect(text).not.toContain(d.idNumber);
    const [audit] = await t.db.query(`SELECT details FROM audit_log WHERE action = 'DINERS_EXPORTED'`);
    expect(audit.details).toMatchObject({ filter: { q: '花名册' } });
  });
});

/** The text of every deflated or stored entry of a zip (enough to search an .xlsx for a string). */
function unzipText(zip: Buffer): string {
  const parts: string[] = [];
  let at = 0;
  while (at + 30 <= zip.length && zip.readUInt32LE(at) === 0x04034b50) {
    const method = zip.readUInt16LE(at + 8);
    let size = zip.readUInt32LE(at + 18);
    const nameLength = zip.readUInt16LE(at + 26);
    const extraLength = zip.readUInt16LE(at + 28);
    const start = at + 30 + nameLength + extraLength;
    const flags = zip.readUInt16LE(at + 6);
    if (flags & 0x08 && size === 0) {
      // Streamed entry: its size follows in a data descriptor; find the next local header instead.
      const next = zip.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]), start);
      size = next - start;
      const data = zip.subarray(start, next);
      parts.push(method === 8 ? inflateRawSync(data).toString('utf8') : data.toString('utf8'));
      at = next + 16;
      continue;
    }
    const data = zip.subarray(start, start + size);
    parts.push(method === 8 ? inflateRawSync(data).toString('utf8') : data.toString('utf8'));
    at = start + size;
  }
  return parts.join('\n');
}
