import { createUser } from './support/factories';
import { LogCapture, startTestApp, TestApp } from './support/test-app';
import { localDateOf } from '../src/common/local-date';
import { makeIdNumber } from '../src/subsidy/id-number';

// SPEC §6 GET /api/subsidy/quote against the real app and the seeded policy (70–79 → 200 fen, 80+ → 400 fen,
// from 2022-08-01). One app for the file, logging at info into a capture, so the log test sees every request.
const DATE = '2025-06-15';

// Every API jest can fake except Date.
const NOT_DATE: FakeableAPI[] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

const toFullWidth = (s: string): string =>
  s.replace(/[0-9X]/g, (c) => (c === 'X' ? 'Ｘ' : String.fromCharCode(c.charCodeAt(0) - 0x30 + 0xff10)));

describe('GET /api/subsidy/quote', () => {
  let t: TestApp;
  let token: string;
  const logs = new LogCapture();

  beforeAll(async () => {
    t = await startTestApp({ logStream: logs, env: { LOG_LEVEL: 'info' } });
    // Any logged-in user: a cashier without canteens is the least privileged one.
    token = (await createUser(t, 'CASHIER')).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const quote = (query: Record<string, string | string[]>) =>
    t.http().get('/api/subsidy/quote').query(query).set('authorization', token);

  describe('tiers', () => {
    it('gives nothing under 70, at full price, with the reason', async () => {
      const idNumber = makeIdNumber('371502', '1955-06-16', 11);
      const res = await quote({ idNumber, date: DATE, priceFen: '1200' }).expect(200);
      expect(res.body).toEqual({
        idNumber,
        birthDate: '1955-06-16',
        age: 69,
        tier: 'NONE',
        subsidyFen: 0,
        payableFen: 1200,
        reason: 'UNDER_AGE',
        policyVersionId: 1,
      });
    });

    it('gives 200 fen from the 70th birthday itself', async () => {
      const idNumber = makeIdNumber('371502', '1955-06-15', 12);
      const res = await quote({ idNumber, date: DATE, priceFen: '1200' }).expect(200);
      expect(res.body).toEqual({
        idNumber,
        birthDate: '1955-06-15',
        age: 70,
        tier: '70_79',
        subsidyFen: 200,
        payableFen: 1000,
        reason: 'TIER_70_79',
        policyVersionId: 1,
      });
    });

    it('keeps 200 fen on the day before the 80th birthday and gives 400 fen on it', async () => {
      const idNumber = makeIdNumber('371502', '1945-06-15', 13);
      const before = await quote({ idNumber, date: '2025-06-14', priceFen: '1200' }).expect(200);
      expect(before.body).toMatchObject({ age: 79, tier: '70_79', subsidyFen: 200, payableFen: 1000 });
      const on = await quote({ idNumber, date: DATE, priceFen: '1200' }).expect(200);
      expect(on.body).toMatchObject({
        age: 80,
        tier: '80_PLUS',
        subsidyFen: 400,
        payableFen: 800,
        reason: 'TIER_80_PLUS',
      });
    });

    it('caps the subsidy at a price below it: a ¥1.50 meal for an 85-year-old is free', async () => {
      const idNumber = makeIdNumber('371502', '1940-03-01', 14);
      const res = await quote({ idNumber, date: DATE, priceFen: '150' }).expect(200);
      expect(res.body).toMatchObject({ age: 85, tier: '80_PLUS', subsidyFen: 150, payableFen: 0 });
      const free = await quote({ idNumber, date: DATE, priceFen: '0' }).expect(200);
      expect(free.body).toMatchObject({ subsidyFen: 0, payableFen: 0, tier: '80_PLUS' });
    });

    it('answers NONE with no subsidy for a date before the first policy version', async () => {
      const idNumber = makeIdNumber('371502', '1940-03-01', 15);
      const res = await quote({ idNumber, date: '2022-07-31', priceFen: '1200' }).expect(200);
      expect(res.body).toMatchObject({
        tier: 'NONE',
        subsidyFen: 0,
        payableFen: 1200,
        reason: 'NO_POLICY',
        policyVersionId: null,
      });
      const first = await quote({ idNumber, date: '2022-08-01', priceFen: '1200' }).expect(200);
      expect(first.body).toMatchObject({ tier: '80_PLUS', subsidyFen: 400, policyVersionId: 1 });
    });
  });

  describe('input forms', () => {
    it('upgrades a legacy 15-digit number to 18 digits', async () => {
      // 371502 450301 123 → 371502 19450301 123 + check character.
      const res = await quote({ idNumber: '371502450301123', date: DATE, priceFen: '1000' }).expect(200);
      expect(res.body.idNumber).toBe(makeIdNumber('371502', '1945-03-01', 123));
      expect(res.body).toMatchObject({ birthDate: '1945-03-01', age: 80, tier: '80_PLUS', subsidyFen: 400 });
    });

    it('accepts full-width digits, a full-width Ｘ and spaces, as an IME types them', async () => {
      let seq = 1;
      let idNumber = makeIdNumber('371502', '1950-01-01', seq);
      while (!idNumber.endsWith('X')) idNumber = makeIdNumber('371502', '1950-01-01', ++seq);
      const typed = ` ${toFullWidth(idNumber.slice(0, 6))} ${toFullWidth(idNumber.slice(6, 14))}\u3000${toFullWidth(idNumber.slice(14))} `;
      const res = await quote({ idNumber: typed, date: DATE, priceFen: '1200' }).expect(200);
      expect(res.body).toMatchObject({ idNumber, birthDate: '1950-01-01', age: 75, tier: '70_79', subsidyFen: 200 });
      const lower = await quote({ idNumber: idNumber.toLowerCase(), date: DATE, priceFen: '1200' }).expect(200);
      expect(lower.body.idNumber).toBe(idNumber);
    });

    it("uses today's Shanghai date when no date is given", async () => {
      // An evening in UTC (the latest 20:00 UTC before now) is already the next day in Shanghai. The diner turns 80
      // on that Shanghai day, so the UTC date (the day before) would make them 79: ¥2, not ¥4.
      const now = new Date();
      const evening = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 20));
      if (evening > now) evening.setUTCDate(evening.getUTCDate() - 1);
      const shanghaiDay = localDateOf(evening);
      expect(shanghaiDay).not.toBe(evening.toISOString().slice(0, 10));
      const birthDate = `${Number(shanghaiDay.slice(0, 4)) - 80}${shanghaiDay.slice(4)}`;
      const idNumber = makeIdNumber('371502', birthDate, 16);
      // Only Date is faked (timers, sockets and the database keep real time), and only for this one request.
      jest.useFakeTimers({ now: evening, doNotFake: NOT_DATE });
      try {
        const res = await quote({ idNumber, priceFen: '1200' }).expect(200);
        expect(res.body).toMatchObject({ birthDate, age: 80, tier: '80_PLUS', subsidyFen: 400, payableFen: 800 });
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('errors', () => {
    const valid = makeIdNumber('371502', '1950-06-15', 21);

    const expectError = async (query: Record<string, string | string[]>, code: string): Promise<string> => {
      const res = await quote(query).expect(400);
      expect(res.body).toEqual({ statusCode: 400, code, message: expect.stringMatching(/[\u4e00-\u9fff]/) });
      return res.body.message;
    };

    it('answers ID_FORMAT for a number of the wrong shape, or none', async () => {
      for (const idNumber of [
        '12345',
        '3715021950061502',
        '37150219500615021A',
        '37150219500615021x1',
        'abcdefghijklmnopqr',
      ]) {
        await expectError({ idNumber, date: DATE, priceFen: '1200' }, 'ID_FORMAT');
      }
      await expectError({ date: DATE, priceFen: '1200' }, 'ID_FORMAT');
      await expectError({ idNumber: [valid, valid], date: DATE, priceFen: '1200' }, 'ID_FORMAT');
    });

    it('answers ID_BIRTHDATE for a birth date that is not real or lies in the future', async () => {
      const unreal = '371502195002300010'; // 30 February
      await expectError({ idNumber: unreal, date: DATE, priceFen: '1200' }, 'ID_BIRTHDATE');
      const future = makeIdNumber('371502', '2099-01-01', 1);
      const message = await expectError({ idNumber: future, date: DATE, priceFen: '1200' }, 'ID_BIRTHDATE');
      expect(message).toContain('出生日期');
    });

    it('answers ID_CHECKSUM when the check character is wrong', async () => {
      const last = valid[17];
      const wrong = valid.slice(0, 17) + (last === '0' ? '1' : '0');
      const message = await expectError({ idNumber: wrong, date: DATE, priceFen: '1200' }, 'ID_CHECKSUM');
      expect(message).toContain('校验');
    });

    it('answers INVALID_DATE for a malformed or unreal date, or one before the birth date', async () => {
      for (const date of ['2025-02-29', '2025/06/15', '20250615', '2025-6-5', 'today']) {
        await expectError({ idNumber: valid, date, priceFen: '1200' }, 'INVALID_DATE');
      }
      await expectError({ idNumber: valid, date: [DATE, DATE], priceFen: '1200' }, 'INVALID_DATE');
      const message = await expectError({ idNumber: valid, date: '1950-06-14', priceFen: '1200' }, 'INVALID_DATE');
      expect(message).toContain('出生日期');
    });

    it('answers INVALID_PRICE for a negative, fractional, non-numeric or missing price', async () => {
      for (const priceFen of ['-1', '12.5', '1e3', 'abc', '', ' 100', '0x10', '99999999999']) {
        await expectError({ idNumber: valid, date: DATE, priceFen }, 'INVALID_PRICE');
      }
      await expectError({ idNumber: valid, date: DATE }, 'INVALID_PRICE');
      await expectError({ idNumber: valid, date: DATE, priceFen: ['100', '200'] }, 'INVALID_PRICE');
    });

    it('takes prices up to the cap of every meal price (¥1,000) and refuses one fen more', async () => {
      const atCap = await quote({ idNumber: valid, date: DATE, priceFen: '100000' }).expect(200);
      expect(atCap.body.payableFen + atCap.body.subsidyFen).toBe(100_000);
      await expectError({ idNumber: valid, date: DATE, priceFen: '100001' }, 'INVALID_PRICE');
      await expectError({ idNumber: valid, date: DATE, priceFen: '2147483647' }, 'INVALID_PRICE');
    });

    it('refuses an unknown query parameter', async () => {
      const res = await quote({ idNumber: valid, date: DATE, priceFen: '1200', canteenId: '1' }).expect(400);
      expect(res.body.code).toBe('UNKNOWN_FIELD');
    });

    it('answers 401 without a token, and with a token that is not a session', async () => {
      const anon = await t.http().get('/api/subsidy/quote').query({ idNumber: valid, date: DATE, priceFen: '1200' });
      expect(anon.status).toBe(401);
      expect(anon.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
      const bogus = await t
        .http()
        .get('/api/subsidy/quote')
        .query({ idNumber: valid, date: DATE, priceFen: '1200' })
        .set('authorization', 'Bearer not-a-token');
      expect(bogus.status).toBe(401);
    });
  });

  it('writes nothing: no diner, no meal, no audit entry', async () => {
    const count = async (): Promise<number[]> => {
      const [row] = await t.db.query(
        `SELECT (SELECT count(*) FROM diners)::int AS d, (SELECT count(*) FROM meals)::int AS m,
                (SELECT count(*) FROM audit_log)::int AS a`,
      );
      return [row.d, row.m, row.a];
    };
    const before = await count();
    await quote({ idNumber: makeIdNumber('371502', '1940-03-01', 31), date: DATE, priceFen: '1200' }).expect(200);
    await quote({ idNumber: '12345', date: DATE, priceFen: '1200' }).expect(400);
    expect(await count()).toEqual(before);
  });

  it('never writes the ID number in plain text to the request log, in any form it was sent', async () => {
    const idNumber = makeIdNumber('371502', '1948-11-20', 41);
    const legacy = '371502481120041';
    const spaced = `${idNumber.slice(0, 6)} ${idNumber.slice(6, 14)} ${idNumber.slice(14)}`;
    const fullWidth = toFullWidth(idNumber);
    for (const sent of [idNumber, legacy, spaced, fullWidth]) {
      await quote({ idNumber: sent, date: DATE, priceFen: '1200' }).expect(200);
    }
    // Also an invalid one (the error path) and a bad checksum one.
    await quote({ idNumber: idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0'), date: DATE, priceFen: '1' });

    const quoteLines = logs.lines.filter((l) => l.includes('/api/subsidy/quote'));
    expect(quoteLines.length).toBeGreaterThanOrEqual(5);
    expect(logs.text).toContain(`${idNumber.slice(0, 6)}********${idNumber.slice(14)}`);
    const text = decodeURIComponent(logs.text.replace(/\+/g, ' '));
    const digitsOnly = text
      .replace(/[\s\u3000]/g, '')
      .replace(/[０-９Ｘ]/g, (c) => (c === 'Ｘ' ? 'X' : String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30)));
    for (const plain of [idNumber, idNumber.slice(0, 17), legacy, idNumber.slice(6, 14)]) {
      expect(digitsOnly).not.toContain(plain);
    }
  });
});
