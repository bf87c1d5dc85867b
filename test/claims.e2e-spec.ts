import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDateOf } from '../src/common/local-date';
import {
  CLAIMS_QUEUE,
  JOB_BUILD_CLAIM,
  JOB_MONTHLY_CLAIM,
  MONTHLY_CLAIM_SCHEDULER_ID,
} from '../src/queue/queue.constants';
import {
  downloadClaim,
  expectTierColumnsAddUp,
  fen,
  readWorkbook,
  rowsOf,
  SUMMARY_HEADER_ROW,
  dataRowsOnly,
  sha256,
  subsidisedMeals,
  waitForClaim,
} from './support/claims';
import {
  CanteenFixture,
  createCanteen,
  createDiner,
  createSubdistrict,
  createUser,
  DinerFixture,
  insertMeal,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

const MONTH = '2025-03';
// Small sheets, so that a canteen's detail rows continue on a further sheet as past Excel's row limit.
const SHEET_MAX_ROWS = 12;

jest.setTimeout(60_000);

describe('Monthly claims (API, worker and workbook on real PostgreSQL and Redis)', () => {
  let t: TestApp;
  let worker: TestWorker;
  let claimsDir: string;
  let subdistrictId: number;
  let finance: UserFixture;
  let cashier: UserFixture;
  let care: CanteenFixture;
  let shop: CanteenFixture;
  let turning80: DinerFixture;
  let aged74: DinerFixture;
  let aged85: DinerFixture;

  // A meal as the till records it: the local date of servedAt, and the money of the tier.
  async function meal(
    canteen: CanteenFixture,
    diner: DinerFixture,
    servedAtIso: string,
    m: { age: number; tier: string; priceFen?: number; voided?: boolean; period?: 'BREAKFAST' | 'LUNCH' | 'DINNER' },
  ): Promise<void> {
    const servedAt = new Date(servedAtIso);
    const priceFen = m.priceFen ?? 1200;
    const amount = m.tier === '80_PLUS' ? 400 : m.tier === '70_79' ? 200 : 0;
    await insertMeal(t.db, {
      canteen,
      dinerId: diner.id,
      cashierUserId: cashier.id,
      servedAt,
      mealDate: localDateOf(servedAt),
      period: m.period,
      priceFen,
      subsidyFen: Math.min(amount, priceFen),
      age: m.age,
      tier: m.tier,
      reason: m.tier === 'NONE' ? 'UNDER_AGE' : `TIER_${m.tier}`,
      voided: m.voided ? { by: cashier.id, reason: '录错了' } : null,
    });
  }

  beforeAll(async () => {
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-claims-'));
    t = await startTestApp({ env: { CLAIMS_DIR: claimsDir, CLAIM_SHEET_MAX_ROWS: String(SHEET_MAX_ROWS) } });
    worker = await startTestWorker(t.config);
    const [row] = await t.db.query(`SELECT id FROM subdistricts ORDER BY id LIMIT 1`);
    subdistrictId = row.id;
    care = await createCanteen(t.db, { name: '馨泰颐养中心幸福食堂', type: 'CARE_FACILITY' });
    shop = await createCanteen(t.db, { name: '东关国际幸福食堂', type: 'ENTERPRISE' });
    finance = await createUser(t, 'FINANCE');
    cashier = await createUser(t, 'CASHIER', { canteenIds: [care.id, shop.id] });
    turning80 = await createDiner(t, { birthDate: '1945-03-15', name: '王八十' });
    aged74 = await createDiner(t, { birthDate: '1950-06-01', name: '李七十' });
    aged85 = await createDiner(t, { birthDate: '1940-01-01', name: '赵八五' });
    const young = await createDiner(t, { birthDate: '1965-05-05', name: '孙六十' });

    // Turns 80 on 15 March: ¥2 before the birthday, ¥4 from it (as the till recorded them).
    for (let day = 10; day <= 20; day++) {
      const d = String(day).padStart(2, '0');
      const is80 = day >= 15;
      await meal(care, turning80, `2025-03-${d}T11:30:00+08:00`, {
        age: is80 ? 80 : 79,
        tier: is80 ? '80_PLUS' : '70_79',
      });
    }
    for (let day = 1; day <= 12; day++) {
      const d = String(day).padStart(2, '0');
      await meal(shop, aged74, `2025-03-${d}T07:30:00+08:00`, {
        age: 74,
        tier: '70_79',
        priceFen: 1000,
        period: 'BREAKFAST',
      });
    }
    // Month edges in Shanghai time: 23:30 on the last day is March; 00:30 on 1 April and 23:30 on 28 Feb are not.
    await meal(shop, aged74, '2025-03-31T23:30:00+08:00', { age: 74, tier: '70_79', period: 'DINNER' });
    await meal(shop, aged74, '2025-04-01T00:30:00+08:00', { age: 74, tier: '70_79', period: 'DINNER' });
    await meal(shop, aged74, '2025-02-28T23:30:00+08:00', { age: 74, tier: '70_79', period: 'DINNER' });
    // Voided meals count only in 作废笔数.
    await meal(care, aged85, '2025-03-05T11:00:00+08:00', { age: 85, tier: '80_PLUS', voided: true });
    await meal(shop, aged85, '2025-03-05T12:00:00+08:00', { age: 85, tier: '80_PLUS' });
    // Subsidy = min(tier amount, price).
    await meal(care, aged85, '2025-03-06T12:00:00+08:00', { age: 85, tier: '80_PLUS', priceFen: 300 });
    // Under 70: recorded at full price, never claimed.
    await meal(care, young, '2025-03-07T12:00:00+08:00', { age: 59, tier: 'NONE' });
    // Another sub-district's meals stay out.
    const otherSub = await createSubdistrict(t.db);
    const otherCanteen = await createCanteen(t.db, { subdistrictId: otherSub, name: '外街道食堂' });
    const stranger = await createDiner(t, { birthDate: '1944-04-04', subdistrictId: otherSub });
    await meal(otherCanteen, stranger, '2025-03-08T12:00:00+08:00', { age: 80, tier: '80_PLUS' });
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  async function sqlTotals(canteenId: number | null): Promise<{
    byCanteen: Map<number, { m7079: number; f7079: number; m80: number; f80: number; diners: number; voided: number }>;
    meals: number;
    fen: number;
  }> {
    const rows: {
      canteen_id: number;
      m7079: number;
      f7079: number;
      m80: number;
      f80: number;
      diners: number;
      voided: number;
    }[] = await t.db.query(
      `SELECT canteen_id,
                count(*) FILTER (WHERE voided_at IS NULL AND subsidy_fen > 0 AND tier = '70_79')::int AS m7079,
                COALESCE(sum(subsidy_fen) FILTER (WHERE voided_at IS NULL AND subsidy_fen > 0 AND tier = '70_79'), 0)::int AS f7079,
                count(*) FILTER (WHERE voided_at IS NULL AND subsidy_fen > 0 AND tier = '80_PLUS')::int AS m80,
                COALESCE(sum(subsidy_fen) FILTER (WHERE voided_at IS NULL AND subsidy_fen > 0 AND tier = '80_PLUS'), 0)::int AS f80,
                count(DISTINCT diner_id) FILTER (WHERE voided_at IS NULL AND subsidy_fen > 0)::int AS diners,
                count(*) FILTER (WHERE voided_at IS NOT NULL)::int AS voided
           FROM meals
          WHERE subdistrict_id = $1 AND ($2::int IS NULL OR canteen_id = $2)
            AND meal_date >= '2025-03-01' AND meal_date < '2025-04-01'
          GROUP BY canteen_id`,
      [subdistrictId, canteenId],
    );
    const byCanteen = new Map(rows.map((r) => [r.canteen_id, r]));
    return {
      byCanteen,
      meals: rows.reduce((s, r) => s + r.m7079 + r.m80, 0),
      fen: rows.reduce((s, r) => s + r.f7079 + r.f80, 0),
    };
  }

  // Data rows of a sheet and its continuations (title and header rows skipped).
  function seriesRows(wb: ExcelJS.Workbook, base: string): unknown[][] {
    return wb.worksheets.filter((ws) => ws.name.startsWith(base)).flatMap((ws) => rowsOf(ws, 3));
  }
  const detailRows = (wb: ExcelJS.Workbook, canteenName: string): unknown[][] =>
    dataRowsOnly(seriesRows(wb, `明细-${canteenName}`));

  let firstClaim: { id: number; body: Buffer };

  it('builds the sub-district claim in a queued job; every total equals the SQL sums to the fen', async () => {
    const created = await t
      .http()
      .post('/api/claims')
      .set('Authorization', finance.token)
      .send({ month: MONTH })
      .expect(202);
    expect(created.body).toMatchObject({
      month: MONTH,
      canteenId: null,
      version: 1,
      status: expect.stringMatching(/QUEUED|RUNNING|DONE/),
    });
    const claim = await waitForClaim(t, finance.token, created.body.id);
    expect(claim).toMatchObject({ status: 'DONE', progress: 100, error: null });

    const { body, headers } = await downloadClaim(t, finance.token, claim.id);
    firstClaim = { id: claim.id, body };
    expect(headers['content-type']).toContain('spreadsheetml');
    expect(headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent('柳园街道幸福食堂补贴申报表-2025年3月-第1版.xlsx')}`,
    );
    expect(sha256(body)).toBe(claim.sha256);
    expect(body.length).toBe(claim.fileSize);

    const sql = await sqlTotals(null);
    expect(sql.meals).toBe(11 + 13 + 2);
    expect(claim.totals).toMatchObject({ meals: sql.meals, subsidyFen: sql.fen, diners: 3, voided: 1 });

    const wb = await readWorkbook(body);
    const names = wb.worksheets.map((ws) => ws.name);
    expect(names[0]).toBe('汇总');
    expect(names).toEqual(expect.arrayContaining(['日汇总', '花名册', `明细-${care.name}`, `明细-${shop.name}`]));
    const summary = wb.getWorksheet('汇总')!;
    expect(summary.getCell('A1').value).toBe('柳园街道幸福食堂老年人就餐补贴申报表（2025年3月）');
    expect(rowsOf(summary, SUMMARY_HEADER_ROW)[0].slice(1, 11)).toEqual([
      '序号',
      '食堂名称',
      '类型',
      '70–79岁人次',
      '70–79岁补贴金额',
      '80岁以上人次',
      '80岁以上补贴金额',
      '补贴合计',
      '就餐老人数',
      '作废笔数',
    ]);
    expect(summary.views[0]).toMatchObject({ state: 'frozen', ySplit: SUMMARY_HEADER_ROW });
    expect(summary.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9 });

    const rows = rowsOf(summary, SUMMARY_HEADER_ROW + 1);
    for (const canteen of [care, shop]) {
      const row = rows.find((r) => r[2] === canteen.name)!;
      const s = sql.byCanteen.get(canteen.id)!;
      expect(row[3]).toBe(canteen === care ? '养老设施型' : '企业挂牌型');
      expect([row[4], fen(row[5]), row[6], fen(row[7]), fen(row[8]), row[9], row[10]]).toEqual([
        s.m7079,
        s.f7079,
        s.m80,
        s.f80,
        s.f7079 + s.f80,
        s.diners,
        s.voided,
      ]);
    }
    const total = rows.find((r) => r[1] === '合计')!;
    expect([fen(total[5]), fen(total[7]), fen(total[8]), total[9], total[10]]).toEqual([
      [...sql.byCanteen.values()].reduce((s, r) => s + r.f7079, 0),
      [...sql.byCanteen.values()].reduce((s, r) => s + r.f80, 0),
      sql.fen,
      3,
      1,
    ]);
    expect(summary.getRow(SUMMARY_HEADER_ROW + 1).getCell(5).numFmt).toBe('¥#,##0.00');
    // Today's two tiers: their columns add up to 补贴合计 and to the subsidised meals, on 汇总 and 日汇总.
    const subsidised = await subsidisedMeals(t.db, { subdistrictId, canteenId: null, month: MONTH });
    expect(expectTierColumnsAddUp(wb, subsidised)).toEqual(['70–79岁', '80岁以上']);
    expect(claim.totals).toMatchObject({
      tiers: [
        {
          code: '70_79',
          label: '70–79岁',
          meals: sql.byCanteen.get(care.id)!.m7079 + sql.byCanteen.get(shop.id)!.m7079,
        },
        {
          code: '80_PLUS',
          label: '80岁以上',
          meals: sql.byCanteen.get(care.id)!.m80 + sql.byCanteen.get(shop.id)!.m80,
        },
      ],
    });
    const text = rows
      .flat()
      .filter((v) => typeof v === 'string')
      .join('\n');
    expect(text).toContain('70–79岁每餐¥2.00；80岁以上每餐¥4.00');
    expect(text).toMatch(/生成时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(text).toContain('经办人');
    expect(text).toContain('审核人');
    expect(text).toContain('负责人');
  });

  it('lists exactly the subsidised, non-voided meals of the month in date order, IDs masked', async () => {
    const wb = await readWorkbook(firstClaim.body);
    const careRows = detailRows(wb, care.name);
    const shopRows = detailRows(wb, shop.name);
    // care: 11 of 王八十 and one of 赵八五 at ¥3 (the voided one and the under-age one are left out)
    expect(careRows).toHaveLength(12);
    expect(shopRows).toHaveLength(14);
    // 14 detail rows on sheets of at most 12 rows (2 of them title and header): continued on further sheets.
    expect(wb.worksheets.map((ws) => ws.name)).toContain(`明细-${shop.name}（续2）`);
    expect(wb.getWorksheet(`明细-${shop.name}（续2）`)!.getRow(2).getCell(1).value).toBe('序号');
    expect(careRows.map((r) => r[1])).toEqual(careRows.map((_, i) => i + 1));

    const dates = shopRows.map((r) => r[2] as string);
    expect([...dates].sort()).toEqual(dates);
    expect(dates).toContain('2025-03-31');
    expect(dates).not.toContain('2025-04-01');
    expect(dates).not.toContain('2025-02-28');
    // A 07:30 breakfast stays on its own local date.
    expect(dates[0]).toBe('2025-03-01');

    const birthday = careRows.filter((r) => r[4] === turning80.name);
    expect(birthday).toHaveLength(11);
    for (const r of birthday) {
      const before = (r[2] as string) < '2025-03-15';
      expect([r[6], r[7], fen(r[9])]).toEqual(before ? [79, '70–79岁', 200] : [80, '80岁以上', 400]);
      expect(fen(r[8]) - fen(r[9])).toBe(fen(r[10]));
    }
    const cheap = careRows.find((r) => r[4] === aged85.name)!;
    expect([fen(cheap[8]), fen(cheap[9]), fen(cheap[10])]).toEqual([300, 300, 0]);
    for (const r of [...careRows, ...shopRows]) {
      expect(r[5]).toMatch(/^371502\*{8}\d{3}[\dX]$/);
      expect(typeof r[13]).toBe('string');
    }
    const raw = firstClaim.body.toString('latin1');
    for (const d of [turning80, aged74, aged85]) expect(raw).not.toContain(d.idNumber);

    const roster = dataRowsOnly(seriesRows(wb, '花名册'));
    expect(roster).toHaveLength(3);
    const r85 = roster.find((r) => r[2] === aged85.name)!;
    expect(String(r85[4]).split('、').sort()).toEqual([care.name, shop.name].sort());
    expect([r85[5], fen(r85[6])]).toEqual([2, 700]);

    const daily = seriesRows(wb, '日汇总');
    const dailyTotal = daily.find((r) => r[1] === '合计')!;
    const sql = await sqlTotals(null);
    expect([dailyTotal[7], fen(dailyTotal[8])]).toEqual([sql.meals, sql.fen]);
    const sumDaily = daily.filter((r) => r[1] !== '合计').reduce((s, r) => s + fen(r[8]), 0);
    expect(sumDaily).toBe(sql.fen);
  });

  it('records the SHA-256 of the file on disk, and leaves no temporary file', async () => {
    const [row] = await t.db.query(`SELECT file_path, sha256, file_size FROM claims WHERE id = $1`, [firstClaim.id]);
    const onDisk = readFileSync(join(claimsDir, row.file_path));
    expect(sha256(onDisk)).toBe(row.sha256);
    expect(readdirSync(join(claimsDir, MONTH)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    const [audit] = await t.db.query(
      `SELECT actor_user_id, details FROM audit_log WHERE action = 'CLAIM_DOWNLOADED' AND entity_id = $1`,
      [String(firstClaim.id)],
    );
    expect(audit).toMatchObject({ actor_user_id: finance.id, details: { month: MONTH, version: 1 } });
  });

  it('does nothing when the job of a finished claim is delivered again', async () => {
    const queue = t.app.get<Queue>(getQueueToken(CLAIMS_QUEUE));
    const before = await t.db.query(`SELECT status, sha256, finished_at, attempts FROM claims WHERE id = $1`, [
      firstClaim.id,
    ]);
    const job = await queue.add(JOB_BUILD_CLAIM, { claimId: firstClaim.id }, { jobId: `redelivered-${firstClaim.id}` });
    const until = Date.now() + 20_000;
    while (!(await job.isCompleted())) {
      if (Date.now() > until) throw new Error('re-delivered job did not complete');
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await t.db.query(`SELECT status, sha256, finished_at, attempts FROM claims WHERE id = $1`, [
      firstClaim.id,
    ]);
    expect(after).toEqual(before);
    expect(readdirSync(join(claimsDir, MONTH))).toHaveLength(1);
  });

  it('answers the same version when asked again with nothing changed, and version 2 once the data changed', async () => {
    const ask = () =>
      t.http().post('/api/claims').set('Authorization', finance.token).send({ month: MONTH }).expect(202);
    const same = await ask();
    expect(same.body).toMatchObject({ id: firstClaim.id, version: 1, status: 'DONE', sha256: sha256(firstClaim.body) });
    expect(same.body.dataSha256).toMatch(/^[0-9a-f]{64}$/);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM claims WHERE month = $1 AND canteen_id IS NULL`, [
      MONTH,
    ]);
    expect(n).toBe(1);

    // One more subsidised meal: a new version.
    await meal(care, aged74, '2025-03-25T12:00:00+08:00', { age: 74, tier: '70_79' });
    const again = await ask();
    expect(again.body.version).toBe(2);
    const v2 = await waitForClaim(t, finance.token, again.body.id);
    expect(v2.status).toBe('DONE');
    const v1 = (await t.http().get(`/api/claims/${firstClaim.id}`).set('Authorization', finance.token)).body;
    expect(v2.totals).toMatchObject({ meals: v1.totals.meals + 1, subsidyFen: v1.totals.subsidyFen + 200 });
    expect(v2.dataSha256).not.toBe(v1.dataSha256);
    const v1File = await downloadClaim(t, finance.token, firstClaim.id);
    expect(sha256(v1File.body)).toBe(sha256(firstClaim.body));
    const list = await t.http().get(`/api/claims?month=${MONTH}`).set('Authorization', finance.token).expect(200);
    expect(list.body.items.map((c: { version: number }) => c.version)).toEqual([2, 1]);
  });

  it('builds one canteen claim with only that canteen', async () => {
    const res = await t
      .http()
      .post('/api/claims')
      .set('Authorization', finance.token)
      .send({ month: MONTH, canteenId: care.id })
      .expect(202);
    const claim = await waitForClaim(t, finance.token, res.body.id);
    const sql = await sqlTotals(care.id);
    expect(claim.totals).toMatchObject({ meals: sql.meals, subsidyFen: sql.fen });
    const wb = await readWorkbook((await downloadClaim(t, finance.token, claim.id)).body);
    const rows = rowsOf(wb.getWorksheet('汇总')!, SUMMARY_HEADER_ROW + 1).filter((r) => typeof r[1] === 'number');
    expect(rows.map((r) => r[2])).toEqual([care.name]);
    expect(wb.worksheets.some((ws) => ws.name.includes(shop.name))).toBe(false);
  });

  it('keeps claims within reach: operators see only their canteens, others get 404', async () => {
    const operator = await createUser(t, 'OPERATOR', { canteenIds: [care.id] });
    const list = await t.http().get(`/api/claims?month=${MONTH}`).set('Authorization', operator.token).expect(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((c: { canteenId: number }) => c.canteenId === care.id)).toBe(true);
    const own = list.body.items[0].id;
    await downloadClaim(t, operator.token, own);
    const sub = await t.http().get(`/api/claims/${firstClaim.id}`).set('Authorization', operator.token).expect(404);
    expect(sub.body).toMatchObject({ code: 'CLAIM_NOT_FOUND', message: '申报记录不存在' });
    await t.http().get(`/api/claims/${firstClaim.id}/file`).set('Authorization', operator.token).expect(404);
    const post = await t
      .http()
      .post('/api/claims')
      .set('Authorization', operator.token)
      .send({ month: MONTH })
      .expect(403);
    expect(post.body.code).toBe('ROLE_FORBIDDEN');
    const cashierList = await t.http().get('/api/claims').set('Authorization', cashier.token).expect(403);
    expect(cashierList.body.code).toBe('ROLE_FORBIDDEN');

    const otherSub = await createSubdistrict(t.db);
    const outsider = await createUser(t, 'FINANCE', { subdistrictId: otherSub });
    await t.http().get(`/api/claims/${firstClaim.id}`).set('Authorization', outsider.token).expect(404);
    const foreign = await t
      .http()
      .post('/api/claims')
      .set('Authorization', outsider.token)
      .send({ month: MONTH, canteenId: care.id })
      .expect(403);
    expect(foreign.body.code).toBe('CANTEEN_FORBIDDEN');
    await t.http().get('/api/claims/999999').set('Authorization', finance.token).expect(404);
    await t.http().get('/api/claims/abc').set('Authorization', finance.token).expect(404);
  });

  it('refuses bad months, unknown canteens and files that are not ready, with stable codes', async () => {
    const bad = await t
      .http()
      .post('/api/claims')
      .set('Authorization', finance.token)
      .send({ month: '2025-13' })
      .expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', message: '月份格式应为 YYYY-MM，如 2025-03' });
    const future = await t
      .http()
      .post('/api/claims')
      .set('Authorization', finance.token)
      .send({ month: '2999-01' })
      .expect(400);
    expect(future.body.code).toBe('MONTH_IN_FUTURE');
    const unknown = await t
      .http()
      .post('/api/claims')
      .set('Authorization', finance.token)
      .send({ month: MONTH, canteenId: 999999 })
      .expect(404);
    expect(unknown.body.code).toBe('CANTEEN_NOT_FOUND');
    // A claim still queued (arranged directly: no job for it) cannot be downloaded yet.
    const [queued] = await t.db.query(
      `INSERT INTO claims (subdistrict_id, canteen_id, month, version) VALUES ($1, NULL, '2024-11', 1) RETURNING id`,
      [subdistrictId],
    );
    const notReady = await t
      .http()
      .get(`/api/claims/${queued.id}/file`)
      .set('Authorization', finance.token)
      .expect(409);
    expect(notReady.body).toEqual({
      statusCode: 409,
      code: 'CLAIM_NOT_READY',
      message: expect.stringMatching(/尚未生成完成/),
    });
    await t.db.query(`UPDATE claims SET status = 'FAILED', error = 'test' WHERE id = $1`, [queued.id]);
  });

  it('schedules last month’s claim on the 1st at 02:00 Shanghai, and the monthly job is idempotent', async () => {
    const queue = t.app.get<Queue>(getQueueToken(CLAIMS_QUEUE));
    const scheduler = await queue.getJobScheduler(MONTHLY_CLAIM_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ pattern: '0 2 1 * *', tz: 'Asia/Shanghai', name: JOB_MONTHLY_CLAIM });

    for (const run of [1, 2]) {
      const job = await queue.add(JOB_MONTHLY_CLAIM, { month: '2025-01' }, { jobId: `monthly-test-${run}` });
      const until = Date.now() + 30_000;
      while (!(await job.isCompleted())) {
        if (Date.now() > until) throw new Error('monthly job did not complete');
        await new Promise((r) => setTimeout(r, 100));
      }
      const [{ id }] = await t.db.query(`SELECT id FROM claims WHERE month = '2025-01' ORDER BY id LIMIT 1`);
      expect((await waitForClaim(t, finance.token, id)).status).toBe('DONE');
    }
    const claims = await t.db.query(`SELECT subdistrict_id, canteen_id, version FROM claims WHERE month = '2025-01'`);
    const subs: { n: number }[] = await t.db.query(`SELECT count(*)::int AS n FROM subdistricts`);
    // One sub-district claim per sub-district, however often the job runs.
    expect(claims).toHaveLength(subs[0].n);
    expect(
      claims.every((c: { canteen_id: number | null; version: number }) => c.canteen_id === null && c.version === 1),
    ).toBe(true);
  });
});
