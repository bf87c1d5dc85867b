import { Client } from 'pg';
import { createCanteen, createUser, firstSubdistrictId, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// GET /api/claims answers in a fixed number of statements, however many claims it lists. No worker runs here, so
// every statement this process sends during the request is the request's own.
describe('GET /api/claims statements', () => {
  let t: TestApp;
  let finance: UserFixture;
  let canteenIds: number[];

  beforeAll(async () => {
    t = await startTestApp();
    finance = await createUser(t, 'FINANCE');
    const subdistrictId = await firstSubdistrictId(t.db);
    canteenIds = [
      (await createCanteen(t.db, { name: '馨泰颐养中心幸福食堂' })).id,
      (await createCanteen(t.db, { name: '东关国际幸福食堂' })).id,
    ];
    // One claim in 2024-01; twenty in 2024-02 (sub-district and canteen claims, finished ones: no job needed).
    const claims: [string, number | null, number][] = [['2024-01', null, 1]];
    for (let v = 1; v <= 10; v++) claims.push(['2024-02', null, v], ['2024-02', canteenIds[v % 2], v]);
    for (const [month, canteenId, version] of claims) {
      await t.db.query(
        `INSERT INTO claims (subdistrict_id, canteen_id, month, version, status, error)
         VALUES ($1, $2, $3, $4, 'FAILED', 'CLAIM_BUILD_FAILED: 测试')`,
        [subdistrictId, canteenId, month, version],
      );
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The statements sent to PostgreSQL by this process while listing a month's claims. */
  async function listCounting(month: string): Promise<{ body: { canteenId: number | null }[]; statements: number }> {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const res = await t.http().get(`/api/claims?month=${month}`).set('Authorization', finance.token).expect(200);
      return { body: res.body.items, statements: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  it('lists 20 claims with as many statements as 1 claim', async () => {
    const one = await listCounting('2024-01');
    const twenty = await listCounting('2024-02');
    expect(one.body).toHaveLength(1);
    expect(twenty.body).toHaveLength(20);
    expect(one.statements).toBeGreaterThan(0);
    expect(twenty.statements).toBe(one.statements);
    // The canteen's name comes with each claim, from the same statement.
    expect(twenty.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ canteenId: canteenIds[0], canteenName: '馨泰颐养中心幸福食堂' }),
        expect.objectContaining({ canteenId: canteenIds[1], canteenName: '东关国际幸福食堂' }),
        expect.objectContaining({ canteenId: null, canteenName: null, status: 'FAILED', version: 10 }),
      ]),
    );
  });
});
