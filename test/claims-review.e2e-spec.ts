import { addDays, monthOf, todayLocal } from '../src/common/local-date';
import { waitForClaim } from './support/claims';
import {
  CanteenFixture,
  createCanteen,
  createDiner,
  createDistrict,
  createSubdistrictIn,
  createUser,
  DinerFixture,
  firstDistrictId,
  firstSubdistrictId,
  insertMeal,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

// SPEC §5 review and payment on real PostgreSQL, Redis and the claims worker: every transition, every refusal, the
// month lock taken on submit and lifted on return, the one-version-at-a-time rule in the database. Each test has a
// sub-district of its own (in the reviewer's district), so no claim or lock of one test reaches another.

const MONTH = '2025-03';
jest.setTimeout(120_000);

describe('Claim review and payment', () => {
  let t: TestApp;
  let worker: TestWorker;
  let districtId: number;
  let reviewer: UserFixture;
  let otherDistrictReviewer: UserFixture;

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t.config);
    districtId = await firstDistrictId(t.db);
    reviewer = await createUser(t, 'REVIEWER', { districtId });
    otherDistrictReviewer = await createUser(t, 'REVIEWER', { districtId: await createDistrict(t.db) });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  interface World {
    subdistrictId: number;
    canteen: CanteenFixture;
    finance: UserFixture;
    operator: UserFixture;
    cashier: UserFixture;
    diners: DinerFixture[];
    meals: string[];
  }

  /** A sub-district of the reviewer's district with one canteen and six ordinary subsidised lunches in MONTH. */
  async function world(inSubdistrict?: number): Promise<World> {
    const subdistrictId = inSubdistrict ?? (await createSubdistrictIn(t.db, districtId));
    const canteen = await createCanteen(t.db, { subdistrictId });
    const finance = await createUser(t, 'FINANCE', { subdistrictId });
    const operator = await createUser(t, 'OPERATOR', { subdistrictId, canteenIds: [canteen.id] });
    const cashier = await createUser(t, 'CASHIER', { subdistrictId, canteenIds: [canteen.id] });
    const diners: DinerFixture[] = [];
    for (let i = 0; i < 3; i++) diners.push(await createDiner(t, { birthDate: '1948-05-05', subdistrictId }));
    const w: World = { subdistrictId, canteen, finance, operator, cashier, diners, meals: [] };
    for (let day = 3; day <= 4; day++) for (let d = 0; d < 3; d++) w.meals.push(await meal(w, { day, diner: d }));
    return w;
  }

  async function meal(
    w: World,
    o: { day: number; diner: number; recordedAfterMin?: number; outsideHours?: boolean; month?: string },
  ): Promise<string> {
    const date = `${o.month ?? MONTH}-${String(o.day).padStart(2, '0')}`;
    const servedAt = new Date(`${date}T12:00:00+08:00`);
    return insertMeal(t.db, {
      canteen: w.canteen,
      dinerId: w.diners[o.diner].id,
      cashierUserId: w.cashier.id,
      servedAt,
      mealDate: date,
      priceFen: 1200,
      subsidyFen: 200,
      age: 76,
      tier: '70_79',
      reason: 'TIER_70_79',
      recordedAt:
        o.recordedAfterMin === undefined ? undefined : new Date(servedAt.getTime() + o.recordedAfterMin * 60_000),
      outsideHours: o.outsideHours,
    });
  }

  /** Finance asks for the claim and waits for the worker to build it. */
  async function claim(w: World, body: { month?: string; canteenId?: number } = {}): Promise<number> {
    const res = await t
      .http()
      .post('/api/claims')
      .set('Authorization', w.finance.token)
      .send({ month: MONTH, ...body })
      .expect(202);
    const done = await waitForClaim(t, w.finance.token, res.body.id);
    expect(done.status).toBe('DONE');
    return res.body.id;
  }

  const post = (token: string, path: string, body: object = {}) =>
    t.http().post(path).set('Authorization', token).send(body);
  const submit = (w: World, id: number, acknowledgements?: object[]) =>
    post(w.finance.token, `/api/claims/${id}/submit`, acknowledgements === undefined ? {} : { acknowledgements });

  async function row(id: number): Promise<Record<string, unknown>> {
    const [r] = await t.db.query(
      `SELECT review_status, acknowledgements, submitted_by, return_reason, paid_on::text AS paid_on,
              payment_reference FROM claims WHERE id = $1`,
      [id],
    );
    return r;
  }
  async function activeLocks(w: World): Promise<{ id: number; claim_id: number | null; canteen_id: number | null }[]> {
    return t.db.query(
      `SELECT id, claim_id, canteen_id FROM month_locks WHERE subdistrict_id = $1 AND month = $2 AND unlocked_at IS NULL`,
      [w.subdistrictId, MONTH],
    );
  }
  async function auditActions(id: number): Promise<string[]> {
    const rows: { action: string }[] = await t.db.query(
      `SELECT action FROM audit_log WHERE entity_type = 'claim' AND entity_id = $1 ORDER BY id`,
      [String(id)],
    );
    return rows.map((r) => r.action);
  }

  it('goes DRAFT → SUBMITTED → RETURNED → SUBMITTED → APPROVED → PAID, locking and unlocking the month', async () => {
    const w = await world();
    const backdated = await meal(w, { day: 5, diner: 0, recordedAfterMin: 180 });
    const id = await claim(w);
    expect((await t.http().get(`/api/claims/${id}`).set('Authorization', w.finance.token)).body).toMatchObject({
      reviewStatus: 'DRAFT',
      monthLocked: false,
      monthEnded: true,
      acknowledgements: null,
    });

    // Submitted with a note for the one finding.
    const note = '3月5日停电，午餐先纸质登记，来电后补录';
    const submitted = await submit(w, id, [{ code: 'BACKDATED', canteenId: w.canteen.id, note }]).expect(200);
    expect(submitted.body).toMatchObject({
      id,
      reviewStatus: 'SUBMITTED',
      monthLocked: true,
      submittedBy: w.finance.username,
    });
    expect(submitted.body.acknowledgements).toEqual([
      expect.objectContaining({ code: 'BACKDATED', canteenId: w.canteen.id, count: 1, note, severity: 'WARN' }),
    ]);
    expect(await row(id)).toMatchObject({ review_status: 'SUBMITTED', submitted_by: w.finance.id });
    // The sub-district's lock, held by the claim: a void of a meal of the month is refused.
    expect(await activeLocks(w)).toEqual([expect.objectContaining({ claim_id: id, canteen_id: null })]);
    const refused = await post(w.operator.token, `/api/meals/${w.meals[0]}/void`, { reason: '重复录入' }).expect(409);
    expect(refused.body.code).toBe('MONTH_LOCKED');

    // The reviewer sees the claim in the queue, with finance's note on the claim and on its findings.
    const queue = await t.http().get('/api/claims?reviewStatus=SUBMITTED').set('Authorization', reviewer.token);
    expect(queue.body.items.map((c: { id: number }) => c.id)).toContain(id);
    const checks = await t.http().get(`/api/claims/${id}/checks`).set('Authorization', reviewer.token).expect(200);
    expect(checks.body.findings).toEqual([expect.objectContaining({ code: 'BACKDATED', note })]);
    expect(checks.body.checked).toContain('OUTSIDE_HOURS');

    // Returned with a reason: the lock is lifted and the operator's void goes through.
    const reason = '3月5日补录的原因请附停电证明';
    const returned = await post(reviewer.token, `/api/claims/${id}/return`, { reason }).expect(200);
    expect(returned.body).toMatchObject({ reviewStatus: 'RETURNED', monthLocked: false, returnReason: reason });
    expect(await activeLocks(w)).toEqual([]);
    const [lifted] = await t.db.query(`SELECT unlocked_by, unlock_reason FROM month_locks WHERE claim_id = $1`, [id]);
    expect(lifted).toEqual({ unlocked_by: reviewer.id, unlock_reason: `申报第1版被退回：${reason}` });
    await post(w.operator.token, `/api/meals/${backdated}/void`, { reason: '停电补录，核实后作废' }).expect(200);

    // Version 1 no longer matches the month's meals; the new version has no finding and goes through without notes.
    expect((await submit(w, id, [{ code: 'BACKDATED', note }]).expect(409)).body.code).toBe('CLAIM_DATA_CHANGED');
    const v2 = await claim(w);
    expect(v2).not.toBe(id);
    await submit(w, v2).expect(200);
    expect(await activeLocks(w)).toEqual([expect.objectContaining({ claim_id: v2 })]);

    const approved = await post(reviewer.token, `/api/claims/${v2}/approve`).expect(200);
    expect(approved.body.reviewStatus).toBe('APPROVED');
    const today = todayLocal();
    const paid = await post(reviewer.token, `/api/claims/${v2}/pay`, {
      paidOn: today,
      reference: ' 东财拨〔2025〕118号 ',
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ reviewStatus: 'PAID', paidOn: today, paymentReference: '东财拨〔2025〕118号' });
    expect(await row(v2)).toMatchObject({
      review_status: 'PAID',
      paid_on: today,
      payment_reference: '东财拨〔2025〕118号',
    });
    // Still locked once paid.
    expect(await activeLocks(w)).toEqual([expect.objectContaining({ claim_id: v2 })]);

    // History: in claim_events and in the audit log.
    const h1 = await t.http().get(`/api/claims/${id}/history`).set('Authorization', w.finance.token).expect(200);
    expect(h1.body.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['SUBMITTED', w.finance.username],
      ['RETURNED', reviewer.username],
    ]);
    expect(h1.body[0].acknowledgements[0].note).toBe(note);
    expect(h1.body[1].reason).toBe(reason);
    const h2 = await t.http().get(`/api/claims/${v2}/history`).set('Authorization', reviewer.token).expect(200);
    expect(h2.body.map((e: { action: string }) => e.action)).toEqual(['SUBMITTED', 'APPROVED', 'PAID']);
    expect(h2.body[2]).toMatchObject({ paidOn: today, paymentReference: '东财拨〔2025〕118号', actorRole: 'REVIEWER' });
    expect(await auditActions(id)).toEqual(['CLAIM_SUBMITTED', 'CLAIM_RETURNED']);
    expect(await auditActions(v2)).toEqual(['CLAIM_SUBMITTED', 'CLAIM_APPROVED', 'CLAIM_PAID']);
    const lockAudit: { action: string }[] = await t.db.query(
      `SELECT action FROM audit_log WHERE entity_type = 'claim_month_lock' AND entity_id = ANY($1) ORDER BY id`,
      [[String(id), String(v2)]],
    );
    expect(lockAudit.map((r) => r.action)).toEqual(['MONTH_LOCKED', 'MONTH_UNLOCKED', 'MONTH_LOCKED']);
    // The history is append-only.
    await expect(t.db.query(`UPDATE claim_events SET reason = 'x' WHERE claim_id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('submits a returned version again when its data is unchanged', async () => {
    const w = await world();
    const id = await claim(w);
    await submit(w, id).expect(200);
    await post(reviewer.token, `/api/claims/${id}/return`, { reason: '请补充说明' }).expect(200);
    expect(await activeLocks(w)).toEqual([]);
    const again = await submit(w, id).expect(200);
    expect(again.body).toMatchObject({ reviewStatus: 'SUBMITTED', monthLocked: true, returnReason: '请补充说明' });
    const history = await t.http().get(`/api/claims/${id}/history`).set('Authorization', reviewer.token).expect(200);
    expect(history.body.map((e: { action: string }) => e.action)).toEqual(['SUBMITTED', 'RETURNED', 'SUBMITTED']);
  });

  it('adopts the lock finance took by hand, and lifts it on return', async () => {
    const w = await world();
    const id = await claim(w);
    const lock = await post(w.finance.token, `/api/months/${MONTH}/lock`).expect(200);
    // The workbook said "not locked": the lock state is part of its data, so this version is generated again.
    expect((await submit(w, id).expect(409)).body.code).toBe('CLAIM_DATA_CHANGED');
    const v2 = await claim(w);
    await submit(w, v2).expect(200);
    expect(await activeLocks(w)).toEqual([{ id: lock.body.id, claim_id: v2, canteen_id: null }]);
    // Adopted, not taken: no second MONTH_LOCKED entry for the claim.
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE entity_type = 'claim_month_lock' AND entity_id = $1`,
      [String(v2)],
    );
    expect(n).toBe(0);
    await post(reviewer.token, `/api/claims/${v2}/return`, { reason: '请补充说明' }).expect(200);
    expect(await activeLocks(w)).toEqual([]);
  });

  it('refuses the wrong roles, other sub-districts and other districts', async () => {
    const w = await world();
    const other = await world();
    const id = await claim(w);
    const admin = await t.adminToken();
    for (const token of [reviewer.token, w.operator.token, w.cashier.token, admin]) {
      const res = await post(token, `/api/claims/${id}/submit`).expect(403);
      expect(res.body.code).toBe('ROLE_FORBIDDEN');
    }
    // Finance of another sub-district: the claim is private to its sub-district.
    expect((await submit(other, id).expect(404)).body.code).toBe('CLAIM_NOT_FOUND');
    await submit(w, id).expect(200);
    for (const action of ['approve', 'return', 'pay']) {
      for (const token of [w.finance.token, w.operator.token, admin]) {
        const res = await post(token, `/api/claims/${id}/${action}`, {
          reason: '不对',
          paidOn: todayLocal(),
          reference: 'x',
        });
        expect([res.status, res.body.code]).toEqual([403, 'ROLE_FORBIDDEN']);
      }
      // A reviewer of another district does not see it.
      const res = await post(otherDistrictReviewer.token, `/api/claims/${id}/${action}`, {
        ...(action === 'return' ? { reason: '不对' } : {}),
        ...(action === 'pay' ? { paidOn: todayLocal(), reference: 'x' } : {}),
      });
      expect([res.status, res.body.code]).toEqual([404, 'CLAIM_NOT_FOUND']);
    }
    const theirQueue = await t
      .http()
      .get('/api/claims?reviewStatus=SUBMITTED')
      .set('Authorization', otherDistrictReviewer.token)
      .expect(200);
    expect(theirQueue.body.items.map((c: { id: number }) => c.id)).not.toContain(id);
    await t.http().get(`/api/claims/${id}/history`).set('Authorization', otherDistrictReviewer.token).expect(404);
    expect((await row(id)).review_status).toBe('SUBMITTED');
  });

  it('refuses a month not ended, a canteen’s claim, a claim not built and steps out of order', async () => {
    const w = await world();
    const thisMonth = monthOf(todayLocal());
    await meal(w, { day: 1, diner: 0, month: thisMonth });
    const preview = await claim(w, { month: thisMonth });
    expect((await submit(w, preview).expect(409)).body.code).toBe('CLAIM_MONTH_NOT_ENDED');
    const canteenClaim = await claim(w, { canteenId: w.canteen.id });
    expect((await submit(w, canteenClaim).expect(409)).body.code).toBe('CLAIM_NOT_SUBDISTRICT');
    const [queued] = await t.db.query(
      `INSERT INTO claims (subdistrict_id, canteen_id, month, version, status) VALUES ($1, NULL, '2025-01', 1, 'FAILED')
       RETURNING id`,
      [w.subdistrictId],
    );
    expect((await submit(w, queued.id).expect(409)).body.code).toBe('CLAIM_NOT_READY');

    const id = await claim(w);
    for (const action of ['approve', 'return']) {
      const res = await post(
        reviewer.token,
        `/api/claims/${id}/${action}`,
        action === 'return' ? { reason: '不对' } : {},
      );
      expect([res.status, res.body.code]).toEqual([409, 'CLAIM_REVIEW_STATUS']);
    }
    await submit(w, id).expect(200);
    expect((await submit(w, id).expect(409)).body.code).toBe('CLAIM_REVIEW_STATUS');
    const early = await post(reviewer.token, `/api/claims/${id}/pay`, { paidOn: todayLocal(), reference: 'A1' });
    expect([early.status, early.body.code]).toEqual([409, 'CLAIM_REVIEW_STATUS']);
    expect((await post(reviewer.token, `/api/claims/${id}/return`, { reason: '   ' }).expect(400)).body.code).toBe(
      'RETURN_REASON_REQUIRED',
    );
    await post(reviewer.token, `/api/claims/${id}/approve`).expect(200);
    expect((await post(reviewer.token, `/api/claims/${id}/return`, { reason: '晚了' }).expect(409)).body.code).toBe(
      'CLAIM_REVIEW_STATUS',
    );
    expect(await row(id)).toMatchObject({ review_status: 'APPROVED', return_reason: null });
  });

  it('refuses a payment dated in the future, before the submission, not a real date, or without a reference', async () => {
    const w = await world();
    const id = await claim(w);
    await submit(w, id).expect(200);
    await post(reviewer.token, `/api/claims/${id}/approve`).expect(200);
    const pay = (body: object) => post(reviewer.token, `/api/claims/${id}/pay`, body);
    const today = todayLocal();
    expect((await pay({ paidOn: addDays(today, 1), reference: 'A1' }).expect(400)).body.code).toBe(
      'PAYMENT_DATE_IN_FUTURE',
    );
    expect((await pay({ paidOn: addDays(today, -1), reference: 'A1' }).expect(400)).body.code).toBe(
      'PAYMENT_DATE_BEFORE_SUBMISSION',
    );
    expect((await pay({ paidOn: '2025-02-30', reference: 'A1' }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await pay({ paidOn: today, reference: '  ' }).expect(400)).body.code).toBe('PAYMENT_REFERENCE_REQUIRED');
    expect((await pay({ paidOn: today }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect(await row(id)).toMatchObject({ review_status: 'APPROVED', paid_on: null, payment_reference: null });
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM claim_events WHERE claim_id = $1 AND action = 'PAID'`,
      [id],
    );
    expect(n).toBe(0);
    await pay({ paidOn: today, reference: 'A1' }).expect(200);
    expect((await pay({ paidOn: today, reference: 'A2' }).expect(409)).body.code).toBe('CLAIM_REVIEW_STATUS');
  });

  it('blocks on a diner inactive at the meal, and asks a note for every warning', async () => {
    const w = await world();
    await meal(w, { day: 6, diner: 1, outsideHours: true });
    await meal(w, { day: 7, diner: 2, recordedAfterMin: 120 });
    const warned = await claim(w);
    // Without notes, with a blank one, with one for a check that did not fire: refused, nothing written.
    const missing = await submit(w, warned).expect(400);
    expect(missing.body.code).toBe('CLAIM_ACK_MISSING');
    expect(missing.body.details.findings.map((f: { code: string }) => f.code).sort()).toEqual([
      'BACKDATED',
      'OUTSIDE_HOURS',
    ]);
    const blank = await submit(w, warned, [
      { code: 'BACKDATED', note: '补录' },
      { code: 'OUTSIDE_HOURS', note: '   ' },
    ]).expect(400);
    expect(blank.body.code).toBe('CLAIM_ACK_MISSING');
    const unexpected = await submit(w, warned, [
      { code: 'BACKDATED', note: '补录' },
      { code: 'OUTSIDE_HOURS', note: '延时' },
      { code: 'DAILY_OUTLIER', note: '节日' },
    ]).expect(400);
    expect(unexpected.body.code).toBe('CLAIM_ACK_UNEXPECTED');
    expect((await submit(w, warned, [{ code: 'NOPE', note: 'x' }]).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect(await row(warned)).toMatchObject({ review_status: 'DRAFT', acknowledgements: null });
    expect(await activeLocks(w)).toEqual([]);

    // A diner recorded deceased from 1 March: the month's claim cannot be submitted, notes or not.
    await t.db.query(`UPDATE diners SET status = 'DECEASED', status_effective_from = '2025-03-01' WHERE id = $1`, [
      w.diners[0].id,
    ]);
    const blocked = await claim(w);
    const res = await submit(w, blocked, [
      { code: 'BACKDATED', note: '补录' },
      { code: 'OUTSIDE_HOURS', note: '延时' },
    ]).expect(409);
    expect(res.body.code).toBe('CLAIM_CHECK_BLOCKING');
    expect(res.body.details.findings).toEqual([{ code: 'DINER_INACTIVE_AT_MEAL', canteenId: w.canteen.id, count: 2 }]);
    expect(await row(blocked)).toMatchObject({ review_status: 'DRAFT' });
    expect(await activeLocks(w)).toEqual([]);
  });

  it('lets one version of a sub-district month through when two are submitted at once (database-enforced)', async () => {
    const w = await world();
    const v1 = await claim(w);
    // A second finished version of the same data (as a rebuild of an unchanged month would be).
    const [v2] = await t.db.query(
      `INSERT INTO claims (subdistrict_id, canteen_id, month, version, status, progress, totals, file_path, file_size,
                           sha256, data_sha256, requested_by, finished_at)
       SELECT subdistrict_id, canteen_id, month, 2, status, progress, totals, file_path, file_size, sha256, data_sha256,
              requested_by, now()
         FROM claims WHERE id = $1 RETURNING id`,
      [v1],
    );
    const answers = await Promise.all([submit(w, v1), submit(w, v2.id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('CLAIM_VERSION_UNDER_REVIEW');
    const states: { review_status: string }[] = await t.db.query(
      `SELECT review_status FROM claims WHERE id = ANY($1) ORDER BY id`,
      [[v1, v2.id]],
    );
    expect(states.map((s) => s.review_status).sort()).toEqual(['DRAFT', 'SUBMITTED']);
    expect(await activeLocks(w)).toHaveLength(1);
    // The database itself refuses a second one, whatever the code does.
    const loser = answers[0].status === 409 ? v1 : v2.id;
    await expect(
      t.db.query(`UPDATE claims SET review_status = 'SUBMITTED', submitted_at = now() WHERE id = $1`, [loser]),
    ).rejects.toThrow(/claims_one_under_review_key/);
  });

  it('refuses an admin’s unlock of a month held by a submitted, approved or paid claim', async () => {
    // The admin's unlock without a canteen is of its own sub-district (the first one): the claim is made there.
    const w = await world(await firstSubdistrictId(t.db));
    const id = await claim(w);
    await submit(w, id).expect(200);
    const admin = await t.adminToken();
    for (const step of ['submitted', 'approved', 'paid']) {
      if (step === 'approved') await post(reviewer.token, `/api/claims/${id}/approve`).expect(200);
      if (step === 'paid') {
        await post(reviewer.token, `/api/claims/${id}/pay`, { paidOn: todayLocal(), reference: 'P-1' }).expect(200);
      }
      const res = await post(admin, `/api/months/${MONTH}/unlock`, { reason: '运营需要' });
      expect([res.status, res.body.code]).toEqual([409, 'MONTH_LOCK_HELD_BY_CLAIM']);
      expect(await activeLocks(w)).toEqual([expect.objectContaining({ claim_id: id })]);
    }
  });
});
