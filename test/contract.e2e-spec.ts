import Ajv, { ValidateFunction } from 'ajv';
import ExcelJS from 'exceljs';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { addDays, monthOf, todayLocal } from '../src/common/local-date';
import { buildApiDocument } from '../src/openapi';
import { makeIdNumber } from '../src/subsidy/id-number';
import { binary } from './support/binary';
import { waitForClaim } from './support/claims';
import { uniqueName } from './support/env';
import { createCanteen, createDiner, createUser, DinerFixture, UserFixture, CanteenFixture } from './support/factories';
import { ScratchPostgres } from './support/postgres-server';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

// The OpenAPI document against the running server (issue 14): every operation of the document is called for its
// success and for every error status it documents, and each real answer (status, JSON body, required headers) is
// validated with ajv against the document. An operation or a documented status without a case fails the test.
//
// ADDING A ROUTE: add `'METHOD /path': { 2xx: (c) => …, 4xx: (c) => … }` to CASES, one entry per status the
// document lists for it. The statuses every route of its kind shares are called for you (GENERIC below): 400 refused
// input, 401 without a session, 403 ROLE_FORBIDDEN for a route limited to roles, 413/415 for a JSON body, and 503
// DATABASE_UNAVAILABLE (PostgreSQL stopped, a scratch server).
jest.setTimeout(240_000);

type Call = (c: Ctx) => Promise<Response>;
type Method = 'get' | 'post' | 'patch' | 'delete';

interface Ctx {
  t: TestApp;
  admin: string;
  operator: UserFixture;
  cashier: UserFixture;
  finance: UserFixture;
  reviewer: UserFixture;
  canteen: CanteenFixture;
  otherCanteen: CanteenFixture;
  diner: () => Promise<DinerFixture>;
  meal: () => Promise<string>;
  claim: (status?: 'DONE') => Promise<number>;
  /** The finance's sub-district claim of `month`, built (the same version while nothing changed). */
  claimOf: (month: string) => Promise<number>;
  /** That claim, submitted (once). */
  submitted: (month: string) => Promise<number>;
  req: (method: Method, path: string, token?: string) => ReturnType<ReturnType<TestApp['http']>['get']>;
}

let districtCode = 100000 + (process.pid % 800000);
const sixDigits = (): string => String(++districtCode);
const yearsAgo = (years: number): string => `${Number(todayLocal().slice(0, 4)) - years}-03-07`;
const lastMonth = (): string => monthOf(addDays(`${monthOf(todayLocal())}-01`, -1));
const lunch = (d: DinerFixture) => ({ idNumber: d.idNumber, mealPeriod: 'LUNCH', verification: 'ID_CARD_READER' });
const record = (c: Ctx, body: object, key: string | null = randomUUID(), canteenId = c.canteen.id) => {
  const r = c.req('post', `/api/canteens/${canteenId}/meals`, c.cashier.token);
  return (key === null ? r : r.set('Idempotency-Key', key)).send(body);
};

// A subsidised lunch of a diner suspended since before it (SPEC §5 DINER_INACTIVE_AT_MEAL): one to explain.
async function flaggedMeal(c: Ctx): Promise<string> {
  const d = await c.diner();
  const id = (await record(c, lunch(d)).expect(201)).body.id as string;
  await c.t.db.query(`UPDATE diners SET status = 'SUSPENDED', status_effective_from = '2000-01-01' WHERE id = $1`, [
    d.id,
  ]);
  return id;
}

// An offline till's lunch of someone the register does not know (address code 110105: no fixture diner has it).
let offlineSeq = 0;
const offlineUnregistered = () => ({
  idNumber: makeIdNumber('110105', yearsAgo(80), (process.pid + ++offlineSeq) % 1000),
  mealPeriod: 'LUNCH',
  verification: 'ID_CARD_READER',
  servedAt: new Date(Date.now() - 60_000).toISOString(),
  confirmOutsideHours: true,
  offline: true,
  offlineSince: new Date(Date.now() - 120_000).toISOString(),
  provisionalSubsidyFen: 400,
});
const offlineConflict = async (c: Ctx): Promise<string> =>
  String((await record(c, offlineUnregistered()).expect(202)).body.id);

// Each documented status of each operation: how to make the server answer it.
const CASES: Record<string, Record<number, Call>> = {
  'GET /health': { 200: (c) => c.req('get', '/api/health') },
  'GET /health/ready': { 200: (c) => c.req('get', '/api/health/ready') },
  'POST /auth/login': {
    200: (c) => c.req('post', '/api/auth/login').send({ username: c.cashier.username, password: c.cashier.password }),
    401: (c) => c.req('post', '/api/auth/login').send({ username: c.cashier.username, password: 'wrong-password' }),
    429: async (c) => {
      const username = uniqueName('nobody');
      for (;;) {
        const res = await c.req('post', '/api/auth/login').send({ username, password: 'wrong-password' });
        if (res.status !== 401) return res;
      }
    },
  },
  'POST /auth/logout': {
    204: async (c) => c.req('post', '/api/auth/logout', (await createUser(c.t, 'FINANCE')).token),
  },
  'GET /auth/me': { 200: (c) => c.req('get', '/api/auth/me', c.cashier.token) },
  'POST /auth/password': {
    // A user of its own: a change ends the user's other sessions.
    204: async (c) => {
      const u = await createUser(c.t, 'FINANCE');
      return c
        .req('post', '/api/auth/password', u.token)
        .send({ currentPassword: u.password, newPassword: 'Another-pass-2026' });
    },
    400: (c) =>
      c
        .req('post', '/api/auth/password', c.cashier.token)
        .send({ currentPassword: 'not-the-password', newPassword: 'Another-pass-2026' }),
  },
  'GET /policy/versions': {
    200: (c) => c.req('get', '/api/policy/versions?page=1&pageSize=10', c.cashier.token),
    400: (c) => c.req('get', '/api/policy/versions?pageSize=500', c.cashier.token),
  },
  'POST /policy/versions': {
    201: (c) =>
      c
        .req('post', '/api/policy/versions', c.admin)
        .send({ effectiveFrom: '2990-01-01', tiers: [{ minAge: 70, maxAge: null, amountFen: 300 }] }),
    400: (c) => c.req('post', '/api/policy/versions', c.admin).send({ effectiveFrom: '2000-01-01', tiers: [] }),
    409: (c) =>
      c
        .req('post', '/api/policy/versions', c.admin)
        .send({ effectiveFrom: '2990-01-01', tiers: [{ minAge: 70, maxAge: null, amountFen: 300 }] }),
  },
  'DELETE /policy/versions/{id}': {
    204: async (c) => {
      const added = await c
        .req('post', '/api/policy/versions', c.admin)
        .send({ effectiveFrom: '2991-01-01', tiers: [{ minAge: 70, maxAge: null, amountFen: 300 }] });
      return c.req('delete', `/api/policy/versions/${added.body.id}`, c.admin);
    },
    400: (c) => c.req('delete', '/api/policy/versions/%00', c.admin),
    404: (c) => c.req('delete', '/api/policy/versions/999999', c.admin),
    409: async (c) => {
      const [first] = (await c.req('get', '/api/policy/versions', c.admin)).body.items as { id: number }[];
      return c.req('delete', `/api/policy/versions/${first.id}`, c.admin);
    },
  },
  'GET /subsidy/quote': {
    200: async (c) =>
      c.req('get', `/api/subsidy/quote?idNumber=${(await c.diner()).idNumber}&priceFen=1200`, c.cashier.token),
    400: (c) => c.req('get', '/api/subsidy/quote?idNumber=123&priceFen=1200', c.cashier.token),
  },
  'POST /canteens': {
    201: (c) =>
      c
        .req('post', '/api/canteens', c.admin)
        .send({ name: uniqueName('食堂'), type: 'ENTERPRISE', prices: { LUNCH: 1500 } }),
    400: (c) => c.req('post', '/api/canteens', c.admin).send({ name: '', type: 'ENTERPRISE', prices: {} }),
    409: (c) => c.req('post', '/api/canteens', c.admin).send({ name: c.canteen.name, type: 'ENTERPRISE', prices: {} }),
  },
  'GET /canteens': { 200: (c) => c.req('get', '/api/canteens', c.operator.token) },
  'GET /canteens/{id}': {
    200: (c) => c.req('get', `/api/canteens/${c.canteen.id}`, c.operator.token),
    400: (c) => c.req('get', '/api/canteens/abc', c.operator.token),
    403: (c) => c.req('get', `/api/canteens/${c.otherCanteen.id}`, c.operator.token),
    404: (c) => c.req('get', '/api/canteens/999999', c.operator.token),
  },
  'PATCH /canteens/{id}': {
    200: (c) => c.req('patch', `/api/canteens/${c.canteen.id}`, c.operator.token).send({ address: '东关大街 1 号' }),
    400: (c) => c.req('patch', `/api/canteens/${c.canteen.id}`, c.operator.token).send({ active: 'yes' }),
    403: (c) => c.req('patch', `/api/canteens/${c.otherCanteen.id}`, c.operator.token).send({ address: 'x' }),
    404: (c) => c.req('patch', '/api/canteens/999999', c.admin).send({ address: 'x' }),
    409: (c) => c.req('patch', `/api/canteens/${c.otherCanteen.id}`, c.admin).send({ name: c.canteen.name }),
  },
  'POST /users': {
    201: (c) =>
      c
        .req('post', '/api/users', c.admin)
        .send({ username: uniqueName('u'), password: 'Canteen-pass-2025', role: 'FINANCE' }),
    400: (c) =>
      c.req('post', '/api/users', c.admin).send({ username: uniqueName('u'), password: '1', role: 'FINANCE' }),
    404: (c) =>
      c.req('post', '/api/users', c.admin).send({
        username: uniqueName('u'),
        password: 'Canteen-pass-2025',
        role: 'FINANCE',
        subdistrictId: 999999,
      }),
    409: (c) =>
      c
        .req('post', '/api/users', c.admin)
        .send({ username: c.cashier.username, password: 'Canteen-pass-2025', role: 'FINANCE' }),
  },
  'GET /users': {
    200: (c) => c.req('get', `/api/users?subdistrictId=${c.canteen.subdistrictId}&page=1`, c.operator.token),
    400: (c) => c.req('get', '/api/users?districtId=abc', c.admin),
  },
  'PATCH /users/{id}': {
    200: (c) => c.req('patch', `/api/users/${c.cashier.id}`, c.operator.token).send({ displayName: '收银员甲' }),
    400: (c) => c.req('patch', '/api/users/abc', c.admin).send({}),
    404: (c) => c.req('patch', '/api/users/999999', c.admin).send({ displayName: 'x' }),
  },
  'POST /users/{id}/reset-password': {
    // A cashier of its own: a reset ends the user's sessions, and the other cases use c.cashier's.
    200: async (c) => {
      const cashier = await createUser(c.t, 'CASHIER', { canteenIds: [c.canteen.id] });
      return c.req('post', `/api/users/${cashier.id}/reset-password`, c.operator.token);
    },
    400: (c) => c.req('post', '/api/users/abc/reset-password', c.admin),
    404: (c) => c.req('post', '/api/users/999999/reset-password', c.admin),
  },
  'POST /diners': {
    201: async (c) =>
      c
        .req('post', '/api/diners', c.operator.token)
        .send({ name: '李桂兰', idNumber: await freshIdNumber(c), canteenId: c.canteen.id }),
    400: (c) => c.req('post', '/api/diners', c.operator.token).send({ name: '李桂兰', idNumber: '123' }),
    404: async (c) =>
      c
        .req('post', '/api/diners', c.admin)
        .send({ name: '李桂兰', idNumber: await freshIdNumber(c), canteenId: 999999 }),
    409: async (c) =>
      c
        .req('post', '/api/diners', c.operator.token)
        .send({ name: '李桂兰', idNumber: (await c.diner()).idNumber, canteenId: c.canteen.id }),
  },
  'GET /diners': {
    200: (c) => c.req('get', '/api/diners?q=王', c.operator.token),
    400: (c) => c.req('get', '/api/diners?idNumber=123', c.operator.token),
  },
  'GET /diners/register': {
    200: (c) => c.req('get', '/api/diners/register?q=王&pageSize=5', c.operator.token),
    400: (c) => c.req('get', '/api/diners/register?pageSize=0', c.operator.token),
  },
  'GET /diners/export': {
    200: (c) => c.req('get', '/api/diners/export', c.operator.token).buffer(true).parse(binary),
    400: (c) => c.req('get', '/api/diners/export?status=GONE', c.operator.token),
  },
  'GET /districts': {
    200: (c) => c.req('get', '/api/districts', c.admin),
    400: (c) => c.req('get', '/api/districts?pageSize=x', c.admin),
  },
  'POST /districts': {
    201: (c) => c.req('post', '/api/districts', c.admin).send({ name: uniqueName('区'), code: sixDigits() }),
    400: (c) => c.req('post', '/api/districts', c.admin).send({ name: uniqueName('区'), code: '12' }),
    409: (c) => c.req('post', '/api/districts', c.admin).send({ name: '东昌府区', code: sixDigits() }),
  },
  'GET /districts/{id}': {
    200: (c) => c.req('get', '/api/districts/1', c.admin),
    400: (c) => c.req('get', '/api/districts/%00', c.admin),
    404: (c) => c.req('get', '/api/districts/999999', c.admin),
  },
  'PATCH /districts/{id}': {
    200: async (c) => {
      const created = await c
        .req('post', '/api/districts', c.admin)
        .send({ name: uniqueName('区'), code: sixDigits() });
      return c.req('patch', `/api/districts/${created.body.id}`, c.admin).send({ name: uniqueName('区') });
    },
    400: (c) => c.req('patch', '/api/districts/1', c.admin).send({ code: 'abc' }),
    404: (c) => c.req('patch', '/api/districts/999999', c.admin).send({ name: uniqueName('区') }),
    409: async (c) => {
      const created = await c
        .req('post', '/api/districts', c.admin)
        .send({ name: uniqueName('区'), code: sixDigits() });
      return c.req('patch', `/api/districts/${created.body.id}`, c.admin).send({ name: '东昌府区' });
    },
  },
  'GET /subdistricts': {
    200: (c) => c.req('get', '/api/subdistricts', c.finance.token),
    400: (c) => c.req('get', '/api/subdistricts?districtId=abc', c.finance.token),
    403: (c) => c.req('get', '/api/subdistricts?districtId=999999', c.finance.token),
  },
  'POST /subdistricts': {
    201: (c) => c.req('post', '/api/subdistricts', c.admin).send({ name: uniqueName('街道'), districtId: 1 }),
    400: (c) => c.req('post', '/api/subdistricts', c.admin).send({ name: '', districtId: 1 }),
    404: (c) => c.req('post', '/api/subdistricts', c.admin).send({ name: uniqueName('街道'), districtId: 999999 }),
    409: async (c) => {
      const name = uniqueName('街道');
      await c.req('post', '/api/subdistricts', c.admin).send({ name, districtId: 1 }).expect(201);
      return c.req('post', '/api/subdistricts', c.admin).send({ name, districtId: 1 });
    },
  },
  'PATCH /subdistricts/{id}': {
    200: async (c) => {
      const created = await c
        .req('post', '/api/subdistricts', c.admin)
        .send({ name: uniqueName('街道'), districtId: 1 });
      return c.req('patch', `/api/subdistricts/${created.body.id}`, c.admin).send({ name: uniqueName('街道') });
    },
    400: (c) => c.req('patch', '/api/subdistricts/%00', c.admin).send({ name: uniqueName('街道') }),
    404: (c) => c.req('patch', '/api/subdistricts/999999', c.admin).send({ name: uniqueName('街道') }),
    409: async (c) => {
      const taken = uniqueName('街道');
      await c.req('post', '/api/subdistricts', c.admin).send({ name: taken, districtId: 1 }).expect(201);
      const created = await c
        .req('post', '/api/subdistricts', c.admin)
        .send({ name: uniqueName('街道'), districtId: 1 });
      return c.req('patch', `/api/subdistricts/${created.body.id}`, c.admin).send({ name: taken });
    },
  },
  'GET /diners/import-template': { 200: (c) => c.req('get', '/api/diners/import-template', c.operator.token) },
  'POST /diners/import': {
    200: async (c) => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('就餐老人');
      ws.addRow(['姓名', '身份证号码', '联系电话', '就餐卡号', '所属社区']);
      ws.addRow(['周玉珍', await freshIdNumber(c), null, null, null]);
      const file = Buffer.from(await wb.xlsx.writeBuffer());
      return c
        .req('post', `/api/diners/import?canteenId=${c.canteen.id}`, c.operator.token)
        .attach('file', file, 'd.xlsx');
    },
    400: (c) =>
      c
        .req('post', `/api/diners/import?canteenId=${c.canteen.id}`, c.operator.token)
        .attach('file', Buffer.from('not a workbook'), 'd.xlsx'),
    404: (c) =>
      c
        .req('post', '/api/diners/import?canteenId=999999', c.admin)
        .attach('file', Buffer.from('not a workbook'), 'd.xlsx'),
    413: (c) =>
      c
        .req('post', `/api/diners/import?canteenId=${c.canteen.id}`, c.operator.token)
        .attach('file', Buffer.alloc(6 * 1024 * 1024), 'd.xlsx'),
  },
  'GET /diners/{id}': {
    200: async (c) => c.req('get', `/api/diners/${(await c.diner()).id}`, c.operator.token),
    400: (c) => c.req('get', '/api/diners/abc', c.operator.token),
    404: (c) => c.req('get', '/api/diners/999999', c.operator.token),
  },
  'PATCH /diners/{id}': {
    200: async (c) =>
      c.req('patch', `/api/diners/${(await c.diner()).id}`, c.operator.token).send({ phone: '13800000000' }),
    400: (c) => c.req('patch', '/api/diners/abc', c.operator.token).send({}),
    404: (c) => c.req('patch', '/api/diners/999999', c.operator.token).send({ phone: '13800000000' }),
    409: async (c) => {
      const a = await c.diner();
      const b = await c.diner();
      const card = uniqueName('C').replace(/_/g, '-');
      await c.req('patch', `/api/diners/${a.id}`, c.operator.token).send({ cardNo: card }).expect(200);
      return c.req('patch', `/api/diners/${b.id}`, c.operator.token).send({ cardNo: card });
    },
  },
  'POST /diners/{id}/status': {
    200: async (c) =>
      c
        .req('post', `/api/diners/${(await c.diner()).id}/status`, c.operator.token)
        .send({ status: 'SUSPENDED', effectiveFrom: todayLocal() }),
    400: (c) => c.req('post', '/api/diners/abc/status', c.operator.token).send({ status: 'SUSPENDED' }),
    404: (c) =>
      c
        .req('post', '/api/diners/999999/status', c.operator.token)
        .send({ status: 'SUSPENDED', effectiveFrom: todayLocal() }),
  },
  'POST /diners/{id}/reveal': {
    200: async (c) => c.req('post', `/api/diners/${(await c.diner()).id}/reveal`, c.operator.token),
    400: (c) => c.req('post', '/api/diners/abc/reveal', c.operator.token),
    404: (c) => c.req('post', '/api/diners/999999/reveal', c.operator.token),
  },
  'GET /canteens/{canteenId}/meals/quote': {
    200: async (c) =>
      c.req(
        'get',
        `/api/canteens/${c.canteen.id}/meals/quote?idNumber=${(await c.diner()).idNumber}&mealPeriod=LUNCH`,
        c.cashier.token,
      ),
    400: (c) => c.req('get', `/api/canteens/${c.canteen.id}/meals/quote?mealPeriod=LUNCH`, c.cashier.token),
    403: async (c) =>
      c.req(
        'get',
        `/api/canteens/${c.otherCanteen.id}/meals/quote?idNumber=${(await c.diner()).idNumber}&mealPeriod=LUNCH`,
        c.cashier.token,
      ),
    404: (c) =>
      c.req(
        'get',
        `/api/canteens/${c.canteen.id}/meals/quote?idNumber=11010519491231002X&mealPeriod=LUNCH`,
        c.cashier.token,
      ),
  },
  'POST /canteens/{canteenId}/meals': {
    201: async (c) => record(c, lunch(await c.diner())),
    // Offline, a diner the register does not know: kept as an offline conflict.
    202: (c) => record(c, offlineUnregistered()),
    400: async (c) => record(c, lunch(await c.diner()), null),
    403: async (c) => record(c, lunch(await c.diner()), randomUUID(), c.otherCanteen.id),
    404: (c) => record(c, { idNumber: '11010519491231002X', mealPeriod: 'LUNCH', verification: 'ID_CARD_READER' }),
    409: async (c) => {
      const closed = await createCanteen(c.t.db, { subdistrictId: c.canteen.subdistrictId });
      await c.req('patch', `/api/canteens/${closed.id}`, c.admin).send({ active: false }).expect(200);
      return c
        .req('post', `/api/canteens/${closed.id}/meals`, c.admin)
        .set('Idempotency-Key', randomUUID())
        .send(lunch(await c.diner()));
    },
    422: async (c) => {
      const key = randomUUID();
      await record(c, lunch(await c.diner()), key).expect(201);
      return record(c, lunch(await c.diner()), key);
    },
  },
  'GET /canteens/{canteenId}/offline-conflicts': {
    200: async (c) => {
      await offlineConflict(c);
      return c.req('get', `/api/canteens/${c.canteen.id}/offline-conflicts?settled=false`, c.operator.token);
    },
    400: (c) => c.req('get', `/api/canteens/${c.canteen.id}/offline-conflicts?settled=maybe`, c.operator.token),
    403: (c) => c.req('get', `/api/canteens/${c.otherCanteen.id}/offline-conflicts`, c.operator.token),
    404: (c) => c.req('get', '/api/canteens/999999/offline-conflicts', c.operator.token),
  },
  'POST /offline-conflicts/{id}/settle': {
    200: async (c) =>
      c
        .req('post', `/api/offline-conflicts/${await offlineConflict(c)}/settle`, c.operator.token)
        .send({ note: '已补收' }),
    400: async (c) =>
      c.req('post', `/api/offline-conflicts/${await offlineConflict(c)}/settle`, c.operator.token).send({ note: ' ' }),
    404: (c) => c.req('post', '/api/offline-conflicts/999999999/settle', c.operator.token).send({ note: '已补收' }),
    409: async (c) => {
      const id = await offlineConflict(c);
      await c.req('post', `/api/offline-conflicts/${id}/settle`, c.operator.token).send({ note: '已补收' }).expect(200);
      return c.req('post', `/api/offline-conflicts/${id}/settle`, c.operator.token).send({ note: '已补收' });
    },
  },
  'GET /canteens/{canteenId}/meals': {
    200: async (c) => {
      await c.meal();
      return c.req('get', `/api/canteens/${c.canteen.id}/meals`, c.cashier.token);
    },
    400: (c) => c.req('get', `/api/canteens/${c.canteen.id}/meals?date=2025-02-30`, c.cashier.token),
    403: (c) => c.req('get', `/api/canteens/${c.otherCanteen.id}/meals`, c.cashier.token),
    404: (c) => c.req('get', '/api/canteens/999999/meals', c.cashier.token),
  },
  'POST /meals/{id}/void': {
    200: async (c) => c.req('post', `/api/meals/${await c.meal()}/void`, c.cashier.token).send({ reason: '录错了' }),
    400: async (c) => c.req('post', `/api/meals/${await c.meal()}/void`, c.cashier.token).send({ reason: ' ' }),
    404: (c) => c.req('post', '/api/meals/999999999/void', c.cashier.token).send({ reason: '录错了' }),
    409: async (c) => {
      const id = await c.meal();
      await c.req('post', `/api/meals/${id}/void`, c.cashier.token).send({ reason: '录错了' }).expect(200);
      return c.req('post', `/api/meals/${id}/void`, c.cashier.token).send({ reason: '录错了' });
    },
  },
  'POST /meals/{id}/explanation': {
    201: async (c) =>
      c.req('post', `/api/meals/${await flaggedMeal(c)}/explanation`, c.operator.token).send({ note: '登记有误' }),
    400: async (c) =>
      c.req('post', `/api/meals/${await flaggedMeal(c)}/explanation`, c.operator.token).send({ note: ' ' }),
    404: (c) => c.req('post', '/api/meals/999999999/explanation', c.operator.token).send({ note: '登记有误' }),
    409: async (c) => c.req('post', `/api/meals/${await c.meal()}/explanation`, c.operator.token).send({ note: '无' }),
  },
  'GET /till': { 200: (c) => c.req('get', '/api/till', c.cashier.token) },
  'POST /months/{month}/lock': {
    200: (c) => c.req('post', '/api/months/2024-01/lock', c.finance.token).send({ canteenId: c.canteen.id }),
    400: (c) => c.req('post', '/api/months/2024-13/lock', c.finance.token).send({}),
    404: (c) => c.req('post', '/api/months/2024-02/lock', c.finance.token).send({ canteenId: 999999 }),
    409: (c) => c.req('post', '/api/months/2024-01/lock', c.finance.token).send({ canteenId: c.canteen.id }),
  },
  'POST /months/{month}/unlock': {
    200: (c) => c.req('post', '/api/months/2024-01/unlock', c.admin).send({ canteenId: c.canteen.id, reason: '更正' }),
    400: (c) => c.req('post', '/api/months/2024-01/unlock', c.admin).send({ canteenId: c.canteen.id, reason: ' ' }),
    404: (c) => c.req('post', '/api/months/2024-03/unlock', c.admin).send({ reason: '更正' }),
    // The lock a submitted claim holds (the admin's own sub-district is the finance's).
    409: async (c) => {
      await c.submitted('2023-06');
      return c.req('post', '/api/months/2023-06/unlock', c.admin).send({ reason: '更正' });
    },
  },
  'GET /months/{month}/locks': {
    200: (c) => c.req('get', `/api/months/2024-01/locks?subdistrictId=${c.canteen.subdistrictId}`, c.operator.token),
    400: (c) => c.req('get', '/api/months/2024-13/locks', c.operator.token),
  },
  'POST /claims': {
    202: (c) => c.req('post', '/api/claims', c.finance.token).send({ month: lastMonth(), canteenId: c.canteen.id }),
    400: (c) => c.req('post', '/api/claims', c.finance.token).send({ month: '2990-01' }),
    404: (c) => c.req('post', '/api/claims', c.finance.token).send({ month: lastMonth(), canteenId: 999999 }),
    409: (c) => claimBusy(c),
  },
  'GET /claims': {
    200: (c) => c.req('get', `/api/claims?subdistrictId=${c.canteen.subdistrictId}`, c.finance.token),
    400: (c) => c.req('get', '/api/claims?month=2025-13', c.finance.token),
  },

  'GET /claims/{id}': {
    200: async (c) => c.req('get', `/api/claims/${await c.claim()}`, c.finance.token),
    400: (c) => c.req('get', '/api/claims/%00', c.finance.token),
    404: (c) => c.req('get', '/api/claims/999999', c.finance.token),
  },
  'GET /claims/{id}/file': {
    // A claim still queued: written straight to the table, since asking again for the same data answers the
    // version already built, and a running worker would build a new one before the file is asked for.
    409: async (c) => {
      const [{ id }] = (await c.t.db.query(
        `INSERT INTO claims (subdistrict_id, canteen_id, month, version)
         SELECT subdistrict_id, canteen_id, month, max(version) + 1 FROM claims GROUP BY subdistrict_id, canteen_id, month
         LIMIT 1 RETURNING id`,
      )) as { id: number }[];
      return c.req('get', `/api/claims/${id}/file`, c.finance.token);
    },
    200: async (c) =>
      c
        .req('get', `/api/claims/${await c.claim('DONE')}/file`, c.finance.token)
        .buffer(true)
        .parse(binary),
    400: (c) => c.req('get', '/api/claims/%00/file', c.finance.token),
    404: (c) => c.req('get', '/api/claims/999999/file', c.finance.token),
  },
  'GET /stats/daily': {
    200: (c) => c.req('get', `/api/stats/daily?from=${lastMonth()}-01&to=${lastMonth()}-28`, c.finance.token),
    400: (c) => c.req('get', `/api/stats/daily?from=${lastMonth()}-28&to=${lastMonth()}-01`, c.finance.token),
    403: (c) =>
      c.req(
        'get',
        `/api/stats/daily?from=${lastMonth()}-01&to=${lastMonth()}-28&canteenId=${c.otherCanteen.id}`,
        c.operator.token,
      ),
    404: (c) =>
      c.req('get', `/api/stats/daily?from=${lastMonth()}-01&to=${lastMonth()}-28&canteenId=999999`, c.finance.token),
  },
  'GET /stats/daily/export': {
    200: (c) =>
      c
        .req('get', `/api/stats/daily/export?from=${lastMonth()}-01&to=${lastMonth()}-28`, c.finance.token)
        .buffer(true)
        .parse(binary),
    400: (c) => c.req('get', `/api/stats/daily/export?from=${lastMonth()}-28&to=${lastMonth()}-01`, c.finance.token),
    403: (c) =>
      c.req(
        'get',
        `/api/stats/daily/export?from=${lastMonth()}-01&to=${lastMonth()}-28&canteenId=${c.otherCanteen.id}`,
        c.operator.token,
      ),
    404: (c) =>
      c.req(
        'get',
        `/api/stats/daily/export?from=${lastMonth()}-01&to=${lastMonth()}-28&canteenId=999999`,
        c.finance.token,
      ),
  },
  'GET /stats/summary': {
    200: (c) => c.req('get', `/api/stats/summary?month=${lastMonth()}`, c.finance.token),
    400: (c) => c.req('get', `/api/stats/summary?month=2025-13`, c.finance.token),
    403: (c) =>
      c.req('get', `/api/stats/summary?month=${lastMonth()}&canteenId=${c.otherCanteen.id}`, c.operator.token),
    404: (c) => c.req('get', `/api/stats/summary?month=${lastMonth()}&canteenId=999999`, c.finance.token),
  },
  'GET /stats/summary/export': {
    200: (c) =>
      c.req('get', `/api/stats/summary/export?month=${lastMonth()}`, c.finance.token).buffer(true).parse(binary),
    400: (c) => c.req('get', `/api/stats/summary/export?month=2025-13`, c.finance.token),
    403: (c) =>
      c.req('get', `/api/stats/summary/export?month=${lastMonth()}&canteenId=${c.otherCanteen.id}`, c.operator.token),
    404: (c) => c.req('get', `/api/stats/summary/export?month=${lastMonth()}&canteenId=999999`, c.finance.token),
  },
  'GET /audit': {
    200: (c) => c.req('get', '/api/audit?pageSize=5', c.admin),
    400: (c) => c.req('get', '/api/audit?page=0', c.admin),
  },
  'GET /claims/{id}/checks': {
    200: async (c) => c.req('get', `/api/claims/${await c.claim('DONE')}/checks`, c.finance.token),
    400: (c) => c.req('get', '/api/claims/%00/checks', c.finance.token),
    404: (c) => c.req('get', '/api/claims/999999/checks', c.finance.token),
  },
  'GET /claims/{id}/print': {
    200: async (c) => c.req('get', `/api/claims/${await c.claim('DONE')}/print`, c.finance.token),
    400: (c) => c.req('get', '/api/claims/%00/print', c.finance.token),
    404: (c) => c.req('get', '/api/claims/999999/print', c.finance.token),
    // A claim that failed (not DONE, so nothing to print); FAILED, so it blocks no later request of its scope.
    409: async (c) => {
      const [{ id }] = (await c.t.db.query(
        `INSERT INTO claims (subdistrict_id, canteen_id, month, version, status, error)
         SELECT subdistrict_id, canteen_id, month, max(version) + 1, 'FAILED', 'CLAIM_BUILD_FAILED: 契约测试'
           FROM claims GROUP BY subdistrict_id, canteen_id, month LIMIT 1 RETURNING id`,
      )) as { id: number }[];
      return c.req('get', `/api/claims/${id}/print`, c.finance.token);
    },
  },
  'POST /claims/verify': {
    200: async (c) => {
      const file = await c
        .req('get', `/api/claims/${await c.claim('DONE')}/file`, c.finance.token)
        .buffer(true)
        .parse(binary)
        .expect(200);
      return c.req('post', '/api/claims/verify', c.finance.token).attach('file', file.body as Buffer, 'claim.xlsx');
    },
    400: (c) => c.req('post', '/api/claims/verify', c.finance.token).field('note', 'no file'),
    404: (c) =>
      c.req('post', '/api/claims/verify', c.finance.token).attach('file', Buffer.from('not a claim'), 'claim.xlsx'),
    // One byte over VERIFY_MAX_BYTES (1 MB in this app, 256 MB by default).
    413: (c) =>
      c
        .req('post', '/api/claims/verify', c.finance.token)
        .attach('file', Buffer.alloc(VERIFY_MAX_BYTES + 1, 'x'), 'claim.xlsx'),
  },
  'GET /audit/verify': { 200: (c) => c.req('get', '/api/audit/verify', c.admin) },
  // Review and payment (SPEC §5): one month per flow, months no other case touches (only one version of a
  // sub-district month can be under review).
  'POST /claims/{id}/submit': {
    200: async (c) => c.req('post', `/api/claims/${await c.claimOf('2023-01')}/submit`, c.finance.token).send({}),
    400: async (c) =>
      c
        .req('post', `/api/claims/${await c.claimOf('2023-02')}/submit`, c.finance.token)
        .send({ acknowledgements: [{ code: 'BACKDATED', note: '没有这项提示' }] }),
    404: (c) => c.req('post', '/api/claims/999999/submit', c.finance.token).send({}),
    409: async (c) =>
      c.req('post', `/api/claims/${await c.claimOf(monthOf(todayLocal()))}/submit`, c.finance.token).send({}),
  },
  'POST /claims/{id}/return': {
    200: async (c) =>
      c.req('post', `/api/claims/${await c.submitted('2023-03')}/return`, c.reviewer.token).send({ reason: '请补充' }),
    400: async (c) =>
      c.req('post', `/api/claims/${await c.claimOf('2023-02')}/return`, c.reviewer.token).send({ reason: '  ' }),
    404: (c) => c.req('post', '/api/claims/999999/return', c.reviewer.token).send({ reason: '请补充' }),
    409: async (c) =>
      c.req('post', `/api/claims/${await c.claimOf('2023-02')}/return`, c.reviewer.token).send({ reason: '请补充' }),
  },
  'POST /claims/{id}/approve': {
    200: async (c) => c.req('post', `/api/claims/${await c.submitted('2023-04')}/approve`, c.reviewer.token),
    400: (c) => c.req('post', '/api/claims/%00/approve', c.reviewer.token),
    404: (c) => c.req('post', '/api/claims/999999/approve', c.reviewer.token),
    409: async (c) => c.req('post', `/api/claims/${await c.claimOf('2023-02')}/approve`, c.reviewer.token),
  },
  'POST /claims/{id}/pay': {
    200: async (c) => {
      const id = await c.submitted('2023-05');
      await c.req('post', `/api/claims/${id}/approve`, c.reviewer.token).expect(200);
      return c.req('post', `/api/claims/${id}/pay`, c.reviewer.token).send({ paidOn: todayLocal(), reference: 'P-1' });
    },
    400: async (c) =>
      c
        .req('post', `/api/claims/${await c.claimOf('2023-02')}/pay`, c.reviewer.token)
        .send({ paidOn: addDays(todayLocal(), 1), reference: 'P-1' }),
    404: (c) =>
      c.req('post', '/api/claims/999999/pay', c.reviewer.token).send({ paidOn: todayLocal(), reference: 'P-1' }),
    409: async (c) =>
      c
        .req('post', `/api/claims/${await c.claimOf('2023-02')}/pay`, c.reviewer.token)
        .send({ paidOn: todayLocal(), reference: 'P-1' }),
  },
  'GET /claims/{id}/history': {
    200: async (c) => c.req('get', `/api/claims/${await c.submitted('2023-03')}/history`, c.finance.token),
    400: (c) => c.req('get', '/api/claims/%00/history', c.finance.token),
    404: (c) => c.req('get', '/api/claims/999999/history', c.finance.token),
  },
};

// Documented statuses no test can provoke on purpose, each with the reason (none today).
const NOT_CALLED: Record<string, string> = {};

// The verify route's upload limit in this app (VERIFY_MAX_BYTES), so that its 413 takes 1 MB, not 256.
const VERIFY_MAX_BYTES = 1024 * 1024;

/**
 * 409 CLAIM_BUSY: a claim request loses the race to insert its scope's next version on each of its three tries (as
 * when other requests keep inserting versions of the same scope). Three other sessions each hold an uncommitted FAILED
 * version 1, 2 and 3 of a new scope; each commits once the request's INSERT (version: the highest committed + 1) waits
 * on it, so each try meets the version just committed (claims_version_key).
 */
async function claimBusy(c: Ctx): Promise<Response> {
  const month = '2022-11';
  const holders = [];
  for (const version of [1, 2, 3]) {
    const q = c.t.db.createQueryRunner();
    await q.connect();
    await q.startTransaction();
    await q.query(
      `INSERT INTO claims (subdistrict_id, canteen_id, month, version, status, error)
       VALUES ($1, $2, $3, $4, 'FAILED', 'CLAIM_BUILD_FAILED: 契约测试')`,
      [c.canteen.subdistrictId, c.canteen.id, month, version],
    );
    const [{ pid }] = (await q.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    holders.push({ q, pid });
  }
  try {
    const answer = c
      .req('post', '/api/claims', c.finance.token)
      .send({ month, canteenId: c.canteen.id })
      .then((r) => r);
    for (const { q, pid } of holders) {
      // Wait until the request's INSERT waits on this session, then let it meet the committed version.
      for (let waited = 0; ; waited += 20) {
        const [blocked] = await c.t.db.query(`SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [
          pid,
        ]);
        if (blocked) break;
        if (waited > 20_000) throw new Error(`no claim request waited on session ${pid}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await q.commitTransaction();
    }
    return await answer;
  } finally {
    for (const { q } of holders) {
      if (q.isTransactionActive) await q.rollbackTransaction();
      await q.release();
    }
  }
}

let idSerial = 0;
/** A valid ID number nobody has registered yet (through the factory's generator, then removed again). */
async function freshIdNumber(c: Ctx): Promise<string> {
  idSerial += 1;
  const d = await createDiner(c.t, { birthDate: yearsAgo(72 + (idSerial % 20)) });
  await c.t.db.query('DELETE FROM diners WHERE id = $1', [d.id]);
  return d.idNumber;
}

// ---- the document as JSON Schema --------------------------------------------------------------------------------

interface Op {
  key: string;
  method: Method;
  path: string;
  responses: Record<
    string,
    { content?: Record<string, { schema?: object }>; headers?: Record<string, { required?: boolean }> }
  >;
  security?: unknown[];
  'x-roles'?: string[];
  requestBody?: { content: Record<string, unknown> };
  parameters?: { in: string; name: string }[];
}

/** The operation's URL with a sample value in each path parameter (a month, or the id 1). */
const sampleUrl = (op: Op): string =>
  `/api${op.path.replace(/\{[^}]+\}/g, op.path.includes('{month}') ? '2025-01' : '1')}`;

function operations(doc: OpenAPIObject): Op[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    (['get', 'post', 'patch', 'delete'] as const)
      .filter((m) => item[m] !== undefined)
      // Keys and paths without the global prefix /api, which every path of the document has.
      .map(
        (m) =>
          ({
            ...(item[m] as object),
            key: `${m.toUpperCase()} ${path.slice(4)}`,
            method: m,
            path: path.slice(4),
          }) as Op,
      ),
  );
}

/** OpenAPI 3.0 → JSON Schema for ajv: `nullable`, refs into one schema, and no field the document does not name. */
function jsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') out[k] = `openapi${v}`;
    else if (k !== 'nullable' && k !== 'example') out[k] = jsonSchema(v);
  }
  if (out.type === 'object' && out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return (node as { nullable?: boolean }).nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

describe('The OpenAPI document against the running server (contract)', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  let ajv: Ajv;
  let ctx: Ctx;
  let worker: TestWorker | undefined;
  const mismatches: string[] = [];
  const called = new Set<string>();
  const validators = new Map<string, ValidateFunction>();

  /** Checks one answer against the document; returns nothing, records every mismatch. */
  function check(op: Op, res: Response, expected: number, why: string): void {
    const where = `${op.key} → ${res.status} (${why})`;
    called.add(`${op.key} ${res.status}`);
    if (res.status !== expected) mismatches.push(`${where}: expected ${expected}: ${JSON.stringify(res.body)}`);
    const documented = op.responses[String(res.status)];
    if (!documented) return void mismatches.push(`${where}: status not in the document`);
    for (const [name, h] of Object.entries(documented.headers ?? {})) {
      if (h.required && res.headers[name.toLowerCase()] === undefined) mismatches.push(`${where}: no ${name} header`);
    }
    const media = Object.keys(documented.content ?? {});
    if (media.length === 0) {
      if (res.text) mismatches.push(`${where}: a body where the document has none`);
      return;
    }
    const type = String(res.headers['content-type'] ?? '').split(';')[0];
    if (!media.includes(type)) return void mismatches.push(`${where}: ${type}, the document says ${media.join(', ')}`);
    if (type !== 'application/json') return;
    const id = `${op.key} ${res.status}`;
    let validate = validators.get(id);
    if (!validate) {
      validate = ajv.compile(jsonSchema(documented.content?.['application/json'].schema) as object);
      validators.set(id, validate);
    }
    if (!validate(res.body)) {
      mismatches.push(`${where}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(res.body).slice(0, 400)}`);
    }
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { VERIFY_MAX_BYTES: String(VERIFY_MAX_BYTES) } });
    doc = buildApiDocument(t.app);
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('binary', true);
    ajv.addSchema({ $id: 'openapi', components: jsonSchema(doc.components) });
    const canteen = await createCanteen(t.db, { name: uniqueName('东关食堂') });
    const otherCanteen = await createCanteen(t.db, { name: uniqueName('西关食堂') });
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const diner = async () => createDiner(t, { birthDate: yearsAgo(75) });
    ctx = {
      t,
      admin: await t.adminToken(),
      operator: await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] }),
      cashier,
      finance: await createUser(t, 'FINANCE'),
      reviewer: await createUser(t, 'REVIEWER'),
      canteen,
      otherCanteen,
      diner,
      meal: async () => (await record(ctx, lunch(await diner())).expect(201)).body.id as string,
      claim: async (status) => {
        const res = await ctx.req('post', '/api/claims', ctx.finance.token).send({ month: lastMonth() }).expect(202);
        if (status !== 'DONE') return res.body.id as number;
        worker ??= await startTestWorker(t.config);
        return (await waitForClaim(t, ctx.finance.token, res.body.id)).id;
      },
      claimOf: async (month) => {
        const res = await ctx.req('post', '/api/claims', ctx.finance.token).send({ month }).expect(202);
        worker ??= await startTestWorker(t.config);
        return (await waitForClaim(t, ctx.finance.token, res.body.id)).id;
      },
      submitted: async (month) => {
        const id = await ctx.claimOf(month);
        const now = await ctx.req('get', `/api/claims/${id}`, ctx.finance.token).expect(200);
        if (now.body.reviewStatus === 'DRAFT') {
          await ctx.req('post', `/api/claims/${id}/submit`, ctx.finance.token).send({}).expect(200);
        }
        return id;
      },
      req: (method, path, token) => {
        const r = t.http()[method](path);
        return token === undefined ? r : r.set('Authorization', token);
      },
    };
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('has a case for every operation of the document, and no case for an operation it lacks', () => {
    const keys = operations(doc).map((o) => o.key);
    expect(keys.filter((k) => CASES[k] === undefined)).toEqual([]);
    expect(Object.keys(CASES).filter((k) => !keys.includes(k))).toEqual([]);
  });

  beforeEach(() => {
    mismatches.length = 0;
  });

  it('states in its description how every list pages (docs/API.md "Lists")', () => {
    const description = doc.info.description ?? '';
    for (const term of ['?page=', '?pageSize=', '{ items, total, page, pageSize }', '`total` counts every']) {
      expect(description).toContain(term);
    }
    expect(description).not.toMatch(/not pages|JSON array of every/);
  });

  it('describes an Idempotency-Key replay as the first answer again, 202 for an offline conflict as the server does', async () => {
    const post = doc.paths['/api/canteens/{canteenId}/meals'].post;
    const param = (post?.parameters ?? []).find((p) => 'name' in p && p.name === 'Idempotency-Key');
    const description = param !== undefined && 'description' in param ? String(param.description) : '';
    expect(description).toContain('the first answer again (201, or 202 for an offline conflict)');
    const key = randomUUID();
    const body = offlineUnregistered();
    const first = await record(ctx, body, key).expect(202);
    const replay = await record(ctx, body, key);
    expect([replay.status, replay.body]).toEqual([202, first.body]);
  });

  it('answers every documented success and route error as the document describes it', async () => {
    for (const op of operations(doc)) {
      for (const [status, call] of Object.entries(CASES[op.key] ?? {})) {
        check(op, await call(ctx), Number(status), 'route case');
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('answers the errors every route of its kind shares as the document describes them', async () => {
    const wrongRole = (roles: string[]): string =>
      [ctx.cashier.token, ctx.finance.token, ctx.operator.token, ctx.reviewer.token].find(
        (_, i) => !roles.includes(['CASHIER', 'FINANCE', 'OPERATOR', 'REVIEWER'][i]),
      ) ?? '';
    for (const op of operations(doc)) {
      if ((op.security ?? []).length > 0) check(op, await ctx.req(op.method, sampleUrl(op)), 401, 'no token');
      if (op['x-roles']) {
        const token = wrongRole(op['x-roles']);
        if (token) check(op, await ctx.req(op.method, sampleUrl(op), token), 403, 'another role');
      }
      const json = op.requestBody?.content['application/json'] !== undefined;
      if (json) {
        const send = () => ctx.req(op.method, sampleUrl(op), ctx.admin).set('Content-Type', 'application/json');
        check(op, await send().send('{"a":'), 400, 'broken JSON');
        check(op, await send().send(JSON.stringify({ a: 'x'.repeat(1_100_000) })), 413, 'over 1 MB');
        check(op, await send().set('Content-Type', 'application/json; charset=latin1').send('{}'), 415, 'latin1');
      } else if (op.responses['400'] && !called.has(`${op.key} 400`)) {
        check(op, await ctx.req(op.method, `${sampleUrl(op)}?zz=%00`, ctx.admin), 400, 'NUL in the query');
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After on every route that needs PostgreSQL', async () => {
    const pg = await ScratchPostgres.create();
    const down = await startTestApp({ env: { DATABASE_URL: await pg.createDatabase(uniqueName('hc_test_contract')) } });
    try {
      const token = await down.adminToken();
      await pg.stop();
      for (const op of operations(doc).filter((o) => o.responses['503'])) {
        const http = down.http();
        const r = http[op.method](sampleUrl(op)).set('Authorization', token);
        const body = op.key === 'POST /auth/login' ? { username: 'someone', password: 'something' } : {};
        check(op, await (op.requestBody ? r.send(body) : r), 503, 'PostgreSQL stopped');
      }
    } finally {
      await down.close();
      await pg.destroy();
    }
    expect(mismatches).toEqual([]);
  });

  it('has called every status the document lists for every operation', () => {
    const missing = operations(doc).flatMap((op) =>
      Object.keys(op.responses)
        .map((status) => `${op.key} ${status}`)
        .filter((k) => !called.has(k) && NOT_CALLED[k] === undefined),
    );
    expect(missing).toEqual([]);
  });
});
