import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import type { Test } from 'supertest';
import { DataSource } from 'typeorm';
import { addDays, todayLocal } from '../src/common/local-date';
import { makeIdNumber } from '../src/subsidy/id-number';
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
import { startTestApp, TEST_ADMIN, TestApp } from './support/test-app';

// SPEC §2: every route of the app × every role × own and other canteen / sub-district, each cell asserted. The
// routes are read from the running app: a route without cells here (or in PUBLIC_ROUTES) fails the suite.
// Sub-district A (of district A, where the reviewer works) holds canteens A1 (where the cashier and operator work) and
// A2; sub-district B, of another district, holds B1.

const ROLES = ['ANON', 'CASHIER', 'OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN'] as const;
type Caller = (typeof ROLES)[number];
type Expected = number | [number, string];
type Target = 'own' | 'other canteen' | 'other sub-district' | 'other district' | 'any';

const R: Expected = [403, 'ROLE_FORBIDDEN'];
const S: Expected = [403, 'SUBDISTRICT_FORBIDDEN'];
const C: Expected = [403, 'CANTEEN_FORBIDDEN'];
const DF: Expected = [403, 'DISTRICT_FORBIDDEN'];
const DN: Expected = [404, 'DISTRICT_NOT_FOUND'];
const D: Expected = [404, 'DINER_NOT_FOUND'];
const U: Expected = [404, 'USER_NOT_FOUND'];
const M: Expected = [404, 'MEAL_NOT_FOUND'];
const O: Expected = [404, 'OFFLINE_CONFLICT_NOT_FOUND'];
const K: Expected = [404, 'CLAIM_NOT_FOUND'];
const F: Expected = [404, 'CLAIM_FILE_UNKNOWN'];
const ALL_200 = { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 } as const;

// Routes anyone may call without a token: they hold no data of a site.
const PUBLIC_ROUTES = ['POST /api/auth/login', 'GET /api/health', 'GET /api/health/ready'];
// The OpenAPI document and its page (swagger-ui), also public.
const isDocs = (route: string): boolean => /^GET \/api\/docs/.test(route);

type Site = 'A1' | 'A2' | 'B1';

interface World {
  canteen: Record<Site, number>;
  canteenFixture: Record<Site, CanteenFixture>;
  subA: number;
  subB: number;
  districtA: number;
  districtB: number;
  dinerA: DinerFixture;
  dinerB: DinerFixture;
  /** Diners suspended since 2000 (SPEC §5 DINER_INACTIVE_AT_MEAL), of sub-district A and B. */
  inactiveA: DinerFixture;
  inactiveB: DinerFixture;
  cashierOf: Record<Site, number>;
  /** The logged-in users of the matrix, by role. */
  user: Record<Exclude<Caller, 'ANON'>, UserFixture | null>;
  /** Claims arranged in SQL (queued: never built here), per canteen and for the whole sub-district A. */
  claim: Record<Site | 'subA', number>;
  /** A month with an active lock of sub-district A and of canteen B1, for the lock list. */
  lockedMonth: string;
}

interface Arrange {
  db: DataSource;
  w: World;
  role: Exclude<Caller, 'ANON'> | 'ANON';
  adminToken: string;
}

interface Cell {
  route: string;
  target: Target;
  call: (http: TestApp['http'], w: World) => Test;
  expect: Record<Exclude<Caller, 'ANON'>, Expected>;
  check?: (res: Response, role: Caller, w: World) => void;
  /** Sets the stage for one call (run before each role's request). */
  arrange?: (a: Arrange) => Promise<void>;
  /** The call ends the session it is made with, so it gets a session of its own. */
  freshSession?: boolean;
}

let seq = 0;
const freshId = () => makeIdNumber('371502', '1946-06-06', ++seq);
const unique = (p: string) => `${p}${++seq}_${Date.now().toString(36)}`;
// A month of its own for each lock call (locks of one month and site are unique), far in the past.
let monthSeq = 0;
const freshMonth = (): string =>
  `${1901 + Math.floor(monthSeq / 12)}-${String((monthSeq++ % 12) + 1).padStart(2, '0')}`;
// What a later call of the same cell uses (set by its arrange step).
const arranged: { meal: string; month: string; policyVersion: number; conflict: string } = {
  meal: '0',
  month: '',
  policyVersion: 0,
  conflict: '0',
};
const resetTarget = { id: 0 };
let explainedDays = 0;
// Sites whose finished claim the verify cells arranged.
const verifiable = new Set<Site>();
const dinerAt = (w: World, key: Site): DinerFixture => (key === 'B1' ? w.dinerB : w.dinerA);

async function oneRowFile(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('就餐老人');
  ws.addRow(['姓名', '身份证号码']);
  ws.addRow(['导入老人', freshId()]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** 'METHOD /path' of every route the running app serves, read from its Express router. */
function appRoutes(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance() as { router?: { stack: RouterLayer[] } };
  const stack = express.router?.stack ?? [];
  return [
    ...new Set(
      stack.flatMap((layer) =>
        layer.route
          ? Object.keys(layer.route.methods)
              .filter((m) => m !== '_all')
              .map((m) => `${m.toUpperCase()} ${layer.route!.path}`)
          : [],
      ),
    ),
  ].sort();
}

// Every list answers a page { items, total, page, pageSize }.
const ids = (res: Response): number[] => (res.body.items as { id: number }[]).map((x) => x.id);
const site = { A1: 'own', A2: 'other canteen', B1: 'other sub-district' } as const;

function perCanteen(
  route: string,
  call: (http: TestApp['http'], w: World, canteenId: number, key: Site) => Test,
  expectations: Record<Site, Cell['expect']>,
  extra: { arrange?: (a: Arrange, key: Site) => Promise<void>; check?: Cell['check'] } = {},
): Cell[] {
  return (['A1', 'A2', 'B1'] as const).map((key) => ({
    route,
    target: site[key],
    call: (http, w) => call(http, w, w.canteen[key], key),
    expect: expectations[key],
    check: extra.check,
    arrange: extra.arrange && ((a: Arrange) => extra.arrange!(a, key)),
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
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 201 },
  },
  {
    route: 'GET /api/canteens',
    target: 'any',
    call: (http) => http().get('/api/canteens'),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    check: (res, role, w) => {
      const seen = ids(res);
      if (role === 'CASHIER' || role === 'OPERATOR') expect(seen).toEqual([w.canteen.A1]);
      if (role === 'FINANCE' || role === 'REVIEWER') {
        expect(seen).toEqual(expect.arrayContaining([w.canteen.A1, w.canteen.A2]));
        expect(seen).not.toContain(w.canteen.B1);
      }
      if (role === 'ADMIN') expect(seen).toEqual(expect.arrayContaining(Object.values(w.canteen)));
    },
  },
  ...perCanteen('GET /api/canteens/:id', (http, _w, id) => http().get(`/api/canteens/${id}`), {
    A1: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    A2: { CASHIER: C, OPERATOR: C, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    B1: { CASHIER: C, OPERATOR: C, FINANCE: C, REVIEWER: C, ADMIN: 200 },
  }),
  ...perCanteen(
    'PATCH /api/canteens/:id',
    (http, _w, id) =>
      http()
        .patch(`/api/canteens/${id}`)
        .send({
          prices: { LUNCH: 1300 },
          // All three: the fixtures' canteens serve every period all day, which a change of one would overlap.
          periodHours: { BREAKFAST: ['06:00', '09:00'], LUNCH: ['10:30', '13:30'], DINNER: ['16:30', '19:00'] },
        }),
    {
      A1: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    },
  ),
  ...perCanteen(
    'POST /api/users (a cashier)',
    (http, _w, id) =>
      http()
        .post('/api/users')
        .send({ username: unique('cashier'), password: 'pass-word-1', role: 'CASHIER', canteenIds: [id] }),
    {
      A1: { CASHIER: R, OPERATOR: 201, FINANCE: R, REVIEWER: R, ADMIN: 201 },
      A2: { CASHIER: R, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 201 },
      B1: { CASHIER: R, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 201 },
    },
  ),
  {
    route: 'GET /api/users',
    target: 'any',
    call: (http) => http().get('/api/users'),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    check: (res, role, w) => {
      const users = res.body.items as { id: number; role: string; canteenIds: number[] }[];
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
  // A filter narrows the reach and never widens it: out of reach, an empty list (as GET /api/canteens).
  {
    route: 'GET /api/users?subdistrictId=',
    target: 'own',
    call: (http, w) => http().get('/api/users').query({ subdistrictId: w.subA }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    check: (res, role, w) => {
      const seen = ids(res);
      expect(seen).toContain(w.cashierOf.A1);
      expect(seen).not.toContain(w.cashierOf.B1);
      if (role === 'ADMIN') expect(seen).toContain(w.cashierOf.A2);
      else expect(seen).not.toContain(w.cashierOf.A2);
    },
  },
  {
    route: 'GET /api/users?subdistrictId=',
    target: 'other sub-district',
    call: (http, w) => http().get('/api/users').query({ subdistrictId: w.subB }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    check: (res, role, w) => {
      const seen = ids(res);
      if (role === 'ADMIN') expect(seen).toContain(w.cashierOf.B1);
      else expect(seen).toEqual([]);
      expect(seen).not.toContain(w.cashierOf.A1);
      expect(seen).not.toContain(w.cashierOf.A2);
    },
  },
  {
    route: 'GET /api/users?districtId=',
    target: 'other district',
    call: (http, w) => http().get('/api/users').query({ districtId: w.districtB }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    check: (res, role, w) => {
      const users = res.body.items as { id: number; subdistrictId: number | null; districtId: number | null }[];
      if (role === 'ADMIN') expect(ids(res)).toContain(w.cashierOf.B1);
      else expect(users).toEqual([]);
      for (const u of users) {
        expect(u.subdistrictId === w.subB || u.districtId === w.districtB).toBe(true);
      }
    },
  },
  {
    route: 'GET /api/users?districtId=',
    target: 'own',
    call: (http, w) => http().get('/api/users').query({ districtId: w.districtA }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    check: (res, role, w) => {
      const seen = ids(res);
      expect(seen).toContain(w.cashierOf.A1);
      expect(seen).not.toContain(w.cashierOf.B1);
      if (role === 'ADMIN') expect(seen).toEqual(expect.arrayContaining([w.cashierOf.A2, w.user.REVIEWER!.id]));
    },
  },
  ...perCanteen(
    'PATCH /api/users/:id (a cashier)',
    (http, w, _id, key) => http().patch(`/api/users/${w.cashierOf[key]}`).send({ displayName: '改过的名字' }),
    {
      A1: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: U, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: U, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    },
  ),
  ...perCanteen(
    'POST /api/users/:id/reset-password (a cashier)',
    (http) => http().post(`/api/users/${resetTarget.id}/reset-password`),
    {
      A1: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: U, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: U, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    },
    {
      // A cashier of its own at the site: the reset ends its sessions, so not one the matrix logs in with.
      arrange: async ({ db, w }, key) => {
        const [row]: { id: number }[] = await db.query(
          `INSERT INTO users (username, password_hash, role, subdistrict_id) VALUES ($1, 'x', 'CASHIER', $2) RETURNING id`,
          [unique('reset'), w.canteenFixture[key].subdistrictId],
        );
        await db.query(`INSERT INTO user_canteens (user_id, canteen_id) VALUES ($1, $2)`, [row.id, w.canteen[key]]);
        resetTarget.id = row.id;
      },
      check: (res) => expect(res.body.password).toMatch(/^[A-Za-z2-9]{12}$/),
    },
  ),
  ...perCanteen(
    'POST /api/diners',
    (http, _w, id) => http().post('/api/diners').send({ name: '新登记老人', idNumber: freshId(), canteenId: id }),
    {
      A1: { CASHIER: 201, OPERATOR: 201, FINANCE: R, REVIEWER: R, ADMIN: 201 },
      A2: { CASHIER: C, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 201 },
      B1: { CASHIER: C, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 201 },
    },
  ),
  {
    route: 'GET /api/diners (own register)',
    target: 'own',
    call: (http) => http().get('/api/diners'),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
    check: (res, role, w) => {
      expect(ids(res)).toContain(w.dinerA.id);
      // An admin's register is the whole city's.
      if (role === 'ADMIN') expect(ids(res)).toContain(w.dinerB.id);
      else expect(ids(res)).not.toContain(w.dinerB.id);
      expect(res.text).not.toContain(w.dinerA.idNumber);
    },
  },
  {
    route: 'GET /api/diners?subdistrictId=',
    target: 'other sub-district',
    call: (http, w) => http().get('/api/diners').query({ subdistrictId: w.subB }),
    // A filter within the register: it never widens it.
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
    check: (res, role, w) => {
      expect(ids(res)).not.toContain(w.dinerA.id);
      if (role === 'ADMIN') expect(ids(res)).toContain(w.dinerB.id);
      else expect(ids(res)).toEqual([]);
    },
  },
  {
    route: 'GET /api/diners?idNumber=',
    target: 'own',
    call: (http, w) => http().get('/api/diners').query({ idNumber: w.dinerA.idNumber }),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
    check: (res, _role, w) => expect(ids(res)).toEqual([w.dinerA.id]),
  },
  {
    route: 'GET /api/diners?idNumber=',
    target: 'other sub-district',
    call: (http, w) => http().get('/api/diners').query({ idNumber: w.dinerB.idNumber }),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
    // One register for the city: the full ID number finds a diner of any sub-district (so nobody registers twice).
    check: (res, _role, w) => expect(ids(res)).toEqual([w.dinerB.id]),
  },
  {
    route: 'GET /api/diners?cardNo=',
    target: 'other sub-district',
    call: (http) => http().get('/api/diners').query({ cardNo: 'B-CARD-1' }),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
    // A card number does not reach across (only the full ID number does).
    check: (res, role, w) => expect(ids(res)).toEqual(role === 'ADMIN' ? [w.dinerB.id] : []),
  },
  ...perDiner(
    'GET /api/diners/:id',
    (http, id) => http().get(`/api/diners/${id}`),
    { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
    { CASHIER: D, OPERATOR: D, FINANCE: D, REVIEWER: R, ADMIN: 200 },
  ),
  ...perDiner(
    'PATCH /api/diners/:id',
    (http, id) => http().patch(`/api/diners/${id}`).send({ community: '柳园社区' }),
    { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    { CASHIER: R, OPERATOR: D, FINANCE: R, REVIEWER: R, ADMIN: 200 },
  ),
  ...perDiner(
    'POST /api/diners/:id/status',
    (http, id) => http().post(`/api/diners/${id}/status`).send({ status: 'ACTIVE', effectiveFrom: '2022-09-01' }),
    { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    { CASHIER: R, OPERATOR: D, FINANCE: R, REVIEWER: R, ADMIN: 200 },
  ),
  ...perDiner(
    'POST /api/diners/:id/reveal',
    (http, id) => http().post(`/api/diners/${id}/reveal`),
    { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
    { CASHIER: R, OPERATOR: D, FINANCE: D, REVIEWER: R, ADMIN: 200 },
  ),
  {
    route: 'GET /api/diners/register',
    target: 'own',
    call: (http) => http().get('/api/diners/register').query({ pageSize: 200 }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
    check: (res, role, w) => {
      const seen = (res.body as { items: { id: number }[] }).items.map((d) => d.id);
      expect(seen).toContain(w.dinerA.id);
      if (role === 'ADMIN') expect(seen).toContain(w.dinerB.id);
      else expect(seen).not.toContain(w.dinerB.id);
      expect(res.text).not.toContain(w.dinerA.idNumber);
    },
  },
  {
    route: 'GET /api/diners/export',
    target: 'own',
    call: (http) => http().get('/api/diners/export'),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
  },
  {
    route: 'GET /api/diners/import-template',
    target: 'any',
    call: (http) => http().get('/api/diners/import-template'),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
  },

  // The till: quotes, meals, the day's list, voids, the start page.
  ...perCanteen(
    'GET /api/canteens/:canteenId/meals/quote',
    (http, w, id, key) =>
      http()
        .get(`/api/canteens/${id}/meals/quote`)
        .query({ idNumber: dinerAt(w, key).idNumber, mealPeriod: 'LUNCH' }),
    {
      A1: { CASHIER: 200, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      A2: { CASHIER: C, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      B1: { CASHIER: C, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    },
    { check: (res) => expect(res.text).not.toMatch(/\d{17}[\dX]/) },
  ),
  ...perCanteen(
    'POST /api/canteens/:canteenId/meals',
    (http, w, id, key) =>
      http()
        .post(`/api/canteens/${id}/meals`)
        .set('idempotency-key', unique('matrix-meal-'))
        // Reach is the point here, whatever the hour: confirmed outside the lunch hours too.
        .send({
          idNumber: dinerAt(w, key).idNumber,
          mealPeriod: 'LUNCH',
          verification: 'ID_CARD_READER',
          confirmOutsideHours: true,
        }),
    {
      A1: { CASHIER: 201, OPERATOR: 201, FINANCE: R, REVIEWER: R, ADMIN: 201 },
      A2: { CASHIER: C, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 201 },
      B1: { CASHIER: C, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 201 },
    },
  ),
  ...perCanteen('GET /api/canteens/:canteenId/meals', (http, _w, id) => http().get(`/api/canteens/${id}/meals`), {
    A1: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: C, ADMIN: 200 },
    A2: { CASHIER: C, OPERATOR: C, FINANCE: 200, REVIEWER: C, ADMIN: 200 },
    B1: { CASHIER: C, OPERATOR: C, FINANCE: C, REVIEWER: C, ADMIN: 200 },
  }),
  ...perCanteen(
    'POST /api/meals/:id/void',
    (http) => http().post(`/api/meals/${arranged.meal}/void`).send({ reason: '矩阵作废' }),
    {
      A1: { CASHIER: 200, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      A2: { CASHIER: M, OPERATOR: M, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      B1: { CASHIER: M, OPERATOR: M, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    },
    {
      // A meal of today at the site, recorded by the caller where it may record (a cashier voids only its own).
      arrange: async ({ db, w, role }, key) => {
        const own = role === 'CASHIER' && key === 'A1' ? w.user.CASHIER : null;
        arranged.meal = await insertMeal(db, {
          canteen: w.canteenFixture[key],
          dinerId: dinerAt(w, key).id,
          cashierUserId: own?.id ?? w.cashierOf[key],
          servedAt: new Date(),
          mealDate: todayLocal(),
          priceFen: 1200,
          subsidyFen: 0,
          age: 80,
          tier: 'NONE',
          reason: 'ALREADY_SUBSIDISED',
        });
      },
    },
  ),
  // SPEC §5: an operator explains a meal eaten while the diner was not active (its canteens only).
  ...perCanteen(
    'POST /api/meals/:id/explanation',
    (http) => http().post(`/api/meals/${arranged.meal}/explanation`).send({ note: '矩阵说明' }),
    {
      A1: { CASHIER: R, OPERATOR: 201, FINANCE: R, REVIEWER: R, ADMIN: 201 },
      A2: { CASHIER: R, OPERATOR: M, FINANCE: R, REVIEWER: R, ADMIN: 201 },
      B1: { CASHIER: R, OPERATOR: M, FINANCE: R, REVIEWER: R, ADMIN: 201 },
    },
    {
      // A subsidised meal of a suspended diner at the site, each on a day of its own (one subsidy a day).
      arrange: async ({ db, w }, key) => {
        const mealDate = addDays(todayLocal(), -++explainedDays);
        arranged.meal = await insertMeal(db, {
          canteen: w.canteenFixture[key],
          dinerId: (key === 'B1' ? w.inactiveB : w.inactiveA).id,
          cashierUserId: w.cashierOf[key],
          servedAt: new Date(`${mealDate}T12:00:00+08:00`),
          mealDate,
          priceFen: 1200,
          subsidyFen: 200,
          age: 76,
          tier: '70_79',
          reason: 'TIER_70_79',
        });
      },
    },
  ),
  // Offline conflicts (SPEC §4 "Offline"): seen by the canteen's operator and the site's finance, reviewer, admin.
  ...perCanteen(
    'GET /api/canteens/:canteenId/offline-conflicts',
    (http, _w, id) => http().get(`/api/canteens/${id}/offline-conflicts`),
    {
      A1: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: C, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: C, FINANCE: C, REVIEWER: C, ADMIN: 200 },
    },
  ),
  ...perCanteen(
    'POST /api/offline-conflicts/:id/settle',
    (http) => http().post(`/api/offline-conflicts/${arranged.conflict}/settle`).send({ note: '矩阵处理' }),
    {
      A1: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: O, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: O, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    },
    {
      // An unsettled conflict at the site: an unregistered diner's offline meal, as the till's upload keeps it.
      arrange: async ({ db, w }, key) => {
        const [row] = await db.query(
          `INSERT INTO offline_conflicts (subdistrict_id, canteen_id, meal_id, id_number_hmac, id_number_masked,
               meal_date, meal_period, served_at, offline_since, price_fen, provisional_subsidy_fen, subsidy_fen,
               under_collected_fen, reason, cashier_user_id, idempotency_key, request_hash)
           VALUES ($1, $2, NULL, '\\x00', '110105********0011', $3, 'LUNCH', now(), now(), 1200, 200, 0, 200,
                   'NOT_REGISTERED', $4, $5, 'matrix') RETURNING id`,
          [w.canteenFixture[key].subdistrictId, w.canteen[key], todayLocal(), w.cashierOf[key], unique('matrix-')],
        );
        arranged.conflict = String(row.id);
      },
    },
  ),
  {
    route: 'GET /api/till',
    target: 'any',
    call: (http) => http().get('/api/till'),
    expect: ALL_200,
    check: (res, role, w) => {
      const seen = (res.body as { canteens: { id: number }[] }).canteens.map((c) => c.id);
      if (role === 'CASHIER' || role === 'OPERATOR') expect(seen).toEqual([w.canteen.A1]);
      if (role === 'FINANCE' || role === 'REVIEWER') {
        expect(seen).toEqual(expect.arrayContaining([w.canteen.A1, w.canteen.A2]));
        expect(seen).not.toContain(w.canteen.B1);
      }
      if (role === 'ADMIN') expect(seen).toEqual(expect.arrayContaining(Object.values(w.canteen)));
    },
  },
  {
    route: 'GET /api/subsidy/quote',
    target: 'any',
    call: (http) => http().get('/api/subsidy/quote').query({ idNumber: freshId(), priceFen: '1200' }),
    expect: ALL_200,
  },

  // Month locks.
  ...perCanteen(
    'POST /api/months/:month/lock',
    (http, _w, id) => http().post(`/api/months/${freshMonth()}/lock`).send({ canteenId: id }),
    {
      A1: { CASHIER: R, OPERATOR: R, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: R, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: R, FINANCE: C, REVIEWER: R, ADMIN: 200 },
    },
  ),
  {
    route: 'POST /api/months/:month/lock (whole sub-district)',
    target: 'own',
    call: (http) => http().post(`/api/months/${freshMonth()}/lock`).send({}),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: 200, REVIEWER: R, ADMIN: 200 },
    check: (res, _role, w) => expect(res.body).toMatchObject({ subdistrictId: w.subA, canteenId: null }),
  },
  ...perCanteen(
    'POST /api/months/:month/unlock',
    (http, _w, id) => http().post(`/api/months/${arranged.month}/unlock`).send({ canteenId: id, reason: '矩阵解锁' }),
    {
      A1: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    },
    {
      arrange: async ({ db, w }, key) => {
        arranged.month = freshMonth();
        await db.query(
          `INSERT INTO month_locks (subdistrict_id, canteen_id, month, locked_by)
           SELECT $1, $2, $3, id FROM users WHERE username = 'admin'`,
          [w.canteenFixture[key].subdistrictId, w.canteen[key], arranged.month],
        );
      },
    },
  ),
  {
    route: 'GET /api/audit',
    target: 'any',
    call: (http) => http().get('/api/audit').query({ pageSize: 5 }),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 200 },
    check: (res) => expect(res.body).toMatchObject({ page: 1, pageSize: 5, total: expect.any(Number) }),
  },
  {
    route: 'GET /api/months/:month/locks',
    target: 'any',
    call: (http, w) => http().get(`/api/months/${w.lockedMonth}/locks`),
    expect: ALL_200,
    check: (res, role, w) => {
      const subs = (res.body.items as { subdistrictId: number }[]).map((l) => l.subdistrictId);
      if (role === 'ADMIN') expect(subs).toEqual(expect.arrayContaining([w.subA, w.subB]));
      else expect(subs).toEqual([w.subA]);
    },
  },
  {
    route: 'GET /api/months/:month/locks?subdistrictId=',
    target: 'own',
    call: (http, w) => http().get(`/api/months/${w.lockedMonth}/locks`).query({ subdistrictId: w.subA }),
    expect: ALL_200,
    check: (res, role, w) => {
      const subs = [...new Set((res.body.items as { subdistrictId: number }[]).map((l) => l.subdistrictId))];
      expect(subs).toEqual(role === 'ADMIN' ? [w.subA] : [w.subA]);
    },
  },
  {
    route: 'GET /api/months/:month/locks?districtId=',
    target: 'own',
    call: (http, w) => http().get(`/api/months/${w.lockedMonth}/locks`).query({ districtId: w.districtA }),
    expect: ALL_200,
    check: (res, role, w) => {
      const subs = [...new Set((res.body.items as { subdistrictId: number }[]).map((l) => l.subdistrictId))];
      expect(subs).toEqual(role === 'ADMIN' ? [w.subA] : [w.subA]);
    },
  },
  {
    route: 'GET /api/months/:month/locks?subdistrictId=',
    target: 'other sub-district',
    call: (http, w) => http().get(`/api/months/${w.lockedMonth}/locks`).query({ subdistrictId: w.subB }),
    expect: ALL_200,
    check: (res, role, w) => {
      const subs = [...new Set((res.body.items as { subdistrictId: number }[]).map((l) => l.subdistrictId))];
      expect(subs).toEqual(role === 'ADMIN' ? [w.subB] : []);
    },
  },
  {
    route: 'GET /api/months/:month/locks?districtId=',
    target: 'other district',
    call: (http, w) => http().get(`/api/months/${w.lockedMonth}/locks`).query({ districtId: w.districtB }),
    expect: ALL_200,
    check: (res, role, w) => {
      const subs = [...new Set((res.body.items as { subdistrictId: number }[]).map((l) => l.subdistrictId))];
      expect(subs).toEqual(role === 'ADMIN' ? [w.subB] : []);
    },
  },

  // Claims (arranged in SQL and never built here: a claim in reach answers 409 CLAIM_NOT_READY for its file).
  ...perCanteen(
    'POST /api/claims',
    (http, _w, id) => http().post('/api/claims').send({ month: '2025-01', canteenId: id }),
    {
      A1: { CASHIER: R, OPERATOR: R, FINANCE: 202, REVIEWER: R, ADMIN: 202 },
      A2: { CASHIER: R, OPERATOR: R, FINANCE: 202, REVIEWER: R, ADMIN: 202 },
      B1: { CASHIER: R, OPERATOR: R, FINANCE: C, REVIEWER: R, ADMIN: 202 },
    },
  ),
  {
    route: 'POST /api/claims (whole sub-district)',
    target: 'own',
    call: (http) => http().post('/api/claims').send({ month: '2025-01' }),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: 202, REVIEWER: R, ADMIN: 202 },
    check: (res, _role, w) => expect(res.body).toMatchObject({ subdistrictId: w.subA, canteenId: null }),
  },
  {
    route: 'GET /api/claims',
    target: 'any',
    call: (http) => http().get('/api/claims').query({ month: '2024-12' }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    check: (res, role, w) => {
      const seen = ids(res);
      if (role === 'OPERATOR') expect(seen).toEqual([w.claim.A1]);
      if (role === 'FINANCE' || role === 'REVIEWER')
        expect(seen.sort()).toEqual([w.claim.A1, w.claim.A2, w.claim.subA].sort());
      if (role === 'ADMIN') expect(seen).toEqual(expect.arrayContaining(Object.values(w.claim)));
    },
  },
  {
    route: 'GET /api/claims?districtId=',
    target: 'own',
    call: (http, w) => http().get('/api/claims').query({ month: '2024-12', districtId: w.districtA }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    check: (res, role, w) => {
      const seen = ids(res).sort();
      if (role === 'OPERATOR') expect(seen).toEqual([w.claim.A1]);
      else expect(seen).toEqual([w.claim.A1, w.claim.A2, w.claim.subA].sort());
    },
  },
  {
    route: 'GET /api/claims?subdistrictId=',
    target: 'own',
    call: (http, w) => http().get('/api/claims').query({ month: '2024-12', subdistrictId: w.subA }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    check: (res, role, w) => {
      const seen = ids(res).sort();
      if (role === 'OPERATOR') expect(seen).toEqual([w.claim.A1]);
      else expect(seen).toEqual([w.claim.A1, w.claim.A2, w.claim.subA].sort());
    },
  },
  {
    route: 'GET /api/claims?subdistrictId=',
    target: 'other sub-district',
    call: (http, w) => http().get('/api/claims').query({ month: '2024-12', subdistrictId: w.subB }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    check: (res, role, w) => expect(ids(res)).toEqual(role === 'ADMIN' ? [w.claim.B1] : []),
  },
  {
    route: 'GET /api/claims?districtId=',
    target: 'other district',
    call: (http, w) => http().get('/api/claims').query({ month: '2024-12', districtId: w.districtB }),
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    check: (res, role, w) => expect(ids(res)).toEqual(role === 'ADMIN' ? [w.claim.B1] : []),
  },
  ...perCanteen('GET /api/claims/:id', (http, w, _id, key) => http().get(`/api/claims/${w.claim[key]}`), {
    A1: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    A2: { CASHIER: R, OPERATOR: K, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    B1: { CASHIER: R, OPERATOR: K, FINANCE: K, REVIEWER: K, ADMIN: 200 },
  }),
  {
    route: 'GET /api/claims/:id',
    target: 'own',
    call: (http, w) => http().get(`/api/claims/${w.claim.subA}`),
    expect: { CASHIER: R, OPERATOR: K, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
  },
  ...perCanteen('GET /api/claims/:id/checks', (http, w, _id, key) => http().get(`/api/claims/${w.claim[key]}/checks`), {
    A1: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    A2: { CASHIER: R, OPERATOR: K, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    B1: { CASHIER: R, OPERATOR: K, FINANCE: K, REVIEWER: K, ADMIN: 200 },
  }),
  {
    route: 'GET /api/claims/:id/checks',
    target: 'own',
    call: (http, w) => http().get(`/api/claims/${w.claim.subA}/checks`),
    expect: { CASHIER: R, OPERATOR: K, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
  },
  ...perCanteen('GET /api/claims/:id/file', (http, w, _id, key) => http().get(`/api/claims/${w.claim[key]}/file`), {
    A1: {
      CASHIER: R,
      OPERATOR: [409, 'CLAIM_NOT_READY'],
      FINANCE: [409, 'CLAIM_NOT_READY'],
      REVIEWER: [409, 'CLAIM_NOT_READY'],
      ADMIN: [409, 'CLAIM_NOT_READY'],
    },
    A2: {
      CASHIER: R,
      OPERATOR: K,
      FINANCE: [409, 'CLAIM_NOT_READY'],
      REVIEWER: [409, 'CLAIM_NOT_READY'],
      ADMIN: [409, 'CLAIM_NOT_READY'],
    },
    B1: { CASHIER: R, OPERATOR: K, FINANCE: K, REVIEWER: K, ADMIN: [409, 'CLAIM_NOT_READY'] },
  }),
  ...perCanteen('GET /api/claims/:id/print', (http, w, _id, key) => http().get(`/api/claims/${w.claim[key]}/print`), {
    A1: {
      CASHIER: R,
      OPERATOR: [409, 'CLAIM_NOT_READY'],
      FINANCE: [409, 'CLAIM_NOT_READY'],
      REVIEWER: [409, 'CLAIM_NOT_READY'],
      ADMIN: [409, 'CLAIM_NOT_READY'],
    },
    A2: {
      CASHIER: R,
      OPERATOR: K,
      FINANCE: [409, 'CLAIM_NOT_READY'],
      REVIEWER: [409, 'CLAIM_NOT_READY'],
      ADMIN: [409, 'CLAIM_NOT_READY'],
    },
    B1: { CASHIER: R, OPERATOR: K, FINANCE: K, REVIEWER: K, ADMIN: [409, 'CLAIM_NOT_READY'] },
  }),
  {
    route: 'GET /api/claims/:id/print',
    target: 'own',
    call: (http, w) => http().get(`/api/claims/${w.claim.subA}/print`),
    expect: {
      CASHIER: R,
      OPERATOR: K,
      FINANCE: [409, 'CLAIM_NOT_READY'],
      REVIEWER: [409, 'CLAIM_NOT_READY'],
      ADMIN: [409, 'CLAIM_NOT_READY'],
    },
  },

  ...perCanteen(
    'GET /api/claims/:id/history',
    (http, w, _id, key) => http().get(`/api/claims/${w.claim[key]}/history`),
    {
      A1: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: K, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: K, FINANCE: K, REVIEWER: K, ADMIN: 200 },
    },
  ),
  {
    route: 'GET /api/claims/:id/history',
    target: 'own',
    call: (http, w) => http().get(`/api/claims/${w.claim.subA}/history`),
    expect: { CASHIER: R, OPERATOR: K, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
  },
  // Review and payment (SPEC §5): finance of the sub-district submits, the district's reviewer returns, approves and
  // pays; admins do neither. The claims here are never built, so a claim in reach answers why it cannot move.
  ...perCanteen(
    'POST /api/claims/:id/submit',
    (http, w, _id, key) => http().post(`/api/claims/${w.claim[key]}/submit`).send({}),
    {
      A1: { CASHIER: R, OPERATOR: R, FINANCE: [409, 'CLAIM_NOT_SUBDISTRICT'], REVIEWER: R, ADMIN: R },
      A2: { CASHIER: R, OPERATOR: R, FINANCE: [409, 'CLAIM_NOT_SUBDISTRICT'], REVIEWER: R, ADMIN: R },
      B1: { CASHIER: R, OPERATOR: R, FINANCE: K, REVIEWER: R, ADMIN: R },
    },
  ),
  {
    route: 'POST /api/claims/:id/submit',
    target: 'own',
    call: (http, w) => http().post(`/api/claims/${w.claim.subA}/submit`).send({}),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: [409, 'CLAIM_NOT_READY'], REVIEWER: R, ADMIN: R },
  },
  ...(
    [
      ['return', { reason: '请补充说明' }],
      ['approve', {}],
      ['pay', { paidOn: todayLocal(), reference: 'P-1' }],
    ] as const
  ).flatMap(([step, body]): Cell[] => [
    {
      route: `POST /api/claims/:id/${step}`,
      target: 'own',
      call: (http, w) => http().post(`/api/claims/${w.claim.subA}/${step}`).send(body),
      expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: [409, 'CLAIM_REVIEW_STATUS'], ADMIN: R },
    },
    {
      route: `POST /api/claims/:id/${step}`,
      target: 'other district',
      call: (http, w) => http().post(`/api/claims/${w.claim.B1}/${step}`).send(body),
      expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: K, ADMIN: R },
    },
  ]),

  // A finished claim per canteen (arranged once, in SQL, with the SHA-256 of a small stand-in file).
  ...perCanteen(
    'POST /api/claims/verify',
    (http, _w, _id, key) =>
      http()
        .post('/api/claims/verify')
        .attach('file', Buffer.from(`matrix claim file ${key}`), 'claim.xlsx'),
    {
      A1: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
      A2: { CASHIER: R, OPERATOR: F, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
      B1: { CASHIER: R, OPERATOR: F, FINANCE: F, REVIEWER: F, ADMIN: 200 },
    },
    {
      arrange: async ({ db, w }, key) => {
        if (verifiable.has(key)) return;
        verifiable.add(key);
        await db.query(
          `INSERT INTO claims (subdistrict_id, canteen_id, month, version, status, progress, totals, file_path, sha256)
           SELECT subdistrict_id, id, '2024-11', 1, 'DONE', 100, '{}', 'matrix.xlsx', $2 FROM canteens WHERE id = $1`,
          [w.canteen[key], createHash('sha256').update(`matrix claim file ${key}`).digest('hex')],
        );
      },
    },
  ),

  {
    route: 'GET /api/audit/verify',
    target: 'any',
    call: (http) => http().get('/api/audit/verify'),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 200 },
  },

  // Policy versions: the rates are public to staff; only admins change them.
  {
    route: 'GET /api/policy/versions',
    target: 'any',
    call: (http) => http().get('/api/policy/versions'),
    expect: ALL_200,
  },
  {
    route: 'POST /api/policy/versions',
    target: 'any',
    call: (http) =>
      http()
        .post('/api/policy/versions')
        .send({
          effectiveFrom: `${2040 + ++seq}-01-01`,
          tiers: [{ minAge: 70, maxAge: null, amountFen: 300 }],
        }),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 201 },
  },
  {
    route: 'DELETE /api/policy/versions/:id',
    target: 'any',
    call: (http) => http().delete(`/api/policy/versions/${arranged.policyVersion}`),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 204 },
    arrange: async ({ db }) => {
      const [row]: { id: number }[] = await db.query(
        `INSERT INTO subsidy_policy_versions (effective_from, limit_mode, tiers)
         VALUES ($1, 'PER_DAY', '[{"minAge": 70, "maxAge": null, "amountFen": 300}]') RETURNING id`,
        [`${2100 + ++seq}-01-01`],
      );
      arranged.policyVersion = row.id;
    },
  },

  // The hierarchy: districts and sub-districts.
  {
    route: 'POST /api/districts',
    target: 'any',
    call: (http) =>
      http()
        .post('/api/districts')
        .send({ name: unique('新区'), code: String(200000 + ++seq) }),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 201 },
  },
  {
    route: 'GET /api/districts',
    target: 'any',
    call: (http) => http().get('/api/districts'),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: 200, ADMIN: 200 },
    check: (res, role, w) => {
      if (role === 'REVIEWER') expect(ids(res)).toEqual([w.districtA]);
      if (role === 'ADMIN') expect(ids(res)).toEqual(expect.arrayContaining([w.districtA, w.districtB]));
    },
  },
  {
    route: 'GET /api/districts/:id',
    target: 'own',
    call: (http, w) => http().get(`/api/districts/${w.districtA}`),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: 200, ADMIN: 200 },
  },
  {
    route: 'GET /api/districts/:id',
    target: 'other district',
    call: (http, w) => http().get(`/api/districts/${w.districtB}`),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: DN, ADMIN: 200 },
  },
  {
    route: 'PATCH /api/districts/:id',
    target: 'other district',
    call: (http, w) => http().patch(`/api/districts/${w.districtB}`).send({ name: '另一区' }),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 200 },
  },
  {
    route: 'GET /api/subdistricts',
    target: 'any',
    call: (http) => http().get('/api/subdistricts'),
    expect: { CASHIER: 200, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
    check: (res, role, w) => {
      if (role === 'ADMIN') expect(ids(res)).toEqual(expect.arrayContaining([w.subA, w.subB]));
      else expect(ids(res)).toEqual([w.subA]);
    },
  },
  {
    route: 'GET /api/subdistricts?districtId=',
    target: 'other district',
    call: (http, w) => http().get('/api/subdistricts').query({ districtId: w.districtB }),
    expect: { CASHIER: DF, OPERATOR: DF, FINANCE: DF, REVIEWER: DF, ADMIN: 200 },
    check: (res, _role, w) => expect(ids(res)).toEqual([w.subB]),
  },
  {
    route: 'POST /api/subdistricts',
    target: 'any',
    call: (http, w) =>
      http()
        .post('/api/subdistricts')
        .send({ name: unique('新街道'), districtId: w.districtB }),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 201 },
  },
  {
    route: 'PATCH /api/subdistricts/:id',
    target: 'other district',
    call: (http, w) => http().patch(`/api/subdistricts/${w.subB}`).send({ name: '另一街道' }),
    expect: { CASHIER: R, OPERATOR: R, FINANCE: R, REVIEWER: R, ADMIN: 200 },
  },

  {
    route: 'GET /api/auth/me',
    target: 'any',
    call: (http) => http().get('/api/auth/me'),
    expect: ALL_200,
  },
  {
    // A wrong current password: every role reaches the check, and nothing changes.
    route: 'POST /api/auth/password',
    target: 'any',
    call: (http) =>
      http().post('/api/auth/password').send({ currentPassword: 'not-the-password-1', newPassword: 'Another-pass-9' }),
    expect: { CASHIER: 400, OPERATOR: 400, FINANCE: 400, REVIEWER: 400, ADMIN: 400 },
  },
  {
    route: 'POST /api/auth/logout',
    target: 'any',
    call: (http) => http().post('/api/auth/logout'),
    expect: { CASHIER: 204, OPERATOR: 204, FINANCE: 204, REVIEWER: 204, ADMIN: 204 },
    freshSession: true,
  },

  // Statistics: a canteen filter per site, and another sub-district's filter.
  ...(['daily', 'daily/export', 'summary', 'summary/export'] as const).flatMap((path): Cell[] => {
    const range = path.startsWith('daily') ? { from: '2025-06-01', to: '2025-06-30' } : { month: '2025-06' };
    return [
      ...perCanteen(
        `GET /api/stats/${path} (canteenId)`,
        (http, _w, id) =>
          http()
            .get(`/api/stats/${path}`)
            .query({ ...range, canteenId: id }),
        {
          A1: { CASHIER: R, OPERATOR: 200, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
          A2: { CASHIER: R, OPERATOR: C, FINANCE: 200, REVIEWER: 200, ADMIN: 200 },
          B1: { CASHIER: R, OPERATOR: C, FINANCE: C, REVIEWER: C, ADMIN: 200 },
        },
      ),
      {
        route: `GET /api/stats/${path} (subdistrictId)`,
        target: 'other sub-district',
        call: (http, w) =>
          http()
            .get(`/api/stats/${path}`)
            .query({ ...range, subdistrictId: w.subB }),
        expect: { CASHIER: R, OPERATOR: S, FINANCE: S, REVIEWER: S, ADMIN: 200 },
      },
      {
        route: `GET /api/stats/${path} (districtId)`,
        target: 'other district',
        call: (http, w) =>
          http()
            .get(`/api/stats/${path}`)
            .query({ ...range, districtId: w.districtB }),
        expect: { CASHIER: R, OPERATOR: DF, FINANCE: DF, REVIEWER: DF, ADMIN: 200 },
      },
    ];
  }),
];

// The import needs a file built asynchronously, so its cells are added with a prepared upload.
const IMPORT_CELLS: (Omit<Cell, 'call'> & { canteen: 'A1' | 'A2' | 'B1' })[] = [
  {
    route: 'POST /api/diners/import',
    target: 'own',
    canteen: 'A1',
    expect: { CASHIER: R, OPERATOR: 200, FINANCE: R, REVIEWER: R, ADMIN: 200 },
  },
  {
    route: 'POST /api/diners/import',
    target: 'other canteen',
    canteen: 'A2',
    expect: { CASHIER: R, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 200 },
  },
  {
    route: 'POST /api/diners/import',
    target: 'other sub-district',
    canteen: 'B1',
    expect: { CASHIER: R, OPERATOR: C, FINANCE: R, REVIEWER: R, ADMIN: 200 },
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
    const districtA = await firstDistrictId(t.db);
    const districtB = await createDistrict(t.db, '另一区');
    const subB = await createSubdistrictIn(t.db, districtB, '另一街道');
    const B1 = (await createCanteen(t.db, { name: '矩阵B1食堂', subdistrictId: subB })).id;
    const subA = await firstSubdistrictId(t.db);
    const [cashier, operator, finance, reviewer] = await Promise.all([
      createUser(t, 'CASHIER', { canteenIds: [A1] }),
      createUser(t, 'OPERATOR', { canteenIds: [A1] }),
      createUser(t, 'FINANCE'),
      createUser(t, 'REVIEWER', { districtId: districtA }),
    ]);
    tokens.CASHIER = cashier.token;
    tokens.OPERATOR = operator.token;
    tokens.FINANCE = finance.token;
    tokens.REVIEWER = reviewer.token;
    tokens.ADMIN = await t.adminToken();
    const [cA1, cA2, cB1] = await Promise.all([
      createUser(t, 'CASHIER', { canteenIds: [A1] }),
      createUser(t, 'CASHIER', { canteenIds: [A2] }),
      createUser(t, 'CASHIER', { canteenIds: [B1], subdistrictId: subB }),
    ]);
    const fixture = async (id: number): Promise<CanteenFixture> => {
      const [c]: { subdistrict_id: number; name: string }[] = await t.db.query(
        `SELECT subdistrict_id, name FROM canteens WHERE id = $1`,
        [id],
      );
      return { id, subdistrictId: c.subdistrict_id, name: c.name };
    };
    const claim = async (subdistrictId: number, canteenId: number | null): Promise<number> => {
      const [row]: { id: number }[] = await t.db.query(
        `INSERT INTO claims (subdistrict_id, canteen_id, month, version) VALUES ($1, $2, '2024-12', 1) RETURNING id`,
        [subdistrictId, canteenId],
      );
      return row.id;
    };
    const lockedMonth = '1999-01';
    await t.db.query(
      `INSERT INTO month_locks (subdistrict_id, canteen_id, month, locked_by)
       SELECT x.s, x.c, $1, u.id FROM users u, (VALUES ($2::int, NULL::int), ($3::int, $4::int)) x(s, c)
        WHERE u.username = 'admin'`,
      [lockedMonth, subA, subB, B1],
    );
    w = {
      canteen: { A1, A2, B1 },
      canteenFixture: { A1: await fixture(A1), A2: await fixture(A2), B1: await fixture(B1) },
      subA,
      subB,
      districtA,
      districtB,
      user: { CASHIER: cashier, OPERATOR: operator, FINANCE: finance, REVIEWER: reviewer, ADMIN: null },
      claim: {
        A1: await claim(subA, A1),
        A2: await claim(subA, A2),
        B1: await claim(subB, B1),
        subA: await claim(subA, null),
      },
      lockedMonth,
      dinerA: await createDiner(t, { birthDate: '1941-04-04', name: '本街道老人' }),
      dinerB: await createDiner(t, {
        birthDate: '1942-05-05',
        name: '外街道老人',
        subdistrictId: subB,
        cardNo: 'B-CARD-1',
      }),
      inactiveA: await createDiner(t, { birthDate: '1943-06-06', name: '停用老人甲' }),
      inactiveB: await createDiner(t, { birthDate: '1943-07-07', name: '停用老人乙', subdistrictId: subB }),
      cashierOf: { A1: cA1.id, A2: cA2.id, B1: cB1.id },
    };
    await t.db.query(
      `UPDATE diners SET status = 'SUSPENDED', status_effective_from = '2000-01-01' WHERE id IN ($1, $2)`,
      [w.inactiveA.id, w.inactiveB.id],
    );
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

  /** A session of its own for a call that ends it. */
  const freshToken = async (role: Exclude<Caller, 'ANON'>): Promise<string> => {
    const u = w.user[role];
    return u === null ? t.login(TEST_ADMIN.username, TEST_ADMIN.password) : t.login(u.username, u.password);
  };

  for (const cell of CELLS) {
    describe(`${cell.route} [${cell.target}]`, () => {
      for (const role of ROLES) {
        const expected: Expected = role === 'ANON' ? [401, 'UNAUTHENTICATED'] : cell.expect[role];
        it(describeCell(role, expected), async () => {
          await cell.arrange?.({ db: t.db, w, role, adminToken: tokens.ADMIN! });
          const req = cell.call(t.http, w);
          const res =
            cell.freshSession && role !== 'ANON'
              ? await req.set('authorization', await freshToken(role))
              : await withToken(req, role);
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

  it('covers every route of the app', () => {
    const key = (route: string): string => route.split(' ').slice(0, 2).join(' ').replace(/\?.*$/, '');
    const covered = new Set([...CELLS, ...IMPORT_CELLS].map((c) => key(c.route)));
    const routes = appRoutes(t);
    expect(routes.length).toBeGreaterThan(30);
    const uncovered = routes.filter((r) => !covered.has(r) && !PUBLIC_ROUTES.includes(r) && !isDocs(r));
    expect(uncovered).toEqual([]);
    // And no cell names a route the app does not have (a renamed path would leave its cells testing a 404).
    expect([...covered].filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('answers an id beyond int4 or int8 in any path with 400 INVALID_ID or the route’s "not found", never a 500', async () => {
    const withIds = appRoutes(t).filter((r) => /:(?!month)\w+/.test(r));
    expect(withIds.length).toBeGreaterThan(10);
    const answers: Record<string, string> = {};
    // 2147483648 is past int4 (serial ids); meal ids are int8, so that one is a real meal id without a meal.
    for (const id of ['2147483648', '99999999999999999999']) {
      for (const route of withIds) {
        const [method, path] = route.split(' ');
        const url = path.replace(/:month/, '2025-01').replace(/:\w+/g, id);
        const req = t.http()[method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](url);
        // Admins neither submit nor review claims (SPEC §5): those routes are called by the role that may.
        const token = path.endsWith('/submit')
          ? tokens.FINANCE!
          : /\/(return|approve|pay)$/.test(path)
            ? tokens.REVIEWER!
            : tokens.ADMIN!;
        const res = await req
          .set('authorization', token)
          .send(
            path.endsWith('/void') ? { reason: '越界' } : /\/(settle|explanation)$/.test(path) ? { note: '越界' } : {},
          );
        answers[`${route} (${id})`] = `${res.status} ${res.body?.code}`;
      }
    }
    for (const [route, answer] of Object.entries(answers)) {
      expect(`${route} → ${answer}`).toMatch(/→ (400 INVALID_ID|404 [A-Z_]+_NOT_FOUND)$/);
    }
  });

  it('leaks nothing of district A to the users of district B (every list, 0 rows of A)', async () => {
    const [reviewerB, financeB, operatorB] = await Promise.all([
      createUser(t, 'REVIEWER', { districtId: w.districtB }),
      createUser(t, 'FINANCE', { subdistrictId: w.subB }),
      createUser(t, 'OPERATOR', { subdistrictId: w.subB, canteenIds: [w.canteen.B1] }),
    ]);
    const ofA = {
      canteens: [w.canteen.A1, w.canteen.A2],
      subdistricts: [w.subA],
      districts: [w.districtA],
      claims: [w.claim.A1, w.claim.A2, w.claim.subA],
      diners: [w.dinerA.id],
      users: [w.cashierOf.A1, w.cashierOf.A2, w.user.CASHIER!.id, w.user.OPERATOR!.id, w.user.REVIEWER!.id],
    };
    const lists: [string, string, Record<string, string>, keyof typeof ofA][] = [
      ['/api/canteens', 'canteens', {}, 'canteens'],
      ['/api/subdistricts', 'subdistricts', {}, 'subdistricts'],
      ['/api/districts', 'districts', {}, 'districts'],
      ['/api/claims', 'claims', { month: '2024-12' }, 'claims'],
      ['/api/claims', 'claims of district A', { month: '2024-12', districtId: String(w.districtA) }, 'claims'],
      ['/api/claims', 'claims of sub-district A', { month: '2024-12', subdistrictId: String(w.subA) }, 'claims'],
      ['/api/users', 'users', {}, 'users'],
      ['/api/users', 'users of district A', { districtId: String(w.districtA) }, 'users'],
      ['/api/users', 'users of sub-district A', { subdistrictId: String(w.subA) }, 'users'],
      ['/api/diners', 'diners', {}, 'diners'],
      ['/api/diners', 'diners by name', { q: '老人' }, 'diners'],
      ['/api/diners/register', 'the register', {}, 'diners'],
      ['/api/diners/register', 'the register by name', { q: '老人' }, 'diners'],
    ];
    let checked = 0;
    for (const user of [reviewerB, financeB, operatorB]) {
      for (const [path, what, query, kind] of lists) {
        const res = await t.http().get(path).query(query).set('authorization', user.token);
        if (res.status === 403) continue; // a list the role has no business with
        expect({ who: user.role, what, status: res.status }).toEqual({ who: user.role, what, status: 200 });
        const seen = ids(res);
        expect({ who: user.role, what, leaked: seen.filter((id) => ofA[kind].includes(id)) }).toEqual({
          who: user.role,
          what,
          leaked: [],
        });
        checked++;
      }
      for (const query of [{}, { districtId: w.districtA }, { subdistrictId: w.subA }]) {
        const locks = await t
          .http()
          .get(`/api/months/${w.lockedMonth}/locks`)
          .query(query)
          .set('authorization', user.token);
        expect(locks.status).toBe(200);
        expect((locks.body.items as { subdistrictId: number }[]).map((l) => l.subdistrictId)).not.toContain(w.subA);
      }
      const canteen = await t.http().get(`/api/canteens/${w.canteen.A1}`).set('authorization', user.token);
      expect(canteen.status).toBe(403);
    }
    // Statistics without a filter: each user of district B counts the meals of its own reach, none of district A's.
    const month = todayLocal().slice(0, 7);
    const mealsOf = async (where: string, id: number): Promise<number> => {
      const [{ n }]: { n: number }[] = await t.db.query(
        `SELECT count(*)::int AS n FROM meals m JOIN subdistricts s ON s.id = m.subdistrict_id
          WHERE ${where} = $1 AND m.voided_at IS NULL AND to_char(m.meal_date, 'YYYY-MM') = $2`,
        [id, month],
      );
      return n;
    };
    expect(await mealsOf('s.district_id', w.districtA)).toBeGreaterThan(0);
    for (const [user, where, id] of [
      [reviewerB, 's.district_id', w.districtB],
      [financeB, 's.id', w.subB],
    ] as const) {
      const res = await t.http().get('/api/stats/summary').query({ month }).set('authorization', user.token);
      expect(res.status).toBe(200);
      expect({ who: user.role, meals: res.body.kpis.meals.value }).toEqual({
        who: user.role,
        meals: await mealsOf(where, id),
      });
    }
    // The reviewer of district B sees its own district's canteen and claim.
    const own = await t.http().get('/api/claims').query({ month: '2024-12' }).set('authorization', reviewerB.token);
    expect(ids(own)).toEqual([w.claim.B1]);
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it('never let a refused call change anything: no diner registered at a canteen out of reach', async () => {
    const rows: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM diners d JOIN users u ON u.id = d.registered_by
        WHERE u.role <> 'ADMIN' AND d.registered_canteen_id <> $1`,
      [w.canteen.A1],
    );
    expect(rows[0].n).toBe(0);
  });
});
