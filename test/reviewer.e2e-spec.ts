import {
  createCanteen,
  createDistrict,
  createSubdistrictIn,
  createUser,
  firstDistrictId,
  firstSubdistrictId,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// SPEC §2, issue 17: the district's reviewer (区民政审核) reads the sub-districts, canteens and claims of its district,
// across its sub-districts, and nothing of another district; it is created by an admin with a district only.
describe('The district reviewer (real PostgreSQL)', () => {
  let t: TestApp;
  let admin: string;
  let districtA: number;
  let districtB: number;
  let subA1: number;
  let subA2: number;
  let subB1: number;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
    districtA = await firstDistrictId(t.db);
    subA1 = await firstSubdistrictId(t.db);
    subA2 = await createSubdistrictIn(t.db, districtA, '古楼街道');
    districtB = await createDistrict(t.db, '临清市');
    subB1 = await createSubdistrictIn(t.db, districtB, '青年街道');
  });
  afterAll(async () => {
    await t.close();
  });

  it('is created by an admin with a district, logs in and reads the sub-districts of that district', async () => {
    const created = await t
      .http()
      .post('/api/users')
      .set('authorization', admin)
      .send({ username: 'reviewer_dcf', password: 'Review-2022!', role: 'REVIEWER', districtId: districtA })
      .expect(201);
    expect(created.body).toMatchObject({ role: 'REVIEWER', districtId: districtA, subdistrictId: null });
    const login = await t
      .http()
      .post('/api/auth/login')
      .send({ username: 'reviewer_dcf', password: 'Review-2022!' })
      .expect(200);
    expect(login.body.user).toMatchObject({ role: 'REVIEWER', districtId: districtA, subdistrictId: null });
    const token = `Bearer ${login.body.accessToken}`;
    const subs = await t.http().get('/api/subdistricts').set('authorization', token).expect(200);
    expect((subs.body.items as { id: number }[]).map((s) => s.id).sort()).toEqual([subA1, subA2].sort());
    expect(subs.body.items[0]).toMatchObject({ districtId: districtA, districtName: '东昌府区' });
  });

  it('reaches the canteens and claims of every sub-district of its district, none of another', async () => {
    const reviewer = await createUser(t, 'REVIEWER', { districtId: districtA });
    const a2 = await createCanteen(t.db, { subdistrictId: subA2, name: '古楼幸福食堂' });
    const b1 = await createCanteen(t.db, { subdistrictId: subB1, name: '青年幸福食堂' });
    await t.http().get(`/api/canteens/${a2.id}`).set('authorization', reviewer.token).expect(200);
    const other = await t.http().get(`/api/canteens/${b1.id}`).set('authorization', reviewer.token).expect(403);
    expect(other.body.code).toBe('CANTEEN_FORBIDDEN');
    const claim = async (sub: number, canteen: number | null): Promise<number> => {
      const [row] = await t.db.query(
        `INSERT INTO claims (subdistrict_id, canteen_id, month, version) VALUES ($1, $2, '2024-11', 1) RETURNING id`,
        [sub, canteen],
      );
      return row.id;
    };
    const ofA2 = await claim(subA2, null);
    const ofB1 = await claim(subB1, b1.id);
    const list = await t.http().get('/api/claims').query({ month: '2024-11' }).set('authorization', reviewer.token);
    expect((list.body.items as { id: number }[]).map((c) => c.id)).toEqual([ofA2]);
    await t.http().get(`/api/claims/${ofA2}`).set('authorization', reviewer.token).expect(200);
    await t.http().get(`/api/claims/${ofB1}`).set('authorization', reviewer.token).expect(404);
    // Read-only: no claim, lock, diner or meal of its own.
    await t.http().post('/api/claims').set('authorization', reviewer.token).send({ month: '2024-11' }).expect(403);
    await t.http().post('/api/months/2024-11/lock').set('authorization', reviewer.token).send({}).expect(403);
    await t.http().get('/api/diners').set('authorization', reviewer.token).expect(403);
  });

  it('narrows lists by district and sub-district within reach, never widening it', async () => {
    const reviewer = await createUser(t, 'REVIEWER', { districtId: districtA });
    const a1 = await createCanteen(t.db, { subdistrictId: subA1, name: '筛选A1食堂' });
    const b1 = await createCanteen(t.db, { subdistrictId: subB1, name: '筛选B1食堂' });
    const canteens = async (token: string, query: Record<string, number>): Promise<number[]> => {
      const res = await t.http().get('/api/canteens').query(query).set('authorization', token).expect(200);
      return (res.body.items as { id: number; subdistrictId: number }[]).map((c) => c.id);
    };
    const ofB = await canteens(admin, { districtId: districtB });
    expect(ofB).toContain(b1.id);
    expect(ofB).not.toContain(a1.id);
    expect(await canteens(admin, { subdistrictId: subA1 })).toContain(a1.id);
    expect(await canteens(admin, { subdistrictId: subA1 })).not.toContain(b1.id);
    expect(await canteens(reviewer.token, { districtId: districtB })).toEqual([]);
    expect(await canteens(reviewer.token, { districtId: districtA })).toContain(a1.id);
    const subs = await t
      .http()
      .get('/api/subdistricts')
      .query({ districtId: districtB })
      .set('authorization', reviewer.token)
      .expect(403);
    expect(subs.body.code).toBe('DISTRICT_FORBIDDEN');
    const [{ id: dinerB }] = await t.db.query(
      `INSERT INTO diners (subdistrict_id, name, id_number_enc, id_number_hmac, id_number_masked, birth_date, sex)
       VALUES ($1, '筛选老人', '\\x00', '\\x0102', '371502********0000', '1950-01-01', 'M') RETURNING id`,
      [subB1],
    );
    const diners = async (query: Record<string, number>): Promise<number[]> => {
      const res = await t.http().get('/api/diners').query(query).set('authorization', admin).expect(200);
      return (res.body.items as { id: number }[]).map((d) => d.id);
    };
    expect(await diners({ districtId: districtB })).toEqual([dinerB]);
    expect(await diners({ districtId: districtA })).not.toContain(dinerB);
  });

  it('has exactly the scope its role needs, in the database too', async () => {
    const mixed = await t
      .http()
      .post('/api/users')
      .set('authorization', admin)
      .send({ username: 'reviewer_mixed', password: 'Review-2022!', role: 'REVIEWER', subdistrictId: subA1 })
      .expect(400);
    expect(mixed.body.code).toBe('VALIDATION_FAILED');
    const nowhere = await t
      .http()
      .post('/api/users')
      .set('authorization', admin)
      .send({ username: 'reviewer_nowhere', password: 'Review-2022!', role: 'REVIEWER', districtId: 999999 })
      .expect(404);
    expect(nowhere.body.code).toBe('DISTRICT_NOT_FOUND');
    for (const [role, sub, district] of [
      ['REVIEWER', subA1, null],
      ['REVIEWER', subA1, districtA],
      ['FINANCE', null, districtA],
      ['FINANCE', subA1, districtA],
    ] as const) {
      await expect(
        t.db.query(
          `INSERT INTO users (username, password_hash, role, subdistrict_id, district_id)
           VALUES ($1, 'x', $2, $3, $4)`,
          [`scope_${role.toLowerCase()}_${sub}_${district}`, role, sub, district],
        ),
      ).rejects.toMatchObject({ constraint: 'users_scope_check' });
    }
  });

  it('lets the admin build the hierarchy: districts with their code, sub-districts, canteens in them', async () => {
    const district = await t
      .http()
      .post('/api/districts')
      .set('authorization', admin)
      .send({ name: '茌平区', code: '371503' })
      .expect(201);
    expect(district.body).toMatchObject({ name: '茌平区', adminCode: '371503', subdistrictCount: 0 });
    const twice = await t
      .http()
      .post('/api/districts')
      .set('authorization', admin)
      .send({ name: '茌平区二', code: '371503' })
      .expect(409);
    expect(twice.body.code).toBe('DISTRICT_CODE_TAKEN');
    const badCode = await t
      .http()
      .post('/api/districts')
      .set('authorization', admin)
      .send({ name: '坏区', code: '37150' })
      .expect(400);
    expect(badCode.body.code).toBe('VALIDATION_FAILED');
    const sub = await t
      .http()
      .post('/api/subdistricts')
      .set('authorization', admin)
      .send({ name: '振兴街道', districtId: district.body.id })
      .expect(201);
    expect(sub.body).toMatchObject({ name: '振兴街道', districtId: district.body.id, districtName: '茌平区' });
    const dup = await t
      .http()
      .post('/api/subdistricts')
      .set('authorization', admin)
      .send({ name: '振兴街道', districtId: district.body.id })
      .expect(409);
    expect(dup.body.code).toBe('SUBDISTRICT_NAME_TAKEN');
    const noDistrict = await t
      .http()
      .post('/api/subdistricts')
      .set('authorization', admin)
      .send({ name: '无区街道', districtId: 999999 })
      .expect(404);
    expect(noDistrict.body.code).toBe('DISTRICT_NOT_FOUND');
    const canteen = await t
      .http()
      .post('/api/canteens')
      .set('authorization', admin)
      .send({ name: '振兴幸福食堂', type: 'ENTERPRISE', prices: { LUNCH: 1000 }, subdistrictId: sub.body.id })
      .expect(201);
    expect(canteen.body.subdistrictId).toBe(sub.body.id);
    const renamed = await t
      .http()
      .patch(`/api/subdistricts/${sub.body.id}`)
      .set('authorization', admin)
      .send({ name: '振兴街道办' })
      .expect(200);
    expect(renamed.body).toMatchObject({ name: '振兴街道办', canteenCount: 1 });
    const list = await t.http().get('/api/districts').set('authorization', admin).expect(200);
    expect(list.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: district.body.id, subdistrictCount: 1 })]),
    );
    const [audit] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action IN ('DISTRICT_CREATED', 'SUBDISTRICT_CREATED', 'SUBDISTRICT_CHANGED')`,
    );
    expect(audit.n).toBe(3);
  });
});
