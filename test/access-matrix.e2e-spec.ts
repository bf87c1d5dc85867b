import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import type { Test } from 'supertest';
import { makeIdNumber } from '../src/subsidy/id-number';
import { createCanteen, createDiner, createSubdistrict, createUser, DinerFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// SPEC §2: every route of the register × every role × own and other canteen / sub-district, each cell asserted.
// Sub-district A holds canteens A1 (where the cashier and operator work) and A2; sub-district B holds B1.

const ROLES = ['ANON', 'CASHIER', 'OPERATOR', 'FINANCE', 'ADMIN'] as const;
type Caller = (typeof ROLES)[number];
type Expected = number | [number, string];
type Target = 'own' | 'other canteen' | 'other sub-district' | 'any';

const R: Expected = [403, 'ROLE_FORBIDDEN'];
const C: Expected = [403, 'CANTEEN_FORBIDDEN'];
const S: Expected = [403, 'SUBDISTRICT_FORBIDDEN'];
const D: Expected = [404, 'DINER_NOT_FOUND'];
const U: Expected = [404, 'USER_NOT_FOUND'];

interface World {
  canteen: Record<'A1' | 'A2' | 'B1', number>;
  subB: number;
  dinerA: DinerFixture;
  dinerB: DinerFixture;
  cashierOf: Record<'A1' | 'A2' | 'B1', number>;
}

interface Cell {
  route: string;
  target: Target;
  call: (http: TestApp['http'], w: World) => Test;
  expect: Record<Exclude<Caller, 'ANON'>, Expected>;
  check?: (res: Response, role: Caller, w: World) => void;
}

let seq = 0;
const freshId = () => makeIdNumber('371502', '1946-06-06', ++seq);
const unique = (p: string) => `${p}${++seq}_${Date.now().toString(36)}`;

async function oneRowFile(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('就餐老人');
  ws.addRow(['姓名', '身份证号码']);
  ws.addRow(['导入老人', freshId()]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const ids = (res: Response): number[] => (res.body as { id: number }[]).map((x) => x.id);
const site = { A1: 'own', A2: 'other canteen', B1: 'other sub-district' } as const;

function perCanteen(
  route: string,
  call: (http: TestApp['http'], w: World, canteenId: number, key: 'A1' | 'A2' | 'B1') => Test,
  expectations: Record<'A1' | 'A2' | 'B1', Cell['expect']>,
): Cell[] {
  return (['A1', 'A2', 'B1'] as const).map((key) => ({
    route,
    target: site[key],
    call: (http, w) => call(http, w, w.canteen[key], key),
    expect: expectations[key],
  }));
}

function perDiner(
  route: string,
  call: (http: TestApp['http'], dinerId: number) => Test,
  own: Cell['expect'],
  other: Cell['expect'],
): Cell[] {
  return [
    { route, target: 'own', call: (http, w) => call(http, w.dinerA.id), expect: own },
    { route, target: 'other sub-district', call: (http, w) => call(http, w.dinerB.id), expect: other },
  ];
}

const CELLS: Cell[] = [
  {
    route: 'POST /api/canteens',
    target: 'any',
    call: (http) =>
      http()
        .post('/api/canteens')
        .send({ name: unique('新食堂'), type: 'ENTERPRISE', prices: { LUNCH: 1200 } }),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, ADMIN: 201 },
  },
  {
    route: 'GET /api/canteens',
    target: 'any',
    call: (http) => http().get('/api/canteens'),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, ADMIN: 200 },
    check: (res, role, w) => {
      const seen = ids(res);
      if (role === 'CASHIER' || role === 'OPERATOR') expect(seen).toEqual([w.canteen.A1]);
      if (role === 'FINANCE') {
        expect(seen).toEqual(expect.arrayContaining([w.canteen.A1, w.canteen.A2]));
        expect(seen).not.toContain(w.canteen.B1);
      }
      if (role === 'ADMIN') expect(seen).toEqual(expect.arrayContaining(Object.values(w.canteen)));
    },
  },
  ...perCanteen('GET /api/canteens/:id', (http, _w, id) => http().get(`/api/canteens/${id}`), {
    A1: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, ADMIN: 200 },
    A2: { CASHIER: C, OPERATOR: C, FINANCE: 200, ADMIN: 200 },
    B1: { CASHIER: C, OPERATOR: C, FINANCE: C, ADMIN: 200 },
  }),
  ...perCanteen(
    'PATCH /api/canteens/:id',
    (http, _w, id) =>
      http()
        .patch(`/api/canteens/${id}`)
        .send({ prices: { LUNCH: 1300 }, periodHours: { LUNCH: ['10:30', '13:30'] } }),
    {
      A1: { CASHIER: R, OPERATOR: 200, FINANCE: R, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: C, FINANCE: R, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: C, FINANCE: R, ADMIN: 200 },
    },
  ),
  ...perCanteen(
    'POST /api/users (a cashier)',
    (http, _w, id) =>
      http()
        .post('/api/users')
        .send({ username: unique('cashier'), password: 'pass-word-1', role: 'CASHIER', canteenIds: [id] }),
    {
      A1: { CASHIER: R, OPERATOR: 201, FINANCE: R, ADMIN: 201 },
      A2: { CASHIER: R, OPERATOR: C, FINANCE: R, ADMIN: 201 },
      B1: { CASHIER: R, OPERATOR: C, FINANCE: R, ADMIN: 201 },
    },
  ),
  {
    route: 'GET /api/users',
    target: 'any',
    call: (http) => http().get('/api/users'),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, ADMIN: 200 },
    check: (res, role, w) => {
      const users = res.body as { id: number; role: string; canteenIds: number[] }[];
      if (role === 'OPERATOR') {
        expect(users.length).toBeGreaterThan(0);
        for (const u of users) {
          expect(u.role).toBe('CASHIER');
          expect(u.canteenIds).toContain(w.canteen.A1);
        }
        expect(ids(res)).not.toContain(w.cashierOf.A2);
      }
      if (role === 'ADMIN') expect(ids(res)).toEqual(expect.arrayContaining(Object.values(w.cashierOf)));
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);
    },
  },
  ...perCanteen(
    'PATCH /api/users/:id (a cashier)',
    (http, w, _id, key) => http().patch(`/api/users/${w.cashierOf[key]}`).send({ displayName: '改过的名字' }),
    {
      A1: { CASHIER: R, OPERATOR: 200, FINANCE: R, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: U, FINANCE: R, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: U, FINANCE: R, ADMIN: 200 },
    },
  ),
  ...perCanteen(
    'POST /api/diners',
    (http, _w, id) => http().post('/api/diners').send({ name: '新登记老人', idNumber: freshId(), canteenId: id }),
    {
      A1: { CASHIER: 201, OPERATOR: 201, FINANCE: R, ADMIN: 201 },
      A2: { CASHIER: C, OPERATOR: C, FINANCE: R, ADMIN: 201 },
      B1: { CASHIER: C, OPERATOR: C, FINANCE: R, ADMIN: 201 },
    },
  ),
  {
    route: 'GET /api/diners (own register)',
    target: 'own',
    call: (http) => http().get('/api/diners'),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, ADMIN: 200 },
    check: (res, _role, w) => {
      expect(ids(res)).toContain(w.dinerA.id);
      expect(ids(res)).not.toContain(w.dinerB.id);
      expect(res.text).not.toContain(w.dinerA.idNumber);
    },
  },
  {
    route: 'GET /api/diners?subdistrictId=',
    target: 'other sub-district',
    call: (http, w) => http().get('/api/diners').query({ subdistrictId: w.subB }),
    expect: { CASHIER: S, OPERATOR: S, FINANCE: S, ADMIN: 200 },
    check: (res, role, w) => {
      if (role === 'ADMIN') {
        expect(ids(res)).toContain(w.dinerB.id);
        expect(ids(res)).not.toContain(w.dinerA.id);
      }
    },
  },
  {
    route: 'GET /api/diners?idNumber=',
    target: 'own',
    call: (http, w) => http().get('/api/diners').query({ idNumber: w.dinerA.idNumber }),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, ADMIN: 200 },
    check: (res, _role, w) => expect(ids(res)).toEqual([w.dinerA.id]),
  },
  {
    route: 'GET /api/diners?idNumber=',
    target: 'other sub-district',
    call: (http, w) => http().get('/api/diners').query({ idNumber: w.dinerB.idNumber }),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, ADMIN: 200 },
    check: (res) => expect(res.body).toEqual([]),
  },
  {
    route: 'GET /api/diners?cardNo=',
    target: 'other sub-district',
    call: (http) => http().get('/api/diners').query({ cardNo: 'B-CARD-1' }),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, ADMIN: 200 },
    check: (res) => expect(res.body).toEqual([]),
  },
  ...perDiner(
    'GET /api/diners/:id',
    (http, id) => http().get(`/api/diners/${id}`),
    { CASHIER: 200, OPERATOR: 200, FINANCE: 200, ADMIN: 200 },
    { CASHIER: D, OPERATOR: D, FINANCE: D, ADMIN: 200 },
  ),
  ...perDiner(
    'PATCH /api/diners/:id',
    (http, id) => http().patch(`/api/diners/${id}`).send({ community: '柳园社区' }),
    { CASHIER: R, OPERATOR: 200, FINANCE: R, ADMIN: 200 },
    { CASHIER: R, OPERATOR: D, FINANCE: R, ADMIN: 200 },
  ),
  ...perDiner(
    'POST /api/diners/:id/status',
    (http, id) => http().post(`/api/diners/${id}/status`).send({ status: 'ACTIVE', effectiveFrom: '2022-09-01' }),
    { CASHIER: R, OPERATOR: 200, FINANCE: R, ADMIN: 200 },
    { CASHIER: R, OPERATOR: D, FINANCE: R, ADMIN: 200 },
  ),
  ...perDiner(
    'POST /api/diners/:id/reveal',
    (http, id) => http().post(`/api/diners/${id}/reveal`),
    { CASHIER: R, OPERATOR: 200, FINANCE: 200, ADMIN: 200 },
    { CASHIER: R, OPERATOR: D, FINANCE: D, ADMIN: 200 },
  ),
  {
    route: 'GET /api/diners/import-template',
    target: 'any',
    call: (http) => http().get('/api/diners/import-template'),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, ADMIN: 200 },
  },
];

// The import needs a file built asynchronously, so its cells are added with a prepared upload.
const IMPORT_CELLS: (Omit<Cell, 'call'> & { canteen: 'A1' | 'A2' | 'B1' })[] = [
  {
    route: 'POST /api/diners/import',
    target: 'own',
    canteen: 'A1',
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, ADMIN: 200 },
  },
  {
    route: 'POST /api/diners/import',
    target: 'other canteen',
    canteen: 'A2',
    expect: { CASHIER: R, OPERATOR: C, FINANCE: R, ADMIN: 200 },
  },
  {
    route: 'POST /api/diners/import',
    target: 'other sub-district',
    canteen: 'B1',
    expect: { CASHIER: R, OPERATOR: C, FINANCE: R, ADMIN: 200 },
  },
];

describe('Access matrix of the register (real PostgreSQL)', () => {
  let t: TestApp;
  let w: World;
  const tokens: Partial<Record<Caller, string>> = {};

  beforeAll(async () => {
    t = await startTestApp();
    const A1 = (await createCanteen(t.db, { name: '矩阵A1食堂' })).id;
    const A2 = (await createCanteen(t.db, { name: '矩阵A2食堂' })).id;
    const subB = await createSubdistrict(t.db, '另一街道');
    const B1 = (await createCanteen(t.db, { name: '矩阵B1食堂', subdistrictId: subB })).id;
    const [cashier, operator, finance] = await Promise.all([
      createUser(t, 'CASHIER', { canteenIds: [A1] }),
      createUser(t, 'OPERATOR', { canteenIds: [A1] }),
      createUser(t, 'FINANCE'),
    ]);
    tokens.CASHIER = cashier.token;
    tokens.OPERATOR = operator.token;
    tokens.FINANCE = finance.token;
    tokens.ADMIN = await t.adminToken();
    const [cA1, cA2, cB1] = await Promise.all([
      createUser(t, 'CASHIER', { canteenIds: [A1] }),
      createUser(t, 'CASHIER', { canteenIds: [A2] }),
      createUser(t, 'CASHIER', { canteenIds: [B1], subdistrictId: subB }),
    ]);
    w = {
      canteen: { A1, A2, B1 },
      subB,
      dinerA: await createDiner(t, { birthDate: '1941-04-04', name: '本街道老人' }),
      dinerB: await createDiner(t, {
        birthDate: '1942-05-05',
        name: '外街道老人',
        subdistrictId: subB,
        cardNo: 'B-CARD-1',
      }),
      cashierOf: { A1: cA1.id, A2: cA2.id, B1: cB1.id },
    };
  });
  afterAll(async () => {
    await t.close();
  });

  const assertCell = (res: Response, expected: Expected) => {
    const [status, code] = Array.isArray(expected) ? expected : [expected, undefined];
    expect({ status: res.status, code: res.body?.code }).toEqual({
      status,
      code: code ?? (status >= 400 ? expect.any(String) : undefined),
    });
  };

  const withToken = (test: Test, role: Caller): Test =>
    role === 'ANON' ? test : test.set('authorization', tokens[role]!);

  const describeCell = (role: Caller, expected: Expected) =>
    `${role} → ${Array.isArray(expected) ? expected.join(' ') : expected}`;

  for (const cell of CELLS) {
    describe(`${cell.route} [${cell.target}]`, () => {
      for (const role of ROLES) {
        const expected: Expected = role === 'ANON' ? [401, 'UNAUTHENTICATED'] : cell.expect[role];
        it(describeCell(role, expected), async () => {
          const res = await withToken(cell.call(t.http, w), role);
          assertCell(res, expected);
          if (role !== 'ANON' && res.status < 300) cell.check?.(res, role, w);
        });
      }
    });
  }

  for (const cell of IMPORT_CELLS) {
    describe(`${cell.route} [${cell.target}]`, () => {
      for (const role of ROLES) {
        const expected: Expected = role === 'ANON' ? [401, 'UNAUTHENTICATED'] : cell.expect[role];
        it(describeCell(role, expected), async () => {
          const file = await oneRowFile();
          const req = t
            .http()
            .post('/api/diners/import')
            .query({ canteenId: w.canteen[cell.canteen] })
            .attach('file', file, 'diners.xlsx');
          const res = await withToken(req, role);
          assertCell(res, expected);
          if (res.status === 200) expect(res.body).toEqual({ imported: 1, skipped: 0, rejected: [] });
        });
      }
    });
  }

  it('never let a refused call change anything: no diner registered at a canteen out of reach', async () => {
    const rows: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM diners d JOIN users u ON u.id = d.registered_by
        WHERE u.role <> 'ADMIN' AND d.registered_canteen_id <> $1`,
      [w.canteen.A1],
    );
    expect(rows[0].n).toBe(0);
  });
});
