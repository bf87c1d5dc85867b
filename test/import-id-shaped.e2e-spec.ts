import ExcelJS from 'exceljs';
import { makeIdNumber } from '../src/subsidy/id-number';
import { createCanteen, createUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('Import refuses phone and card numbers shaped like an ID number (real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('rejects those rows with LOOKS_LIKE_ID_NUMBER and imports the rest', async () => {
    const canteen = await createCanteen(t.db);
    const operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('就餐老人');
    ws.addRow(['姓名', '身份证号码', '联系电话', '就餐卡号', '所属社区']);
    const other = makeIdNumber('371502', '1944-02-02', 222);
    ws.addRow(['甲', makeIdNumber('371502', '1950-01-01', 1), other, null, null]);
    ws.addRow(['乙', makeIdNumber('371502', '1950-01-01', 2), null, '371502-19440202-2225', null]);
    ws.addRow(['丙', makeIdNumber('371502', '1950-01-01', 3), '13800138000', 'LY-0003', null]);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await t
      .http()
      .post('/api/diners/import')
      .set('authorization', operator.token)
      .attach('file', file, 'diners.xlsx')
      .expect(200);
    expect(res.body.imported).toBe(1);
    expect(res.body.rejected).toEqual([
      { row: 2, code: 'LOOKS_LIKE_ID_NUMBER', reason: expect.stringContaining('联系电话') },
      { row: 3, code: 'LOOKS_LIKE_ID_NUMBER', reason: expect.stringContaining('就餐卡号') },
    ]);
    const stored = await t.db.query(`SELECT phone, card_no FROM diners`);
    expect(JSON.stringify(stored)).not.toContain('19440202');
  });
});
