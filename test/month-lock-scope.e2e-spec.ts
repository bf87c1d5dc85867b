import { createCanteen, createSubdistrict, createUser, firstSubdistrictId } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// Which sub-district a whole-sub-district lock names: the caller's own by default; an admin may name any (it manages
// the city, SPEC §2), finance only its own. Before `subdistrictId`, an admin could not lift another sub-district's
// whole lock at all (the admin screen's 月份解锁 failed for it).
describe('Month locks of a named sub-district (real PostgreSQL)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t?.close();
  });

  const locksOf = async (subdistrictId: number, month: string) =>
    t.db.query(
      `SELECT canteen_id, unlocked_at IS NULL AS active FROM month_locks WHERE subdistrict_id = $1 AND month = $2`,
      [subdistrictId, month],
    );

  it('lets an admin lock and unlock the whole of another sub-district, audited', async () => {
    const other = await createSubdistrict(t.db);
    expect(other).not.toBe(await firstSubdistrictId(t.db));
    const locked = await t
      .http()
      .post('/api/months/2025-02/lock')
      .set('authorization', admin)
      .send({ subdistrictId: other })
      .expect(200);
    expect(locked.body).toMatchObject({ subdistrictId: other, canteenId: null, active: true });
    expect(await locksOf(other, '2025-02')).toEqual([{ canteen_id: null, active: true }]);
    const unlocked = await t
      .http()
      .post('/api/months/2025-02/unlock')
      .set('authorization', admin)
      .send({ subdistrictId: other, reason: '街道申请更正' })
      .expect(200);
    expect(unlocked.body).toMatchObject({ subdistrictId: other, active: false });
    expect(await locksOf(other, '2025-02')).toEqual([{ canteen_id: null, active: false }]);
    const [audit] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'MONTH_UNLOCKED' AND subdistrict_id = $1`,
      [other],
    );
    expect(audit.n).toBe(1);
  });

  it('keeps finance to its own sub-district, and refuses a sub-district that does not exist', async () => {
    const other = await createSubdistrict(t.db);
    const finance = await createUser(t, 'FINANCE');
    const own = await firstSubdistrictId(t.db);
    const refused = await t
      .http()
      .post('/api/months/2025-04/lock')
      .set('authorization', finance.token)
      .send({ subdistrictId: other })
      .expect(403);
    expect(refused.body.code).toBe('SUBDISTRICT_FORBIDDEN');
    expect(await locksOf(other, '2025-04')).toEqual([]);
    await t
      .http()
      .post('/api/months/2025-04/lock')
      .set('authorization', finance.token)
      .send({ subdistrictId: own })
      .expect(200);
    const missing = await t
      .http()
      .post('/api/months/2025-04/unlock')
      .set('authorization', admin)
      .send({ subdistrictId: 999_999, reason: '试' })
      .expect(404);
    expect(missing.body.code).toBe('SUBDISTRICT_NOT_FOUND');
  });

  it('refuses a canteen and a sub-district that disagree, writing nothing', async () => {
    const other = await createSubdistrict(t.db);
    const canteen = await createCanteen(t.db, { name: '锁月范围食堂' });
    const res = await t
      .http()
      .post('/api/months/2025-05/lock')
      .set('authorization', admin)
      .send({ canteenId: canteen.id, subdistrictId: other })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(await locksOf(canteen.subdistrictId, '2025-05')).toEqual([]);
    expect(await locksOf(other, '2025-05')).toEqual([]);
  });
});
