import { createCanteen, createDiner, createUser, DinerFixture, UserFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// Issue 16: the admin's audit log screen — filter by actor, action, entity and date, paged, newest first; who
// revealed which ID number, with the masked number only.
describe('GET /api/audit', () => {
  let t: TestApp;
  let operator: UserFixture;
  let diner: DinerFixture;

  beforeAll(async () => {
    t = await startTestApp();
    const canteen = await createCanteen(t.db);
    operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
    diner = await createDiner(t, { birthDate: '1944-04-04', name: '查看老人' });
    admin = await t.adminToken();
    await t.http().post(`/api/diners/${diner.id}/reveal`).set('Authorization', operator.token).expect(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  let admin: string;
  const list = (query: Record<string, string | number>) =>
    t.http().get('/api/audit').query(query).set('Authorization', admin);

  it('names who revealed which ID number, masked only', async () => {
    const res = await list({ action: 'DINER_REVEALED' }).expect(200);
    expect(res.body.total).toBeGreaterThanOrEqual(1);
    const entry = res.body.items.find((i: { entityId: string }) => i.entityId === String(diner.id));
    expect(entry).toMatchObject({
      actorUsername: operator.username,
      actorUserId: operator.id,
      action: 'DINER_REVEALED',
      entityType: 'diner',
      details: { maskedIdNumber: `${diner.idNumber.slice(0, 6)}********${diner.idNumber.slice(14)}` },
    });
    expect(res.text).not.toContain(diner.idNumber);
  });

  it('filters by actor, entity and date, pages newest first, and matches the table', async () => {
    const mine = await list({ actor: operator.username, pageSize: 200 }).expect(200);
    const [{ n }]: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE actor_username = $1`,
      [operator.username],
    );
    expect(mine.body.total).toBe(n);
    expect(mine.body.items.every((i: { actorUsername: string }) => i.actorUsername === operator.username)).toBe(true);
    const all = await list({ pageSize: 200 }).expect(200);
    const [{ total }]: { total: number }[] = await t.db.query(`SELECT count(*)::int AS total FROM audit_log`);
    expect(all.body.total).toBe(total);
    const ats = all.body.items.map((i: { at: string }) => i.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    // Paging: two pages of one, in order, without overlap.
    const p1 = await list({ pageSize: 1, page: 1 }).expect(200);
    const p2 = await list({ pageSize: 1, page: 2 }).expect(200);
    expect([p1.body.items[0].id, p2.body.items[0].id]).toEqual([all.body.items[0].id, all.body.items[1].id]);
    expect(p1.body).toMatchObject({ page: 1, pageSize: 1, total });
    const entity = await list({ entityType: 'diner', entityId: String(diner.id) }).expect(200);
    expect(entity.body.items.map((i: { action: string }) => i.action)).toContain('DINER_REVEALED');
    // Dates are Shanghai's: today holds everything written now, a day long past nothing.
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await list({ from: today, to: today }).expect(200)).body.total).toBe(total);
    expect((await list({ from: '2001-01-01', to: '2001-01-31' }).expect(200)).body.total).toBe(0);
  });

  it('filters by sub-district and district, matching the table', async () => {
    const [{ sub, district }]: { sub: number; district: number }[] = await t.db.query(
      `SELECT s.id AS sub, s.district_id AS district FROM audit_log a JOIN subdistricts s ON s.id = a.subdistrict_id
        WHERE a.action = 'DINER_REVEALED' AND a.entity_id = $1`,
      [String(diner.id)],
    );
    const count = async (where: string, param: number): Promise<number> =>
      (await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE ${where}`, [param]))[0].n;
    const bySub = await list({ subdistrictId: sub, pageSize: 200 }).expect(200);
    expect(bySub.body.total).toBe(await count('subdistrict_id = $1', sub));
    expect(bySub.body.items.every((i: { subdistrictId: number }) => i.subdistrictId === sub)).toBe(true);
    expect(bySub.body.items.map((i: { action: string }) => i.action)).toContain('DINER_REVEALED');
    const byDistrict = await list({ districtId: district, pageSize: 200 }).expect(200);
    expect(byDistrict.body.total).toBe(
      await count('subdistrict_id IN (SELECT id FROM subdistricts WHERE district_id = $1)', district),
    );
    expect((await list({ districtId: 999_999 }).expect(200)).body.total).toBe(0);
    expect((await list({ subdistrictId: 'x' }).expect(400)).body.code).toBe('VALIDATION_FAILED');
  });

  it('is the admin’s only', async () => {
    const res = await t.http().get('/api/audit').set('Authorization', operator.token).expect(403);
    expect(res.body.code).toBe('ROLE_FORBIDDEN');
    expect((await list({ action: 'drop table' }).expect(400)).body.code).toBe('VALIDATION_FAILED');
  });
});
