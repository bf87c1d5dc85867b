import { canonicalMealRequest, offlineProblem, periodAt, servedAtProblem } from './meal-rules';

describe('servedAtProblem', () => {
  const now = new Date('2025-06-10T04:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const H = 3_600_000;

  it('lets a cashier back-date up to 24 hours and no further', () => {
    expect(servedAtProblem('CASHIER', ago(24 * H), now)).toBeNull();
    expect(servedAtProblem('CASHIER', ago(24 * H + 1), now)).toMatch(/24 小时/);
  });

  it('lets operators and admins back-date up to 7 days', () => {
    expect(servedAtProblem('OPERATOR', ago(7 * 24 * H), now)).toBeNull();
    expect(servedAtProblem('ADMIN', ago(7 * 24 * H), now)).toBeNull();
    expect(servedAtProblem('OPERATOR', ago(7 * 24 * H + 1), now)).toMatch(/7 天/);
  });

  it('allows 5 minutes of clock skew into the future', () => {
    expect(servedAtProblem('CASHIER', ago(-5 * 60_000), now)).toBeNull();
    expect(servedAtProblem('CASHIER', ago(-5 * 60_000 - 1), now)).toMatch(/5 分钟/);
  });
});

describe('periodAt', () => {
  const hours = { BREAKFAST: ['05:30', '09:30'], LUNCH: ['10:00', '14:00'], DINNER: ['16:00', '20:00'] } as const;
  const all = ['BREAKFAST', 'LUNCH', 'DINNER'] as const;
  const h = { ...hours } as unknown as Parameters<typeof periodAt>[0];

  it('picks the period whose hours hold the time', () => {
    expect(periodAt(h, '07:00', all)).toBe('BREAKFAST');
    expect(periodAt(h, '12:00', all)).toBe('LUNCH');
    expect(periodAt(h, '20:00', all)).toBe('DINNER');
  });

  it('between periods picks the next one, after the last the last one', () => {
    expect(periodAt(h, '09:45', all)).toBe('LUNCH');
    expect(periodAt(h, '03:00', all)).toBe('BREAKFAST');
    expect(periodAt(h, '22:00', all)).toBe('DINNER');
  });

  it('only offers periods the canteen sells', () => {
    expect(periodAt(h, '07:00', ['LUNCH', 'DINNER'])).toBe('LUNCH');
    expect(periodAt(h, '07:00', [])).toBeNull();
  });
});

describe('canonicalMealRequest', () => {
  const base = {
    canteenId: 1,
    idNumber: '11010519491231002X',
    cardNo: null,
    mealPeriod: 'LUNCH' as const,
    priceFen: null,
    verification: 'ID_CARD_READER',
    servedAt: null,
  };

  it('is the same for the same instant written with different offsets', () => {
    expect(canonicalMealRequest({ ...base, servedAt: '2025-06-10T12:00:00+08:00' })).toBe(
      canonicalMealRequest({ ...base, servedAt: '2025-06-10T04:00:00.000Z' }),
    );
  });

  it('is the same for the same millisecond written with more digits, or in lower case', () => {
    const a = canonicalMealRequest({ ...base, servedAt: '2026-12-01T01:27:59.123Z' });
    expect(canonicalMealRequest({ ...base, servedAt: '2026-12-01T01:27:59.123456+00:00' })).toBe(a);
    expect(canonicalMealRequest({ ...base, servedAt: '2026-12-01t09:27:59.123456789+08:00' })).toBe(a);
    expect(canonicalMealRequest({ ...base, servedAt: '2026-12-01T01:27:59.124Z' })).not.toBe(a);
  });

  it('differs when anything that changes the meal differs', () => {
    const a = canonicalMealRequest(base);
    expect(canonicalMealRequest({ ...base, priceFen: 1200 })).not.toBe(a);
    expect(canonicalMealRequest({ ...base, mealPeriod: 'DINNER' })).not.toBe(a);
    expect(canonicalMealRequest({ ...base, canteenId: 2 })).not.toBe(a);
  });
});

describe('offlineProblem', () => {
  const now = new Date('2025-06-02T12:00:00Z');
  const H = 3_600_000;
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it('accepts a meal of a till offline within the role’s window, counted from when it went offline', () => {
    expect(offlineProblem('CASHIER', ago(H), ago(24 * H), now)).toBeNull();
    expect(offlineProblem('OPERATOR', ago(H), ago(7 * 24 * H), now)).toBeNull();
  });

  it('refuses a recent meal once the till has been offline longer than the window', () => {
    expect(offlineProblem('CASHIER', ago(H), ago(24 * H + 1), now)?.code).toBe('OFFLINE_WINDOW_EXPIRED');
    expect(offlineProblem('OPERATOR', ago(H), ago(7 * 24 * H + 1), now)?.code).toBe('OFFLINE_WINDOW_EXPIRED');
  });

  it('refuses a meal served before the till went offline, or too far in the future', () => {
    expect(offlineProblem('CASHIER', ago(3 * H), ago(2 * H), now)?.code).toBe('OFFLINE_FIELDS_INVALID');
    expect(offlineProblem('CASHIER', ago(-6 * 60_000), ago(H), now)?.code).toBe('SERVED_AT_OUT_OF_RANGE');
    expect(offlineProblem('CASHIER', ago(-4 * 60_000), ago(H), now)).toBeNull();
  });
});

describe('canonicalMealRequest with offline fields', () => {
  const base = {
    canteenId: 1,
    idNumber: '37150219480505001X',
    cardNo: null,
    mealPeriod: 'LUNCH' as const,
    priceFen: null,
    verification: 'ID_CARD_READER',
    servedAt: '2025-06-01T11:45:00+08:00',
  };

  it('keeps the fingerprint of an online meal as it always was', () => {
    expect(canonicalMealRequest(base)).toBe(
      JSON.stringify([1, '37150219480505001X', null, 'LUNCH', null, 'ID_CARD_READER', '2025-06-01T03:45:00.000Z']),
    );
  });

  it('tells offline meals with another quote or outage start apart', () => {
    const since = new Date('2025-06-01T03:00:00Z');
    const a = canonicalMealRequest({ ...base, offline: { since, provisionalSubsidyFen: 200 } });
    expect(a).not.toBe(canonicalMealRequest(base));
    expect(a).not.toBe(canonicalMealRequest({ ...base, offline: { since, provisionalSubsidyFen: 0 } }));
    expect(a).not.toBe(
      canonicalMealRequest({ ...base, offline: { since: new Date(since.getTime() + 1), provisionalSubsidyFen: 200 } }),
    );
  });
});
