import ExcelJS from 'exceljs';
import { DEFAULT_PERIOD_HOURS } from '../src/canteens/canteens.service';
import { makeIdNumber } from '../src/subsidy/id-number';
import { openBrowser, TestBrowser } from './support/browser';
import { createCanteen, createUser, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('Operator page in Chromium', () => {
  let t: TestApp;
  let b: TestBrowser;
  let operator: UserFixture;
  let canteenId: number;

  beforeAll(async () => {
    t = await startTestApp();
    canteenId = (
      await createCanteen(t.db, {
        name: '东关国际幸福食堂',
        prices: { LUNCH: 1200 },
        periodHours: DEFAULT_PERIOD_HOURS,
      })
    ).id;
    const second = await createCanteen(t.db, { name: '馨泰颐养中心幸福食堂', type: 'CARE_FACILITY' });
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteenId, second.id], password: 'operator-pass-1' });
    b = await openBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t.close();
  });

  it('logs in, edits a price, adds a cashier, registers a diner and imports a file', async () => {
    const page = b.page;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${t.url}/operator`);

    await page.fill('input[name=username]', operator.username);
    await page.fill('input[name=password]', 'operator-pass-1');
    await page.click('.login-form button[type=submit]');
    await page.waitForSelector('#canteen-select option', { state: 'attached' });
    await page.selectOption('#canteen-select', String(canteenId));
    await expect(page.inputValue('#price-LUNCH')).resolves.toBe('12.00');

    // Price and hours
    await page.fill('#price-LUNCH', '13.5');
    await page.fill('#start-LUNCH', '10:30');
    await page.click('#canteen-form button[type=submit]');
    await page.locator('#message', { hasText: '已保存' }).waitFor();
    const [c] = await t.db.query(`SELECT lunch_price_fen, period_hours FROM canteens WHERE id = $1`, [canteenId]);
    expect(c.lunch_price_fen).toBe(1350);
    expect(c.period_hours.LUNCH).toEqual(['10:30', '14:00']);

    // A bad price is refused with a sentence, nothing saved
    await page.fill('#price-LUNCH', '13.555');
    await page.click('#canteen-form button[type=submit]');
    await page.locator('#canteen-error', { hasText: '两位小数' }).waitFor();

    // Cashier
    await page.click('.tabs button[data-tab=cashiers]');
    await page.fill('#cashier-username', 'dg_cashier');
    await page.fill('#cashier-name', '刘收银');
    await page.fill('#cashier-password', 'cashier-pass-1');
    await page.click('#cashier-form button[type=submit]');
    await page.waitForSelector('#cashier-rows tr[data-username="dg_cashier"]');
    const [cashier] = await t.db.query(
      `SELECT u.role, array_agg(uc.canteen_id) AS canteens FROM users u JOIN user_canteens uc ON uc.user_id = u.id
        WHERE u.username = 'dg_cashier' GROUP BY u.id`,
    );
    expect(cashier).toEqual({ role: 'CASHIER', canteens: [canteenId] });
    // …and deactivate them
    await page.click('#cashier-rows tr[data-username="dg_cashier"] button:has-text("停用")');
    await page.waitForSelector('#cashier-rows tr[data-username="dg_cashier"] td:has-text("已停用")');

    // Diner
    const idNumber = makeIdNumber('371502', '1943-07-21', 314);
    await page.click('.tabs button[data-tab=diners]');
    await page.fill('#diner-name', '孙桂兰');
    await page.fill('#diner-id', idNumber);
    await page.fill('#diner-community', '东关社区');
    await page.click('#diner-form button[type=submit]');
    await page.waitForSelector('#diner-rows tr:has-text("孙桂兰")');
    const rowText = await page.textContent('#diner-rows');
    expect(rowText).toContain(`371502********${idNumber.slice(14)}`);
    expect(await page.content()).not.toContain(idNumber);
    const [diner] = await t.db.query(`SELECT id, registered_canteen_id FROM diners WHERE name = '孙桂兰'`);
    expect(diner.registered_canteen_id).toBe(canteenId);

    // Status change
    await page.click(`#diner-rows tr[data-diner-id="${diner.id}"] button`);
    await page.selectOption('#status-value', 'SUSPENDED');
    await page.fill('#status-date', '2022-12-01');
    await page.click('#status-form button[type=submit]');
    await page.waitForSelector('#diner-rows tr:has-text("暂停")');
    const [status] = await t.db.query(`SELECT status, status_effective_from::text AS d FROM diners WHERE id = $1`, [
      diner.id,
    ]);
    expect(status).toEqual({ status: 'SUSPENDED', d: '2022-12-01' });

    // Import: the template downloads, and an upload shows its result
    await page.click('.tabs button[data-tab=import]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#template')]);
    expect(download.suggestedFilename()).toBe('就餐老人导入模板.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('就餐老人');
    ws.addRow(['姓名', '身份证号码', '联系电话', '就餐卡号', '所属社区']);
    ws.addRow(['周明', makeIdNumber('371502', '1936-02-02', 51), '', '', '柳园社区']);
    ws.addRow(['吴芳', makeIdNumber('371502', '1950-09-09', 52), '', '', '柳园社区']);
    ws.addRow(['孙桂兰', idNumber, '', '', '']);
    ws.addRow(['错号', '371502193602020000', '', '', '']);
    await page.setInputFiles('#import-file', {
      name: 'diners.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await wb.xlsx.writeBuffer()),
    });
    await page.click('#import-form button[type=submit]');
    await page.waitForSelector('#import-result');
    expect(await page.textContent('#import-summary')).toContain('导入 2 人，已登记跳过 1 人，有误 1 行');
    expect(await page.textContent('#import-rows')).toContain('5');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM diners`);
    expect(n).toBe(3);

    expect(pageErrors).toEqual([]);
  });
});
