import { Verification } from '../src/common/enums';
import { insertMonthLock } from '../src/meals/month-lock.queries';
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

// SPEC §5 edit checks (GET /api/claims/{id}/checks): each check made to fire, and kept quiet just below its threshold,
// with the counts checked against the meals table. Every test has a sub-district of its own, so no finding of one
// test reaches another. Claims are arranged in SQL (no worker: the checks read the meals, not the workbook).

const MONTH = '2025-03';
jest.setTimeout(60_000);

interface Finding {
  code: string;
  severity: string;
  canteenId: number;
  canteenName: string;
  count: number;
  message: string;
  examples: Record<string, unknown>[];
}

describe('Claim edit checks', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  interface World {
    subdistrictId: number;
    finance: UserFixture;
    canteens: CanteenFixture[];
    cashiers: UserFixture[];
    diners: DinerFixture[];
    claimId: number;
  }

  async function world(opts: { canteens?: number; cashiers?: number; diners?: number } = {}): Promise<World> {
    const subdistrictId = await createSubdistrict(t.db);
    const canteens: CanteenFixture[] = [];
    for (let i = 0; i < (opts.canteens ?? 2); i++) canteens.push(await createCanteen(t.db, { subdistrictId }));
    const finance = await createUser(t, 'FINANCE', { subdistrictId });
    const cashiers: UserFixture[] = [];
    for (let i = 0; i < (opts.cashiers ?? 1); i++) {
      cashiers.push(await createUser(t, 'CASHIER', { subdistrictId, canteenIds: canteens.map((c) => c.id) }));
    }
    const diners: DinerFixture[] = [];
    for (let i = 0; i < (opts.diners ?? 6); i++) {
      diners.push(await createDiner(t, { birthDate: '1948-05-05', subdistrictId, name: `检查老人${i}` }));
    }
    const [claim] = await t.db.query(
      `INSERT INTO claims (subdistrict_id, canteen_id, month, version) VALUES ($1, NULL, $2, 1) RETURNING id`,
      [subdistrictId, MONTH],
    );
    return { subdistrictId, finance, canteens, cashiers, diners, claimId: claim.id };
  }

  // A subsidised lunch (76 years old, ¥2) served at 12:00 Shanghai time on the day.
  async function meal(
    w: World,
    o: {
      canteen?: number;
      diner?: number;
      day: number;
      cashier?: number;
      verification?: Verification;
      recordedAfterMin?: number;
      voided?: boolean;
      unsubsidised?: boolean;
      period?: 'BREAKFAST' | 'LUNCH' | 'DINNER';
      outsideHours?: boolean;
    },
  ): Promise<string> {
    const date = `${MONTH}-${String(o.day).padStart(2, '0')}`;
    const servedAt = new Date(`${date}T12:00:00+08:00`);
    const cashier = w.cashiers[o.cashier ?? 0];
    return insertMeal(t.db, {
      canteen: w.canteens[o.canteen ?? 0],
      dinerId: w.diners[o.diner ?? 0].id,
      cashierUserId: cashier.id,
      servedAt,
      mealDate: date,
      period: o.period,
      priceFen: 1200,
      subsidyFen: o.unsubsidised ? 0 : 200,
      age: o.unsubsidised ? 66 : 76,
      tier: o.unsubsidised ? 'NONE' : '70_79',
      reason: o.unsubsidised ? 'UNDER_AGE' : 'TIER_70_79',
      verification: o.verification,
      recordedAt:
        o.recordedAfterMin === undefined ? undefined : new Date(servedAt.getTime() + o.recordedAfterMin * 60_000),
      voided: o.voided ? { by: cashier.id, reason: '录错了' } : null,
      outsideHours: o.outsideHours,
    });
  }

  async function checks(w: World): Promise<Finding[]> {
    const res = await t.http().get(`/api/claims/${w.claimId}/checks`).set('Authorization', w.finance.token).expect(200);
    expect(res.body).toMatchObject({ claimId: w.claimId, month: MONTH });
    expect(res.body.checked).toEqual([
      'DINER_INACTIVE_AT_MEAL',
      'DINER_INACTIVE_EXPLAINED',
      'OUTSIDE_HOURS',
      'BACKDATED',
      'MANUAL_ENTRY_SHARE',
      'VOID_SHARE',
      'DAILY_OUTLIER',
      'OFFLINE_CONFLICT',
    ]);
    return res.body.findings as Finding[];
  }
  const of = (findings: Finding[], code: string): Finding[] => findings.filter((f) => f.code === code);

  it('finds nothing in an ordinary month', async () => {
    const w = await world();
    for (let day = 1; day <= 5; day++) {
      for (let d = 0; d < 3; d++) await meal(w, { day, diner: d, canteen: d % 2 });
    }
    expect(await checks(w)).toEqual([]);
  });

  describe('DINER_INACTIVE_AT_MEAL (blocks)', () => {
    it('fires for subsidised meals on or after an inactive status dated back, with masked ID numbers only', async () => {
      const w = await world();
      const deceased = w.diners[1];
      // Recorded later with an earlier effective date: the meals of 10 March on were not eligible.
      await t.db.query(`UPDATE diners SET status = 'DECEASED', status_effective_from = '2025-03-10' WHERE id = $1`, [
        deceased.id,
      ]);
      await meal(w, { diner: 1, day: 5 }); // before the status: fine
      const flagged = [await meal(w, { diner: 1, day: 10 }), await meal(w, { diner: 1, day: 12, canteen: 1 })];
      flagged.push(await meal(w, { diner: 1, day: 14 }));
      await meal(w, { diner: 1, day: 15, voided: true }); // voided: counts nowhere
      await meal(w, { diner: 1, day: 16, unsubsidised: true }); // no subsidy paid
      await meal(w, { diner: 0, day: 12 }); // an active diner
      const found = of(await checks(w), 'DINER_INACTIVE_AT_MEAL');
      const [sql] = await t.db.query(
        `SELECT count(*)::int AS n FROM meals m JOIN diners d ON d.id = m.diner_id
          WHERE m.subdistrict_id = $1 AND m.voided_at IS NULL AND m.subsidy_fen > 0 AND d.status <> 'ACTIVE'
            AND m.meal_date >= d.status_effective_from`,
        [w.subdistrictId],
      );
      expect(found.reduce((n, f) => n + f.count, 0)).toBe(sql.n);
      expect(found.map((f) => [f.canteenId, f.count, f.severity])).toEqual([
        [w.canteens[0].id, 2, 'BLOCK'],
        [w.canteens[1].id, 1, 'BLOCK'],
      ]);
      expect(found[0].examples.map((e) => e.mealId)).toEqual([flagged[0], flagged[2]]);
      expect(found[0].examples[0]).toMatchObject({
        mealDate: '2025-03-10',
        dinerName: deceased.name,
        status: 'DECEASED',
        statusEffectiveFrom: '2025-03-10',
        maskedIdNumber: `${deceased.idNumber.slice(0, 6)}********${deceased.idNumber.slice(14)}`,
      });
      expect(found[0].message).toContain('2 笔');
      expect(JSON.stringify(found)).not.toContain(deceased.idNumber);
    });

    it('stays quiet when the status takes effect after the month', async () => {
      const w = await world();
      await t.db.query(`UPDATE diners SET status = 'MOVED_AWAY', status_effective_from = '2025-04-01' WHERE id = $1`, [
        w.diners[0].id,
      ]);
      for (let day = 1; day <= 31; day += 5) await meal(w, { day });
      expect(of(await checks(w), 'DINER_INACTIVE_AT_MEAL')).toEqual([]);
    });
  });

  describe('DINER_INACTIVE_EXPLAINED (an operator explained the meal: a warning, no longer blocking)', () => {
    it('moves an explained meal from the blocking finding to a warning with the note, and refuses what it must', async () => {
      const w = await world();
      const operator = await createUser(t, 'OPERATOR', {
        subdistrictId: w.subdistrictId,
        canteenIds: w.canteens.map((c) => c.id),
      });
      await t.db.query(`UPDATE diners SET status = 'SUSPENDED', status_effective_from = '2025-03-10' WHERE id = $1`, [
        w.diners[1].id,
      ]);
      const [a, b] = [await meal(w, { diner: 1, day: 11 }), await meal(w, { diner: 1, day: 12 })];
      const active = await meal(w, { diner: 0, day: 12 });
      const voided = await meal(w, { diner: 1, day: 13, voided: true });
      expect(of(await checks(w), 'DINER_INACTIVE_EXPLAINED')).toEqual([]);
      const explain = (id: string, token: string, note: unknown = '状态生效日期登记错误，应为 3 月 20 日') =>
        t.http().post(`/api/meals/${id}/explanation`).set('Authorization', token).send({ note });

      // Refused, with nothing written: a blank note, a meal that needs none, a voided one, a cashier, another site.
      expect((await explain(a, operator.token, '   ').expect(400)).body.code).toBe('EXPLANATION_NOTE_REQUIRED');
      expect((await explain(active, operator.token).expect(409)).body.code).toBe('MEAL_NOT_FLAGGED');
      expect((await explain(voided, operator.token).expect(409)).body.code).toBe('MEAL_ALREADY_VOIDED');
      expect((await explain(a, w.cashiers[0].token).expect(403)).body.code).toBe('ROLE_FORBIDDEN');
      const elsewhere = await createUser(t, 'OPERATOR', { subdistrictId: await createSubdistrict(t.db) });
      expect((await explain(a, elsewhere.token).expect(404)).body.code).toBe('MEAL_NOT_FOUND');
      expect(await t.db.query(`SELECT 1 FROM meal_explanations`)).toEqual([]);

      const res = await explain(a, operator.token).expect(201);
      expect(res.body).toMatchObject({
        id: a,
        dinerInactiveAtMeal: true,
        explanation: { note: '状态生效日期登记错误，应为 3 月 20 日', by: { id: operator.id } },
      });
      expect((await explain(a, operator.token).expect(409)).body.code).toBe('MEAL_ALREADY_EXPLAINED');
      const [audit] = await t.db.query(
        `SELECT actor_user_id, details->>'note' AS note FROM audit_log WHERE action = 'MEAL_EXPLAINED' AND entity_id = $1`,
        [a],
      );
      expect(audit).toEqual({ actor_user_id: operator.id, note: '状态生效日期登记错误，应为 3 月 20 日' });

      const found = await checks(w);
      expect(of(found, 'DINER_INACTIVE_AT_MEAL').map((f) => [f.count, f.examples.map((e) => e.mealId)])).toEqual([
        [1, [b]],
      ]);
      const explained = of(found, 'DINER_INACTIVE_EXPLAINED');
      expect(explained.map((f) => [f.canteenId, f.count, f.severity])).toEqual([[w.canteens[0].id, 1, 'WARN']]);
      expect(explained[0].examples[0]).toMatchObject({
        mealId: a,
        note: '状态生效日期登记错误，应为 3 月 20 日',
        status: 'SUSPENDED',
        statusLabel: expect.any(String),
      });

      // The day's list carries the flag and the explanation.
      const day = await t
        .http()
        .get(`/api/canteens/${w.canteens[0].id}/meals`)
        .query({ date: `${MONTH}-12` })
        .set('Authorization', operator.token)
        .expect(200);
      const items = day.body.items as { id: string; dinerInactiveAtMeal: boolean; explanation: unknown }[];
      expect(items.find((i) => i.id === b)).toMatchObject({ dinerInactiveAtMeal: true, explanation: null });
      expect(items.find((i) => i.id === active)).toMatchObject({ dinerInactiveAtMeal: false, explanation: null });

      // A locked month takes no explanation.
      await insertMonthLock(t.db, {
        subdistrictId: w.subdistrictId,
        canteenId: null,
        month: MONTH,
        lockedBy: w.finance.id,
      });
      expect((await explain(b, operator.token).expect(409)).body.code).toBe('MONTH_LOCKED');
      expect(await t.db.query(`SELECT meal_id::text AS id FROM meal_explanations`)).toEqual([{ id: a }]);
    });
  });

  describe('OUTSIDE_HOURS', () => {
    it('fires for subsidised meals recorded outside their period’s hours, per canteen', async () => {
      const w = await world();
      const first = await meal(w, { day: 3, outsideHours: true, period: 'DINNER' });
      await meal(w, { day: 4, diner: 1, outsideHours: true });
      await meal(w, { day: 5, canteen: 1, outsideHours: true });
      await meal(w, { day: 6, outsideHours: true, voided: true }); // voided: not claimed
      await meal(w, { day: 7, diner: 2, outsideHours: true, unsubsidised: true }); // no subsidy paid
      await meal(w, { day: 8 }); // within hours
      const found = of(await checks(w), 'OUTSIDE_HOURS');
      const sql: { canteen_id: number; n: number }[] = await t.db.query(
        `SELECT canteen_id, count(*)::int AS n FROM meals
          WHERE subdistrict_id = $1 AND voided_at IS NULL AND subsidy_fen > 0 AND outside_hours
          GROUP BY canteen_id ORDER BY canteen_id`,
        [w.subdistrictId],
      );
      expect(found.map((f) => ({ canteen_id: f.canteenId, n: f.count }))).toEqual(sql);
      expect(sql).toEqual([
        { canteen_id: w.canteens[0].id, n: 2 },
        { canteen_id: w.canteens[1].id, n: 1 },
      ]);
      expect(found[0]).toMatchObject({ severity: 'WARN', canteenName: w.canteens[0].name });
      expect(found[0].message).toContain('供餐时段以外');
      expect(found[0].examples[0]).toMatchObject({
        mealId: first,
        mealDate: '2025-03-03',
        mealPeriod: 'DINNER',
        servedAt: '2025-03-03 12:00',
        cashier: w.cashiers[0].username,
      });
    });

    it('stays quiet when the only meals outside hours are voided or unsubsidised', async () => {
      const w = await world();
      await meal(w, { day: 3 });
      await meal(w, { day: 4, outsideHours: true, voided: true });
      await meal(w, { day: 5, diner: 1, outsideHours: true, unsubsidised: true });
      expect(of(await checks(w), 'OUTSIDE_HOURS')).toEqual([]);
    });
  });

  describe('BACKDATED', () => {
    it('fires for subsidised meals recorded more than an hour after they were served', async () => {
      const w = await world();
      const late = await meal(w, { day: 3, recordedAfterMin: 61 });
      await meal(w, { day: 4, diner: 1, recordedAfterMin: 3 * 24 * 60 });
      await meal(w, { day: 5, recordedAfterMin: 60 }); // exactly an hour: fine
      await meal(w, { day: 6, recordedAfterMin: 120, voided: true }); // voided: not claimed
      const found = of(await checks(w), 'BACKDATED');
      const [sql] = await t.db.query(
        `SELECT count(*)::int AS n FROM meals WHERE subdistrict_id = $1 AND voided_at IS NULL AND subsidy_fen > 0
            AND recorded_at > served_at + interval '1 hour'`,
        [w.subdistrictId],
      );
      expect(sql.n).toBe(2);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ canteenId: w.canteens[0].id, count: 2, severity: 'WARN' });
      expect(found[0].examples[0]).toMatchObject({
        mealId: late,
        servedAt: '2025-03-03 12:00',
        recordedAt: '2025-03-03 13:01',
        cashier: w.cashiers[0].username,
      });
    });

    it('stays quiet for meals recorded within the hour', async () => {
      const w = await world();
      await meal(w, { day: 3, recordedAfterMin: 0 });
      await meal(w, { day: 4, recordedAfterMin: 59 });
      await meal(w, { day: 5, recordedAfterMin: 60 });
      expect(of(await checks(w), 'BACKDATED')).toEqual([]);
    });
  });

  describe('MANUAL_ENTRY_SHARE', () => {
    it('fires for a cashier typing more than 30% of the ID numbers, meal cards not counted', async () => {
      const w = await world({ cashiers: 2, diners: 2 });
      // Cashier 0: 4 typed of 10 ID numbers (40%), plus meal cards that do not dilute it.
      for (let day = 1; day <= 10; day++) {
        await meal(w, { day, cashier: 0, verification: day <= 4 ? 'MANUAL_ENTRY' : 'ID_CARD_READER' });
      }
      for (let day = 11; day <= 25; day++) await meal(w, { day, cashier: 0, verification: 'MEAL_CARD' });
      // Cashier 1 at the other canteen: 3 of 10 (30%), not over.
      for (let day = 1; day <= 10; day++) {
        await meal(w, {
          day,
          cashier: 1,
          canteen: 1,
          diner: 1,
          verification: day <= 3 ? 'MANUAL_ENTRY' : 'ID_CARD_READER',
        });
      }
      const found = of(await checks(w), 'MANUAL_ENTRY_SHARE');
      const [sql] = await t.db.query(
        `SELECT count(*) FILTER (WHERE verification = 'MANUAL_ENTRY')::int AS manual,
                count(*) FILTER (WHERE verification <> 'MEAL_CARD')::int AS by_id
           FROM meals WHERE cashier_user_id = $1`,
        [w.cashiers[0].id],
      );
      expect(sql).toEqual({ manual: 4, by_id: 10 });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ canteenId: w.canteens[0].id, count: 1, severity: 'WARN' });
      expect(found[0].examples).toEqual([
        { cashierId: w.cashiers[0].id, cashier: w.cashiers[0].username, meals: 10, manualEntries: 4, share: '40.0%' },
      ]);
    });

    it('stays quiet at 30% and below', async () => {
      const w = await world({ diners: 1 });
      for (let day = 1; day <= 10; day++) {
        await meal(w, { day, verification: day <= 3 ? 'MANUAL_ENTRY' : 'ID_CARD_READER' });
      }
      expect(of(await checks(w), 'MANUAL_ENTRY_SHARE')).toEqual([]);
    });
  });

  describe('VOID_SHARE', () => {
    it('fires for a cashier voiding more than 5% of the meals they recorded', async () => {
      const w = await world({ diners: 1 });
      // 20 meals, 2 voided (10%).
      for (let day = 1; day <= 20; day++) await meal(w, { day, voided: day <= 2 });
      const found = of(await checks(w), 'VOID_SHARE');
      const [sql] = await t.db.query(
        `SELECT count(*)::int AS meals, count(voided_at)::int AS voided FROM meals WHERE cashier_user_id = $1`,
        [w.cashiers[0].id],
      );
      expect(sql).toEqual({ meals: 20, voided: 2 });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ canteenId: w.canteens[0].id, count: 1 });
      expect(found[0].examples[0]).toMatchObject({ meals: 20, voided: 2, share: '10.0%' });
    });

    it('stays quiet at 5%, and for a cashier with too few meals to judge', async () => {
      const w = await world({ cashiers: 2, diners: 2 });
      for (let day = 1; day <= 20; day++) await meal(w, { day, voided: day === 1 });
      // 1 of 3 voided: too few meals to say anything.
      for (let day = 1; day <= 3; day++) await meal(w, { day, cashier: 1, canteen: 1, diner: 1, voided: day === 1 });
      expect(of(await checks(w), 'VOID_SHARE')).toEqual([]);
    });
  });

  describe('DAILY_OUTLIER', () => {
    it("fires for a canteen day with more than twice the canteen's median", async () => {
      const w = await world({ diners: 6 });
      // Canteen 0: 2 meals a day on days 1–5, 5 on day 6 (median 2, 5 > 4).
      for (let day = 1; day <= 5; day++) for (let d = 0; d < 2; d++) await meal(w, { day, diner: d });
      for (let d = 0; d < 5; d++) await meal(w, { day: 6, diner: d });
      // Canteen 1: 2 a day and 4 on day 6 (exactly twice): quiet.
      for (let day = 1; day <= 5; day++) for (let d = 0; d < 2; d++) await meal(w, { day, diner: d + 2, canteen: 1 });
      for (let d = 0; d < 4; d++) await meal(w, { day: 7, diner: d, canteen: 1 });
      const found = of(await checks(w), 'DAILY_OUTLIER');
      const perDay: { meals: number }[] = await t.db.query(
        `SELECT count(*)::int AS meals FROM meals WHERE canteen_id = $1 AND subsidy_fen > 0 GROUP BY meal_date`,
        [w.canteens[0].id],
      );
      expect(perDay.map((r) => r.meals).sort()).toEqual([2, 2, 2, 2, 2, 5]);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ canteenId: w.canteens[0].id, count: 1 });
      expect(found[0].examples).toEqual([{ date: '2025-03-06', meals: 5, median: 2 }]);
    });

    it('stays quiet when every day is within twice the median', async () => {
      const w = await world({ diners: 4 });
      for (let day = 1; day <= 5; day++) for (let d = 0; d < 2; d++) await meal(w, { day, diner: d });
      for (let d = 0; d < 4; d++) await meal(w, { day: 6, diner: d });
      expect(of(await checks(w), 'DAILY_OUTLIER')).toEqual([]);
    });
  });

  describe('OFFLINE_CONFLICT', () => {
    // An offline till quoted ¥2 but the server paid nothing (the meal is at full price): ¥2 under-collected.
    async function offlineConflict(w: World, o: { day: number; canteen?: number; settled?: boolean }): Promise<string> {
      const mealId = await meal(w, { day: o.day, canteen: o.canteen, unsubsidised: true });
      const [m] = await t.db.query(
        `SELECT m.subdistrict_id, m.canteen_id, m.meal_date::text AS meal_date, m.meal_period, m.served_at,
                m.cashier_user_id, d.id_number_masked
           FROM meals m JOIN diners d ON d.id = m.diner_id WHERE m.id = $1`,
        [mealId],
      );
      const [row] = await t.db.query(
        `INSERT INTO offline_conflicts (subdistrict_id, canteen_id, meal_id, id_number_masked, meal_date, meal_period,
             served_at, offline_since, price_fen, provisional_subsidy_fen, subsidy_fen, under_collected_fen, reason,
             cashier_user_id, idempotency_key, request_hash, settled_at, settled_by, settle_note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1200, 200, 0, 200, 'UNDER_AGE', $8, $9, 'fixture', $10, $11, $12)
         RETURNING id`,
        [
          m.subdistrict_id,
          m.canteen_id,
          mealId,
          m.id_number_masked,
          m.meal_date,
          m.meal_period,
          m.served_at,
          m.cashier_user_id,
          `conflict-${mealId}`,
          o.settled ? new Date() : null,
          o.settled ? m.cashier_user_id : null,
          o.settled ? '已补收' : null,
        ],
      );
      return String(row.id);
    }

    it('fires for unsettled offline conflicts of the month, with the amount under-collected', async () => {
      const w = await world();
      const open = await offlineConflict(w, { day: 4 });
      await offlineConflict(w, { day: 5, settled: true });
      const found = of(await checks(w), 'OFFLINE_CONFLICT');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'WARN', canteenId: w.canteens[0].id, count: 1 });
      expect(found[0].examples).toEqual([
        expect.objectContaining({
          conflictId: open,
          mealDate: '2025-03-04',
          underCollectedFen: 200,
          reason: 'UNDER_AGE',
        }),
      ]);
      expect(JSON.stringify(found)).not.toMatch(/\d{17}[\dX]/);
    });

    it('stays quiet once every conflict of the month is settled', async () => {
      const w = await world();
      const id = await offlineConflict(w, { day: 6 });
      await t.db.query(
        `UPDATE offline_conflicts SET settled_at = now(), settled_by = cashier_user_id, settle_note = '已补收' WHERE id = $1`,
        [id],
      );
      expect(of(await checks(w), 'OFFLINE_CONFLICT')).toEqual([]);
    });
  });

  it('checks a canteen claim over that canteen only', async () => {
    const w = await world();
    await meal(w, { day: 3, canteen: 1, recordedAfterMin: 600 });
    const [claim] = await t.db.query(
      `INSERT INTO claims (subdistrict_id, canteen_id, month, version) VALUES ($1, $2, $3, 1) RETURNING id`,
      [w.subdistrictId, w.canteens[0].id, MONTH],
    );
    const res = await t.http().get(`/api/claims/${claim.id}/checks`).set('Authorization', w.finance.token).expect(200);
    expect(res.body.findings).toEqual([]);
    expect(of(await checks(w), 'BACKDATED')).toHaveLength(1);
  });

  it('answers 404 for a claim out of reach', async () => {
    const w = await world();
    const other = await world();
    const res = await t.http().get(`/api/claims/${other.claimId}/checks`).set('Authorization', w.finance.token);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('CLAIM_NOT_FOUND');
  });
});
