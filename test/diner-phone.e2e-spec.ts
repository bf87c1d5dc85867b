import ExcelJS from 'exceljs';
import { makeIdNumber } from '../src/subsidy/id-number';
import { createCanteen, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// Issue 16: a phone number of "12345" was accepted. Registering, editing and importing now take a mainland mobile
// number or a landline (src/diners/phone.ts) and store nothing else.
describe('diner phone numbers', () => {
  let t: TestApp;
  let operator: UserFixture;

  beforeAll(async () => {
    t = await startTestApp();
    const canteen = await createCanteen(t.db);
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const register = (phone: string, n: number) =>
    t
      .http()
      .post('/api/diners')
      .set('authorization', operator.token)
      .send({ name: `电话${n}`, idNumber: makeIdNumber('371502', '1950-01-01', 100 + n), phone });

  it('refuses "12345" on registration and on a change, and keeps the stored number', async () => {
    const bad = await register('12345', 1).expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('11 位手机号') });
    const ok = await register('0635-8123456', 2).expect(201);
    expect(ok.body.phone).toBe('0635-8123456');
    for (const phone of ['12345', '1380013800', '0635-0123456']) {
      const res = await t
        .http()
        .patch(`/api/diners/${ok.body.id}`)
        .set('authorization', operator.token)
        .send({ phone })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    await t
      .http()
      .patch(`/api/diners/${ok.body.id}`)
      .set('authorization', operator.token)
      .send({ phone: '13800138000' })
      .expect(200);
    const rows: { name: string; phone: string }[] = await t.db.query(
      `SELECT name, phone FROM diners WHERE name LIKE '电话%' ORDER BY name`,
    );
    expect(rows).toEqual([{ name: '电话2', phone: '13800138000' }]);
  });

  it('rejects an import row with PHONE_INVALID and imports the rest', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('就餐老人');
    ws.addRow(['姓名', '身份证号码', '联系电话', '就餐卡号', '所属社区']);
    ws.addRow(['导入甲', makeIdNumber('371502', '1950-01-01', 301), '12345', null, null]);
    ws.addRow(['导入乙', makeIdNumber('371502', '1950-01-01', 302), '139 0635 0001', null, null]);
    const res = await t
      .http()
      .post('/api/diners/import')
      .set('authorization', operator.token)
      .attach('file', Buffer.from(await wb.xlsx.writeBuffer()), 'diners.xlsx')
      .expect(200);
    expect(res.body).toMatchObject({
      imported: 1,
      rejected: [{ row: 2, code: 'PHONE_INVALID', reason: expect.stringContaining('固定电话') }],
    });
  });
});
