import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_POLICY_EFFECTIVE_FROM,
  DEFAULT_POLICY_TIERS,
  evaluateSubsidy,
  PolicyTier,
  PolicyVersion,
  selectPolicyVersion,
} from '../src/subsidy/subsidy-calculator';
import {
  downloadClaim,
  expectTierColumnsAddUp,
  readWorkbook,
  rowsOf,
  SUMMARY_HEADER_ROW,
  dataRowsOnly,
  subsidisedMeals,
  waitForClaim,
} from './support/claims';
import {
  CanteenFixture,
  createCanteen,
  createDiner,
  createUser,
  DinerFixture,
  insertMeal,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

// The claim's tier columns follow the policy: a third tier gets its own columns, and the tiers add up to 补贴合计.
const THREE_TIERS: PolicyTier[] = [
  { minAge: 70, maxAge: 79, amountFen: 200 },
  { minAge: 80, maxAge: 89, amountFen: 400 },
  { minAge: 90, maxAge: null, amountFen: 600 },
];
const NEW_POLICY_FROM = '2025-05-16';

jest.setTimeout(60_000);

describe('Claim tier columns from the policy (three tiers from mid-May 2025)', () => {
  let t: TestApp;
  let worker: TestWorker;
  let claimsDir: string;
  let subdistrictId: number;
  let finance: UserFixture;
  let cashier: UserFixture;
  let hall: CanteenFixture;
  let kitchen: CanteenFixture;
  let versions: PolicyVersion[];

  // A meal as the till would have recorded it: the policy version of its date, its tier, min(amount, price).
  async function meal(canteen: CanteenFixture, diner: DinerFixture, day: string, priceFen = 1200, voided = false) {
    const policy = selectPolicyVersion(versions, day);
    const r = evaluateSubsidy({ policy, birthDate: diner.birthDate, mealDate: day, priceFen });
    const servedAt = new Date(`${day}T11:30:00+08:00`);
    await insertMeal(t.db, {
      canteen,
      dinerId: diner.id,
      cashierUserId: cashier.id,
      servedAt,
      mealDate: day,
      priceFen,
      subsidyFen: r.subsidyFen,
      age: r.age,
      tier: r.tier,
      reason: r.reason,
      policyVersionId: r.policyVersionId,
      voided: voided ? { by: cashier.id, reason: '录错了' } : null,
    });
  }

  async function claimWorkbook(month: string) {
    const res = await t.http().post('/api/claims').set('Authorization', finance.token).send({ month }).expect(202);
    const claim = await waitForClaim(t, finance.token, res.body.id);
    expect(claim.status).toBe('DONE');
    return { claim, wb: await readWorkbook((await downloadClaim(t, finance.token, claim.id)).body) };
  }

  beforeAll(async () => {
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-claims-tiers-'));
    t = await startTestApp({ env: { CLAIMS_DIR: claimsDir } });
    worker = await startTestWorker(t.config);
    [{ id: subdistrictId }] = await t.db.query(`SELECT id FROM subdistricts ORDER BY id LIMIT 1`);
    // History, so written as the migration wrote the first version: the admin API only takes future dates, and a
    // claim only a month that has begun.
    const [v2] = await t.db.query(
      `INSERT INTO subsidy_policy_versions (effective_from, limit_mode, tiers, note)
       VALUES ($1, 'PER_DAY', $2, '90岁以上每餐6元') RETURNING id`,
      [NEW_POLICY_FROM, JSON.stringify(THREE_TIERS)],
    );
    versions = [
      { id: 1, effectiveFrom: DEFAULT_POLICY_EFFECTIVE_FROM, tiers: DEFAULT_POLICY_TIERS, limitMode: 'PER_DAY' },
      { id: v2.id, effectiveFrom: NEW_POLICY_FROM, tiers: THREE_TIERS, limitMode: 'PER_DAY' },
    ];
    hall = await createCanteen(t.db, { name: '东关国际幸福食堂' });
    kitchen = await createCanteen(t.db, { name: '馨泰颐养中心幸福食堂' });
    finance = await createUser(t, 'FINANCE');
    cashier = await createUser(t, 'CASHIER', { canteenIds: [hall.id, kitchen.id] });
    const aged75 = await createDiner(t, { birthDate: '1950-01-10', name: '李七五' });
    const aged85 = await createDiner(t, { birthDate: '1940-02-20', name: '赵八五' });
    const aged92 = await createDiner(t, { birthDate: '1933-03-30', name: '钱九二' });
    for (let day = 12; day <= 20; day++) {
      const d = `2025-05-${day}`;
      await meal(hall, aged75, d);
      await meal(day % 2 ? hall : kitchen, aged85, d);
      await meal(kitchen, aged92, d, day === 19 ? 500 : 1200);
    }
    // A voided 90+ meal counts in no tier.
    await meal(kitchen, aged92, '2025-05-21', 1200, true);
    // June: the three tiers are in force, though only the 70–79 one has meals.
    await meal(hall, aged75, '2025-06-03');
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  it('gives each tier of the month its columns, and they add up to 补贴合计 and the subsidised meals to the fen', async () => {
    const { claim, wb } = await claimWorkbook('2025-05');
    const sql = await subsidisedMeals(t.db, { subdistrictId, canteenId: null, month: '2025-05' });
    expect(sql.total).toEqual({ meals: 27, fen: 9 * 200 + 4 * 400 + 5 * 400 + 4 * 400 + 4 * 600 + 500 });
    // The old version's 80+ until the 15th, the new one's 80–89 and 90+ from the 16th.
    expect(expectTierColumnsAddUp(wb, sql)).toEqual(['70–79岁', '80–89岁', '80岁以上', '90岁以上']);
    expect(rowsOf(wb.getWorksheet('汇总')!, SUMMARY_HEADER_ROW)[0].slice(4, 12)).toEqual([
      '70–79岁人次',
      '70–79岁补贴金额',
      '80–89岁人次',
      '80–89岁补贴金额',
      '80岁以上人次',
      '80岁以上补贴金额',
      '90岁以上人次',
      '90岁以上补贴金额',
    ]);

    const byTier: { tier: string; meals: number; fen: number }[] = await t.db.query(
      `SELECT tier, count(*)::int AS meals, sum(subsidy_fen)::int AS fen FROM meals
        WHERE meal_date BETWEEN '2025-05-01' AND '2025-05-31' AND voided_at IS NULL AND subsidy_fen > 0
        GROUP BY tier ORDER BY tier`,
    );
    expect(byTier).toEqual([
      { tier: '70_79', meals: 9, fen: 1800 },
      { tier: '80_89', meals: 5, fen: 2000 },
      { tier: '80_PLUS', meals: 8, fen: 3200 },
      { tier: '90_PLUS', meals: 5, fen: 2900 },
    ]);
    expect(claim.totals).toMatchObject({
      meals: sql.total.meals,
      subsidyFen: sql.total.fen,
      voided: 1,
      tiers: [
        { code: '70_79', label: '70–79岁', meals: 9, subsidyFen: 1800 },
        { code: '80_89', label: '80–89岁', meals: 5, subsidyFen: 2000 },
        { code: '80_PLUS', label: '80岁以上', meals: 8, subsidyFen: 3200 },
        { code: '90_PLUS', label: '90岁以上', meals: 5, subsidyFen: 2900 },
      ],
    });
    // The detail sheet names the new tiers too.
    const detail = wb.worksheets
      .filter((ws) => ws.name.startsWith(`明细-${kitchen.name}`))
      .flatMap((ws) => dataRowsOnly(rowsOf(ws, 3)));
    expect(new Set(detail.map((r) => r[7]))).toEqual(new Set(['80岁以上', '80–89岁', '90岁以上']));
  });

  it('shows the tiers of the policy in force even when a tier has no meal that month', async () => {
    const { wb } = await claimWorkbook('2025-06');
    const sql = await subsidisedMeals(t.db, { subdistrictId, canteenId: null, month: '2025-06' });
    expect(sql.total).toEqual({ meals: 1, fen: 200 });
    expect(expectTierColumnsAddUp(wb, sql)).toEqual(['70–79岁', '80–89岁', '90岁以上']);
  });
});
