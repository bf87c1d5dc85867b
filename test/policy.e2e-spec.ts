import { addDays, todayLocal } from '../src/common/local-date';
import { PolicyService } from '../src/policy/policy.service';
import { makeIdNumber } from '../src/subsidy/id-number';
import { createCanteen, createDiner, createUser, insertMeal, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { insertPolicyVersion } from '../src/policy/policy.queries';

// The subsidy policy as effective-dated data: list, add a future version (admin), the rules that keep recorded
// meals and old claims unchanged, and the quote switching versions at midnight.
describe('Subsidy policy versions', () => {
  let t: TestApp;
  let admin: string;
  let cashier: UserFixture;
  const today = todayLocal();

  const DEFAULT_TIERS = [
    { minAge: 70, maxAge: 79, amountFen: 200 },
    { minAge: 80, maxAge: null, amountFen: 400 },
  ];
  const NEW_TIERS = [
    { minAge: 60, maxAge: 79, amountFen: 300 },
    { minAge: 80, maxAge: null, amountFen: 500 },
  ];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
    cashier = await createUser(t, 'CASHIER');
  });
  afterAll(async () => {
    await t?.close();
  });

  const add = (body: Record<string, unknown>, token = admin) =>
    t.http().post('/api/policy/versions').set('authorization', token).send(body);
  const list = async () =>
    (await t.http().get('/api/policy/versions').set('authorization', cashier.token).expect(200)).body.items;
  const versionCount = async (): Promise<number> =>
    (await t.db.query(`SELECT count(*)::int AS n FROM subsidy_policy_versions`))[0].n;

  it('lists the seeded version to any logged-in user, and nothing to a stranger', async () => {
    expect(await list()).toEqual([
      {
        id: 1,
        effectiveFrom: '2022-08-01',
        effectiveTo: null,
        tiers: DEFAULT_TIERS,
        limitMode: 'PER_DAY',
        note: expect.stringContaining('每人每天补贴一餐'),
        createdBy: null,
        createdAt: expect.any(String),
      },
    ]);
    const anon = await t.http().get('/api/policy/versions').expect(401);
    expect(anon.body.code).toBe('UNAUTHENTICATED');
  });

  describe('adding a version', () => {
    it('applies the new version from its first day at midnight, and the old one up to the day before', async () => {
      const from = addDays(today, 5);
      const tiers = [
        { minAge: 65, maxAge: 79, amountFen: 250 },
        { minAge: 80, maxAge: null, amountFen: 600 },
      ];
      const created = await add({ effectiveFrom: from, tiers, limitMode: 'PER_PERIOD' }).expect(201);
      const quote = (birthDate: string, date: string) =>
        t
          .http()
          .get('/api/subsidy/quote')
          .query({ idNumber: makeIdNumber('371502', birthDate, 7), date, priceFen: '1000' })
          .set('authorization', cashier.token)
          .expect(200);

      const lastOldDay = addDays(from, -1);
      const before = await quote('1940-01-01', lastOldDay);
      expect(before.body).toMatchObject({ tier: '80_PLUS', subsidyFen: 400, payableFen: 600, policyVersionId: 1 });
      const on = await quote('1940-01-01', from);
      expect(on.body).toMatchObject({
        tier: '80_PLUS',
        subsidyFen: 600,
        payableFen: 400,
        policyVersionId: created.body.id,
      });

      // Aged 66 on both days: nothing under the old tiers, the new 65–79 tier from midnight.
      const born = addDays(from, -66 * 366);
      expect((await quote(born, lastOldDay)).body).toMatchObject({ tier: 'NONE', reason: 'UNDER_AGE', subsidyFen: 0 });
      expect((await quote(born, from)).body).toMatchObject({ tier: '65_79', reason: 'TIER_65_79', subsidyFen: 250 });

      const policy = t.app.get(PolicyService);
      expect((await policy.policyFor(lastOldDay))?.id).toBe(1);
      expect(await policy.policyFor(from)).toEqual({
        id: created.body.id,
        effectiveFrom: from,
        tiers,
        limitMode: 'PER_PERIOD',
      });
      expect((await policy.policyFor(today))?.id).toBe(1);
      expect(await policy.policyFor('2022-07-31')).toBeNull();
    });

    it('lets an admin add one from a future date, closes the previous one the day before, and audits it', async () => {
      const from = addDays(today, 10);
      const res = await add({ effectiveFrom: from, tiers: NEW_TIERS, note: '测试：提高补贴' }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        effectiveFrom: from,
        effectiveTo: null,
        tiers: NEW_TIERS,
        limitMode: 'PER_DAY',
        note: '测试：提高补贴',
        createdBy: expect.any(Number),
        createdAt: expect.any(String),
      });
      // In date order; the version before it now ends the day before it starts.
      const versions: { id: number; effectiveFrom: string; effectiveTo: string | null }[] = await list();
      const at = versions.findIndex((v) => v.id === res.body.id);
      expect(at).toBe(versions.length - 1);
      expect(versions[at - 1].effectiveTo).toBe(addDays(from, -1));
      expect(versions.map((v) => v.effectiveFrom)).toEqual([...versions.map((v) => v.effectiveFrom)].sort());

      const [entry] = await t.db.query(
        `SELECT actor_username, action, entity_id, details FROM audit_log
         WHERE action = 'POLICY_VERSION_ADDED' AND entity_id = $1`,
        [String(res.body.id)],
      );
      expect(entry).toMatchObject({
        actor_username: 'admin',
        entity_id: String(res.body.id),
        details: { effectiveFrom: from, tiers: NEW_TIERS, limitMode: 'PER_DAY' },
      });
      // The service others call sees it at once (the local write refreshed the cache).
      const seen = await t.app.get(PolicyService).versions();
      expect(seen.map((v) => v.id)).toContain(res.body.id);
    });

    it('refuses anyone but an admin', async () => {
      const operator = await createUser(t, 'OPERATOR');
      const finance = await createUser(t, 'FINANCE');
      for (const token of [cashier.token, operator.token, finance.token]) {
        const res = await add({ effectiveFrom: addDays(today, 30), tiers: NEW_TIERS }, token).expect(403);
        expect(res.body).toMatchObject({ statusCode: 403, code: 'ROLE_FORBIDDEN' });
      }
      await t
        .http()
        .post('/api/policy/versions')
        .send({ effectiveFrom: addDays(today, 30), tiers: NEW_TIERS })
        .expect(401);
    });

    it('refuses a date that is today or past (POLICY_EFFECTIVE_DATE) or not a date (INVALID_DATE)', async () => {
      const before = await versionCount();
      for (const effectiveFrom of [today, addDays(today, -1), '2022-08-01', '2020-01-01']) {
        const res = await add({ effectiveFrom, tiers: NEW_TIERS }).expect(400);
        expect(res.body).toEqual({
          statusCode: 400,
          code: 'POLICY_EFFECTIVE_DATE',
          message: expect.stringContaining('明天'),
        });
      }
      for (const effectiveFrom of ['2031-02-30', '2031/01/01', 'next week']) {
        expect((await add({ effectiveFrom, tiers: NEW_TIERS }).expect(400)).body.code).toBe('INVALID_DATE');
      }
      expect((await add({ tiers: NEW_TIERS }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect(await versionCount()).toBe(before);
    });

    it('refuses tiers that overlap, are negative, fractional, empty or malformed (POLICY_TIERS_INVALID)', async () => {
      const before = await versionCount();
      const effectiveFrom = addDays(today, 40);
      const bad: unknown[] = [
        [
          { minAge: 70, maxAge: 80, amountFen: 200 },
          { minAge: 80, maxAge: null, amountFen: 400 },
        ],
        [
          { minAge: 70, maxAge: null, amountFen: 200 },
          { minAge: 80, maxAge: null, amountFen: 400 },
        ],
        [{ minAge: 70, maxAge: 79, amountFen: -200 }],
        [{ minAge: 70, maxAge: 79, amountFen: 0 }],
        [{ minAge: 70, maxAge: 79, amountFen: 1.5 }],
        [{ minAge: 70.5, maxAge: 79, amountFen: 200 }],
        [{ minAge: 79, maxAge: 70, amountFen: 200 }],
        [{ minAge: -1, maxAge: 79, amountFen: 200 }],
        [{ minAge: '70', maxAge: 79, amountFen: 200 }],
        [{ minAge: 70, maxAge: 79, amountFen: '200' }],
        [{ minAge: 70, maxAge: 79, amountFen: 200, extra: true }],
        [{ minAge: 70, maxAge: 79 }],
        [null],
        [],
        'tiers',
        { minAge: 70, maxAge: 79, amountFen: 200 },
      ];
      for (const tiers of bad) {
        const res = await add({ effectiveFrom, tiers });
        expect([res.status, res.body.code, JSON.stringify(tiers)]).toEqual([
          400,
          'POLICY_TIERS_INVALID',
          JSON.stringify(tiers),
        ]);
        expect(res.body.message).toMatch(/档次/);
      }
      expect((await add({ effectiveFrom }).expect(400)).body.code).toBe('POLICY_TIERS_INVALID');
      expect(await versionCount()).toBe(before);
    });

    it('refuses an unknown limit mode or field', async () => {
      const effectiveFrom = addDays(today, 41);
      const mode = await add({ effectiveFrom, tiers: NEW_TIERS, limitMode: 'PER_WEEK' }).expect(400);
      expect(mode.body.code).toBe('VALIDATION_FAILED');
      const field = await add({ effectiveFrom, tiers: NEW_TIERS, id: 99 }).expect(400);
      expect(field.body.code).toBe('UNKNOWN_FIELD');
    });

    it('refuses a second version for the same date (POLICY_VERSION_EXISTS)', async () => {
      const effectiveFrom = addDays(today, 50);
      await add({ effectiveFrom, tiers: NEW_TIERS }).expect(201);
      const res = await add({ effectiveFrom, tiers: DEFAULT_TIERS }).expect(409);
      expect(res.body).toEqual({
        statusCode: 409,
        code: 'POLICY_VERSION_EXISTS',
        message: expect.stringContaining(effectiveFrom),
      });
    });
  });

  it('sees at once, for future dates, a version that another API process added', async () => {
    const policy = t.app.get(PolicyService);
    await policy.versions(); // warm this process's cache
    const from = addDays(today, 80);
    // Written straight to the table, as another process would: this process's cache knows nothing of it.
    const id = await insertPolicyVersion(t.db, { effectiveFrom: from, tiers: NEW_TIERS });
    expect((await policy.policyFor(from))?.id).toBe(id);
    expect((await policy.policyFor(today))?.id).toBe(1);
    const quoted = await t
      .http()
      .get('/api/subsidy/quote')
      .query({ idNumber: makeIdNumber('371502', '1950-01-01', 9), date: from, priceFen: '1000' })
      .set('authorization', cashier.token)
      .expect(200);
    expect(quoted.body).toMatchObject({ policyVersionId: id, subsidyFen: 300 });
  });

  it('cannot be changed in the database itself: the trigger refuses any UPDATE', async () => {
    await expect(t.db.query(`UPDATE subsidy_policy_versions SET tiers = '[]' WHERE id = 1`)).rejects.toThrow(
      /immutable/,
    );
    await expect(
      t.db.query(`UPDATE subsidy_policy_versions SET note = 'changed' WHERE effective_from > now()`),
    ).rejects.toThrow(/immutable/);
    const [row] = await t.db.query(`SELECT tiers FROM subsidy_policy_versions WHERE id = 1`);
    expect(row.tiers).toEqual(DEFAULT_TIERS);
  });

  describe('deleting a version', () => {
    const del = (id: number | string, token = admin) =>
      t.http().delete(`/api/policy/versions/${id}`).set('authorization', token);

    it('withdraws a future version no meal used, audited', async () => {
      const effectiveFrom = addDays(today, 60);
      const created = await add({ effectiveFrom, tiers: NEW_TIERS }).expect(201);
      await del(created.body.id, cashier.token).expect(403);
      await del(created.body.id).expect(204);
      expect((await list()).map((v: { id: number }) => v.id)).not.toContain(created.body.id);
      expect(await t.app.get(PolicyService).policyFor(effectiveFrom)).not.toMatchObject({ id: created.body.id });
      const [entry] = await t.db.query(
        `SELECT actor_username, details FROM audit_log WHERE action = 'POLICY_VERSION_DELETED' AND entity_id = $1`,
        [String(created.body.id)],
      );
      expect(entry).toMatchObject({ actor_username: 'admin', details: { effectiveFrom } });
      await del(created.body.id).expect(404);
      // Its date is free again.
      await add({ effectiveFrom, tiers: NEW_TIERS }).expect(201);
    });

    it('refuses a version already in effect (POLICY_VERSION_IN_USE)', async () => {
      const res = await del(1).expect(409);
      expect(res.body).toEqual({
        statusCode: 409,
        code: 'POLICY_VERSION_IN_USE',
        message: expect.stringContaining('已于 2022-08-01 生效'),
      });
      expect((await list())[0].id).toBe(1);
    });

    it('refuses a future version that a meal already carries (POLICY_VERSION_IN_USE)', async () => {
      const created = await add({ effectiveFrom: addDays(today, 70), tiers: NEW_TIERS }).expect(201);
      const canteen = await createCanteen(t.db);
      const diner = await createDiner(t, { birthDate: '1940-05-05' });
      await insertMeal(t.db, {
        canteen,
        dinerId: diner.id,
        cashierUserId: cashier.id,
        servedAt: new Date(),
        mealDate: today,
        priceFen: 1000,
        subsidyFen: 500,
        age: 85,
        tier: '80_PLUS',
        reason: 'TIER_80_PLUS',
        policyVersionId: created.body.id,
      });
      const res = await del(created.body.id).expect(409);
      expect(res.body).toMatchObject({ code: 'POLICY_VERSION_IN_USE', message: expect.stringContaining('就餐记录') });
      expect((await list()).map((v: { id: number }) => v.id)).toContain(created.body.id);
    });

    it('answers 404 for an unknown or malformed id', async () => {
      expect((await del(999999).expect(404)).body.code).toBe('POLICY_VERSION_NOT_FOUND');
      expect((await del('abc').expect(404)).body.code).toBe('POLICY_VERSION_NOT_FOUND');
    });
  });
});
