import ExcelJS from 'exceljs';
import { IMPORT_MAX_BYTES } from '../src/diners/diner-import.service';
import { makeIdNumber } from '../src/subsidy/id-number';
import { createCanteen, createUser, UserFixture } from './support/factories';
import { bombXlsx, manyRowsXlsx } from './support/hostile-xlsx';
import { startTestApp, TestApp } from './support/test-app';
import { binary } from './support/binary';

type Row = (string | number | null)[];

async function workbook(rows: Row[], header: string[] = ['姓名', '身份证号码', '联系电话', '就餐卡号', '所属社区']) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('就餐老人');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const id = (birth: string, seq: number) => makeIdNumber('371502', birth, seq);

describe('Bulk import of diners (real PostgreSQL)', () => {
  let t: TestApp;
  let operator: UserFixture;
  let canteenId: number;

  beforeAll(async () => {
    t = await startTestApp();
    const canteen = await createCanteen(t.db);
    canteenId = canteen.id;
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (file: Buffer, name = 'diners.xlsx') =>
    t.http().post('/api/diners/import').set('authorization', operator.token).attach('file', file, name);
  const count = async (): Promise<number> => (await t.db.query(`SELECT count(*)::int AS n FROM diners`))[0].n;
  const audits = async () =>
    t.db.query(`SELECT details FROM audit_log WHERE action = 'DINERS_IMPORTED' ORDER BY id`) as Promise<
      { details: Record<string, number> }[]
    >;

  it('offers a template with the five columns', async () => {
    const res = await t
      .http()
      .get('/api/diners/import-template')
      .set('authorization', operator.token)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    expect(wb.worksheets[0].getRow(1).values).toEqual([
      undefined,
      '姓名',
      '身份证号码',
      '联系电话',
      '就餐卡号',
      '所属社区',
    ]);
  });

  it('imports a good file in one go, registered at the operator canteen, and audits counts only', async () => {
    const rows: Row[] = Array.from({ length: 30 }, (_, i) => [
      `导入老人${i}`,
      id(`19${40 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`, 100 + i),
      `1380000${String(i).padStart(4, '0')}`,
      i < 5 ? `IMP-${i}` : null,
      '柳园社区',
    ]);
    const res = await upload(await workbook(rows)).expect(200);
    expect(res.body).toEqual({ imported: 30, skipped: 0, rejected: [] });
    expect(await count()).toBe(30);
    const [one] = await t.db.query(
      `SELECT registered_canteen_id, registered_by, card_no, id_number_masked FROM diners WHERE name = '导入老人0'`,
    );
    expect(one).toMatchObject({ registered_canteen_id: canteenId, registered_by: operator.id, card_no: 'IMP-0' });
    const [audit] = await audits();
    expect(audit.details).toEqual({ rows: 30, imported: 30, skipped: 0, rejected: 0 });
    expect(JSON.stringify(audit)).not.toContain(String(rows[0][1]));
  });

  it('refuses a malformed file and writes nothing', async () => {
    const before = await count();
    const notXlsx = await upload(Buffer.from('姓名,身份证号码\n张三,110101194001010011\n'), 'diners.csv').expect(400);
    expect(notXlsx.body).toMatchObject({ code: 'IMPORT_FILE_INVALID', message: expect.stringMatching(/xlsx/) });
    const noIdColumn = await upload(await workbook([['张三', '13800000000']], ['姓名', '联系电话'])).expect(400);
    expect(noIdColumn.body).toMatchObject({
      code: 'IMPORT_FILE_INVALID',
      message: expect.stringContaining('身份证号码'),
    });
    const missing = await t.http().post('/api/diners/import').set('authorization', operator.token).expect(400);
    expect(missing.body.code).toBe('IMPORT_FILE_INVALID');
    expect(await count()).toBe(before);
  });

  it('imports the valid rows and reports duplicate and invalid ones with row number and reason', async () => {
    const before = await count();
    const good1 = id('1938-05-06', 211);
    const good2 = id('1950-12-24', 212);
    const already = id(`1940-01-10`, 100); // row 0 of the good file
    const badChecksum = good1.slice(0, 17) + (good1[17] === '1' ? '2' : '1');
    const rows: Row[] = [
      ['赵一', good1, null, null, null], // row 2: ok
      ['钱二', badChecksum, null, null, null], // row 3: checksum
      ['孙三', good1.toLowerCase(), null, null, null], // row 4: same person as row 2
      ['', good2, null, null, null], // row 5: no name
      ['李四', '', null, null, null], // row 6: no ID
      ['周五', id('1939-02-28', 5).replace('19390228', '19390230'), null, null, null], // row 7
      ['吴六', already, null, null, null], // row 8: registered already → skipped
      ['郑七', good2, null, 'IMP-0', null], // row 9: card belongs to another diner
      ['王八', 371502194001010000, null, null, null], // row 10: typed as a number in Excel
    ];
    const res = await upload(await workbook(rows)).expect(200);
    expect(res.body).toEqual({
      imported: 1,
      skipped: 1,
      rejected: [
        { row: 3, code: 'ID_CHECKSUM', reason: expect.stringContaining('校验位') },
        { row: 4, code: 'DUPLICATE_IN_FILE', reason: '与第 2 行的身份证号码重复' },
        { row: 5, code: 'NAME_REQUIRED', reason: '姓名未填写' },
        { row: 6, code: 'ID_REQUIRED', reason: '身份证号码未填写' },
        { row: 7, code: 'ID_BIRTHDATE', reason: expect.stringContaining('出生日期') },
        { row: 9, code: 'CARD_NO_TAKEN', reason: expect.stringContaining('就餐卡号') },
        { row: 10, code: 'ID_FORMAT', reason: expect.stringContaining('文本') },
      ],
    });
    expect(await count()).toBe(before + 1);
    expect(JSON.stringify(res.body)).not.toMatch(/\d{17}[\dX]/);
  });

  it('registers nobody twice when the same file comes again', async () => {
    const rows: Row[] = [
      ['冯一', id('1941-07-07', 301), null, null, '东关社区'],
      ['陈二', id('1942-08-08', 302), null, null, '东关社区'],
    ];
    const file = await workbook(rows);
    const first = await upload(file).expect(200);
    expect(first.body).toEqual({ imported: 2, skipped: 0, rejected: [] });
    const before = await count();
    // Twice at once, too: the register is locked per sub-district while importing.
    const [again, twin] = await Promise.all([upload(file), upload(file)]);
    expect(again.body).toEqual({ imported: 0, skipped: 2, rejected: [] });
    expect(twin.body).toEqual({ imported: 0, skipped: 2, rejected: [] });
    expect(await count()).toBe(before);
  });

  it('imports two new copies of one file concurrently exactly once', async () => {
    const file = await workbook([['褚三', id('1943-09-09', 303), null, null, null]]);
    const before = await count();
    const results = await Promise.all([upload(file), upload(file)]);
    expect(results.map((r) => r.body.imported).sort()).toEqual([0, 1]);
    expect(await count()).toBe(before + 1);
  });

  describe('hostile files', () => {
    /** Uploads, and asks for liveness again and again until the upload is answered. */
    async function uploadWhilePolling(file: Buffer) {
      let settled = false;
      const answer = upload(file).then((res) => {
        settled = true;
        return res;
      });
      let healthDuring = 0;
      while (!settled) {
        const health = await t.http().get('/api/health');
        expect(health.status).toBe(200);
        if (!settled) healthDuring++;
      }
      return { res: await answer, healthDuring };
    }

    it('takes exactly 5,000 data rows, and refuses 5,001 writing nothing', async () => {
      const idNumber = id('1936-06-06', 401);
      const ok = await upload(manyRowsXlsx(5_000, idNumber)).expect(200);
      // One diner; the other 4,999 rows repeat the ID number.
      expect(ok.body).toMatchObject({ imported: 1, skipped: 0 });
      expect(ok.body.rejected).toHaveLength(4_999);
      const before = await count();
      const over = await upload(manyRowsXlsx(5_001, id('1936-07-07', 402))).expect(400);
      expect(over.body).toEqual({
        statusCode: 400,
        code: 'IMPORT_FILE_INVALID',
        message: expect.stringContaining('5000'),
        details: { maxRows: 5_000 },
      });
      expect(await count()).toBe(before);
    });

    it('refuses 300,000 rows at the limit, writing nothing, while liveness keeps answering', async () => {
      const file = manyRowsXlsx(300_000, id('1936-08-08', 403));
      // Within the 5 MB upload limit, and under the unpacked bound: only the row limit stops it.
      expect(file.length).toBeLessThan(IMPORT_MAX_BYTES);
      const before = await count();
      const auditsBefore = (await audits()).length;
      const { res, healthDuring } = await uploadWhilePolling(file);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'IMPORT_FILE_INVALID', details: { maxRows: 5_000 } });
      expect(healthDuring).toBeGreaterThan(0);
      expect(await count()).toBe(before);
      expect(await audits()).toHaveLength(auditsBefore);
    });

    it('refuses a zip bomb by its declared size, and one that lies about it by what it inflates to', async () => {
      const before = await count();
      const honest = await upload(bombXlsx(64, false)).expect(413);
      expect(honest.body).toEqual({
        statusCode: 413,
        code: 'IMPORT_UNPACKED_TOO_LARGE',
        message: expect.stringContaining('解压后超过 32 MB'),
      });
      const { res, healthDuring } = await uploadWhilePolling(bombXlsx(64, true));
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('IMPORT_UNPACKED_TOO_LARGE');
      expect(healthDuring).toBeGreaterThan(0);
      expect(await count()).toBe(before);
    });
  });
});
