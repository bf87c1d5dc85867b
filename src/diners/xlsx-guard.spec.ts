import ExcelJS from 'exceljs';
import { bombXlsx, zip } from '../../test/support/hostile-xlsx';
import { checkXlsxZip } from './xlsx-guard';

const limits = { maxEntries: 20, maxUnpackedBytes: 4 * 1024 * 1024 };

describe(checkXlsxZip.name, () => {
  it('passes a workbook written by exceljs and says what it unpacks to', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('就餐老人').addRow(['姓名', '身份证号码']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const check = await checkXlsxZip(file, limits);
    expect(check.ok).toBe(true);
    expect(Object.keys(check).sort()).toEqual(['ok', 'unpackedBytes']);
    expect(check.ok && check.unpackedBytes).toBeGreaterThan(file.length);
  });

  it('calls text, an empty file and a cut-off zip not a zip', async () => {
    const file = zip([{ name: 'a.xml', data: Buffer.from('<a/>') }]);
    for (const bad of [Buffer.from('姓名,身份证号码\n'), Buffer.alloc(0), file.subarray(0, file.length - 30)]) {
      expect(await checkXlsxZip(bad, limits)).toEqual({ ok: false, reason: 'NOT_A_ZIP' });
    }
  });

  it('refuses a bomb by its declared size, and a lying one by what it inflates to', async () => {
    expect(await checkXlsxZip(bombXlsx(8, false), limits)).toEqual({ ok: false, reason: 'TOO_LARGE' });
    expect(await checkXlsxZip(bombXlsx(8, true), limits)).toEqual({ ok: false, reason: 'TOO_LARGE' });
  });

  it('refuses a zip of too many entries', async () => {
    const many = zip(Array.from({ length: 21 }, (_, i) => ({ name: `e${i}.xml`, data: Buffer.from('<a/>') })));
    expect(await checkXlsxZip(many, limits)).toEqual({ ok: false, reason: 'TOO_LARGE' });
  });

  it('refuses bytes hidden between the listed entries, which a streaming unzipper would still read', async () => {
    const file = zip([{ name: 'a.xml', data: Buffer.from('<a/>') }]);
    const eocd = file.length - 22;
    const cdOffset = file.readUInt32LE(eocd + 16);
    const hidden = Buffer.alloc(64, 1);
    const spliced = Buffer.concat([file.subarray(0, cdOffset), hidden, file.subarray(cdOffset)]);
    spliced.writeUInt32LE(cdOffset + hidden.length, spliced.length - 22 + 16);
    expect(await checkXlsxZip(spliced, limits)).toEqual({ ok: false, reason: 'NOT_A_ZIP' });
  });
});
