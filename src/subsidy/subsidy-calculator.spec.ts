import fc from 'fast-check';
import { addDays, LocalDate, localDateOf } from '../common/local-date';
import {
  DEFAULT_POLICY_EFFECTIVE_FROM,
  DEFAULT_POLICY_TIERS,
  DinerStatus,
  evaluateSubsidy,
  findTier,
  isEligibleOn,
  PolicyTier,
  PolicyVersion,
  selectPolicyVersion,
  SubsidyInput,
  tierCode,
  validatePolicyTiers,
} from './subsidy-calculator';

function policy(overrides: Partial<PolicyVersion> = {}): PolicyVersion {
  return {
    id: 1,
    effectiveFrom: DEFAULT_POLICY_EFFECTIVE_FROM,
    tiers: DEFAULT_POLICY_TIERS,
    limitMode: 'PER_DAY',
    ...overrides,
  };
}

function meal(overrides: Partial<SubsidyInput> = {}): SubsidyInput {
  return { policy: policy(), birthDate: '1949-05-10', mealDate: '2024-06-15', priceFen: 1000, ...overrides };
}

const localDateArb: fc.Arbitrary<LocalDate> = fc
  .integer({ min: -25_567, max: 84_005 })
  .map((n) => addDays('1970-01-01', n));

describe('DEFAULT_POLICY_TIERS', () => {
  it('pays 200 fen from 70 to 79 and 400 fen from 80, from 2022-08-01', () => {
    expect(DEFAULT_POLICY_TIERS).toEqual([
      { minAge: 70, maxAge: 79, amountFen: 200 },
      { minAge: 80, maxAge: null, amountFen: 400 },
    ]);
    expect(DEFAULT_POLICY_EFFECTIVE_FROM).toBe('2022-08-01');
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_POLICY_TIERS)).toBe(true);
    expect(DEFAULT_POLICY_TIERS.every((t) => Object.isFrozen(t))).toBe(true);
  });
});

describe('tierCode', () => {
  it('names the default tiers 70_79 and 80_PLUS', () => {
    expect(DEFAULT_POLICY_TIERS.map(tierCode)).toEqual(['70_79', '80_PLUS']);
  });

  it('names any range by its ages', () => {
    expect(tierCode({ minAge: 60, maxAge: 69, amountFen: 100 })).toBe('60_69');
    expect(tierCode({ minAge: 90, maxAge: null, amountFen: 800 })).toBe('90_PLUS');
  });
});

describe('findTier', () => {
  it.each([
    [0, 'NONE'],
    [69, 'NONE'],
    [70, '70_79'],
    [79, '70_79'],
    [80, '80_PLUS'],
    [120, '80_PLUS'],
  ])('finds for age %i the tier %s', (age, code) => {
    const tier = findTier(DEFAULT_POLICY_TIERS, age);
    expect(tier === null ? 'NONE' : tierCode(tier)).toBe(code);
  });

  it('finds nothing in a policy without tiers', () => {
    expect(findTier([], 90)).toBeNull();
  });
});

describe('validatePolicyTiers', () => {
  it('accepts the default tiers and no tiers at all', () => {
    expect(validatePolicyTiers(DEFAULT_POLICY_TIERS)).toEqual([]);
    expect(validatePolicyTiers([])).toEqual([]);
  });

  it('accepts tiers in any order with gaps between them', () => {
    expect(
      validatePolicyTiers([
        { minAge: 90, maxAge: null, amountFen: 600 },
        { minAge: 60, maxAge: 64, amountFen: 100 },
      ]),
    ).toEqual([]);
  });

  it('reports overlapping age ranges', () => {
    const problems = validatePolicyTiers([
      { minAge: 70, maxAge: 80, amountFen: 200 },
      { minAge: 80, maxAge: null, amountFen: 400 },
    ]);
    expect(problems).toEqual(['档次 70_80 与 80_PLUS 的年龄范围重叠']);
  });

  it('reports an open-ended tier that is not the oldest', () => {
    const problems = validatePolicyTiers([
      { minAge: 70, maxAge: null, amountFen: 200 },
      { minAge: 80, maxAge: null, amountFen: 400 },
    ]);
    expect(problems).toHaveLength(1);
  });

  it('reports bad ages and amounts', () => {
    const tiers: PolicyTier[] = [
      { minAge: -1, maxAge: 5, amountFen: 100 },
      { minAge: 20, maxAge: 10, amountFen: 100 },
      { minAge: 30, maxAge: 39, amountFen: 0 },
      { minAge: 40, maxAge: 49, amountFen: 1.5 },
      { minAge: 50.5, maxAge: 59, amountFen: 100 },
    ];
    expect(validatePolicyTiers(tiers)).toHaveLength(5);
  });
});

describe('selectPolicyVersion', () => {
  const v1 = policy({ id: 1, effectiveFrom: '2022-08-01' });
  const v2 = policy({ id: 2, effectiveFrom: '2024-07-01', tiers: [{ minAge: 70, maxAge: null, amountFen: 300 }] });
  const v3 = policy({ id: 3, effectiveFrom: '2025-01-01' });

  it('picks the latest version in effect on the meal date, whatever the order', () => {
    expect(selectPolicyVersion([v3, v1, v2], '2024-08-15')).toBe(v2);
    expect(selectPolicyVersion([v2, v3, v1], '2025-03-01')).toBe(v3);
    expect(selectPolicyVersion([v3, v2, v1], '2023-01-01')).toBe(v1);
  });

  it('uses the old version the day before a change and the new one from the day itself', () => {
    expect(selectPolicyVersion([v1, v2], '2024-06-30')).toBe(v1);
    expect(selectPolicyVersion([v1, v2], '2024-07-01')).toBe(v2);
  });

  it('changes version at midnight Shanghai time', () => {
    const before = localDateOf(new Date('2024-06-30T15:59:59Z'));
    const after = localDateOf(new Date('2024-06-30T16:00:00Z'));
    const at = (mealDate: LocalDate) =>
      evaluateSubsidy(meal({ policy: selectPolicyVersion([v2, v1], mealDate), birthDate: '1950-01-01', mealDate }));
    expect(at(before)).toMatchObject({ policyVersionId: 1, subsidyFen: 200, tier: '70_79' });
    expect(at(after)).toMatchObject({ policyVersionId: 2, subsidyFen: 300, tier: '70_PLUS' });
  });

  it('finds nothing before the first version or in an empty list', () => {
    expect(selectPolicyVersion([v1, v2], '2022-07-31')).toBeNull();
    expect(selectPolicyVersion([], '2024-01-01')).toBeNull();
  });

  it('prefers the higher id when two versions start on the same day', () => {
    const v4 = policy({ id: 4, effectiveFrom: '2024-07-01' });
    expect(selectPolicyVersion([v4, v2], '2024-07-01')).toBe(v4);
    expect(selectPolicyVersion([v2, v4], '2024-07-01')).toBe(v4);
  });
});

describe('evaluateSubsidy', () => {
  it.each([
    ['the day before the 70th birthday', '2024-03-14', 69, 'NONE', 0, 'UNDER_AGE'],
    ['the 70th birthday', '2024-03-15', 70, '70_79', 200, 'TIER_70_79'],
    ['the day after the 70th birthday', '2024-03-16', 70, '70_79', 200, 'TIER_70_79'],
  ])('on %s (%s) gives age %i, tier %s and %i fen', (_label, mealDate, age, tier, subsidyFen, reason) => {
    expect(evaluateSubsidy(meal({ birthDate: '1954-03-15', mealDate, priceFen: 1000 }))).toEqual({
      age,
      tier,
      subsidyFen,
      payableFen: 1000 - subsidyFen,
      reason,
      policyVersionId: 1,
    });
  });

  it.each([
    ['the day before the 80th birthday', '2024-03-14', 79, '70_79', 200, 'TIER_70_79'],
    ['the 80th birthday', '2024-03-15', 80, '80_PLUS', 400, 'TIER_80_PLUS'],
    ['the day after the 80th birthday', '2024-03-16', 80, '80_PLUS', 400, 'TIER_80_PLUS'],
  ])('on %s (%s) gives age %i, tier %s and %i fen', (_label, mealDate, age, tier, subsidyFen, reason) => {
    expect(evaluateSubsidy(meal({ birthDate: '1944-03-15', mealDate, priceFen: 1000 }))).toEqual({
      age,
      tier,
      subsidyFen,
      payableFen: 1000 - subsidyFen,
      reason,
      policyVersionId: 1,
    });
  });

  it('gives someone born on 29 February a new tier on 1 March in a common year', () => {
    const subsidy = (birthDate: LocalDate, mealDate: LocalDate) =>
      evaluateSubsidy(meal({ policy: policy({ effectiveFrom: '2000-01-01' }), birthDate, mealDate })).subsidyFen;
    expect(subsidy('1952-02-29', '2022-02-28')).toBe(0);
    expect(subsidy('1952-02-29', '2022-03-01')).toBe(200);
    expect(subsidy('1956-02-29', '2026-02-28')).toBe(0);
    expect(subsidy('1956-02-29', '2026-03-01')).toBe(200);
    expect(subsidy('1945-02-28', '2025-02-28')).toBe(400);
    expect(subsidy('1945-03-01', '2025-02-28')).toBe(200);
  });

  it('gives someone born on 29 February a new tier on 29 February in a leap year', () => {
    const subsidy = (birthDate: LocalDate, mealDate: LocalDate) =>
      evaluateSubsidy(meal({ birthDate, mealDate })).subsidyFen;
    expect(subsidy('1944-02-29', '2024-02-28')).toBe(200);
    expect(subsidy('1944-02-29', '2024-02-29')).toBe(400);
    expect(subsidy('1944-02-29', '2024-03-01')).toBe(400);
    expect(subsidy('1948-02-29', '2028-02-28')).toBe(200);
    expect(subsidy('1948-02-29', '2028-02-29')).toBe(400);
  });

  it('pays no more than the price: a 150-fen meal for an 85-year-old is free to the diner', () => {
    expect(evaluateSubsidy(meal({ birthDate: '1939-01-01', mealDate: '2024-06-15', priceFen: 150 }))).toEqual({
      age: 85,
      tier: '80_PLUS',
      subsidyFen: 150,
      payableFen: 0,
      reason: 'TIER_80_PLUS',
      policyVersionId: 1,
    });
  });

  it('pays the full tier amount when the price equals it', () => {
    expect(evaluateSubsidy(meal({ birthDate: '1939-01-01', priceFen: 400 }))).toMatchObject({
      subsidyFen: 400,
      payableFen: 0,
    });
  });

  it('records a free meal with a zero subsidy under the tier', () => {
    expect(evaluateSubsidy(meal({ birthDate: '1939-01-01', priceFen: 0 }))).toMatchObject({
      subsidyFen: 0,
      payableFen: 0,
      reason: 'TIER_80_PLUS',
    });
  });

  it('charges the full price without a policy and still reports the age', () => {
    expect(evaluateSubsidy(meal({ policy: null, birthDate: '1939-01-01' }))).toEqual({
      age: 85,
      tier: 'NONE',
      subsidyFen: 0,
      payableFen: 1000,
      reason: 'NO_POLICY',
      policyVersionId: null,
    });
  });

  it('charges an ineligible diner the full price and reports the tier the age would have had', () => {
    expect(evaluateSubsidy(meal({ birthDate: '1939-01-01', eligible: false }))).toEqual({
      age: 85,
      tier: '80_PLUS',
      subsidyFen: 0,
      payableFen: 1000,
      reason: 'NOT_ELIGIBLE',
      policyVersionId: 1,
    });
  });

  it('charges a diner already subsidised today the full price and reports the tier', () => {
    expect(evaluateSubsidy(meal({ birthDate: '1950-01-01', alreadySubsidised: true }))).toEqual({
      age: 74,
      tier: '70_79',
      subsidyFen: 0,
      payableFen: 1000,
      reason: 'ALREADY_SUBSIDISED',
      policyVersionId: 1,
    });
  });

  it('names the reason after any tier of a later policy', () => {
    const p = policy({ id: 7, tiers: [{ minAge: 60, maxAge: 69, amountFen: 100 }] });
    expect(evaluateSubsidy(meal({ policy: p, birthDate: '1960-01-01' }))).toMatchObject({
      tier: '60_69',
      reason: 'TIER_60_69',
      subsidyFen: 100,
      policyVersionId: 7,
    });
  });

  describe('reason precedence', () => {
    const old = '1939-01-01';
    const young = '1980-01-01';
    it.each([
      [
        'no policy beats everything',
        { policy: null, birthDate: young, eligible: false, alreadySubsidised: true },
        'NO_POLICY',
        'NONE',
      ],
      [
        'not eligible beats under age',
        { birthDate: young, eligible: false, alreadySubsidised: true },
        'NOT_ELIGIBLE',
        'NONE',
      ],
      [
        'not eligible beats already subsidised',
        { birthDate: old, eligible: false, alreadySubsidised: true },
        'NOT_ELIGIBLE',
        '80_PLUS',
      ],
      ['under age beats already subsidised', { birthDate: young, alreadySubsidised: true }, 'UNDER_AGE', 'NONE'],
      [
        'already subsidised beats the tier',
        { birthDate: old, alreadySubsidised: true },
        'ALREADY_SUBSIDISED',
        '80_PLUS',
      ],
      [
        'the tier when nothing stands in the way',
        { birthDate: old, eligible: true, alreadySubsidised: false },
        'TIER_80_PLUS',
        '80_PLUS',
      ],
    ] as const)('%s', (_label, overrides, reason, tier) => {
      const result = evaluateSubsidy(meal(overrides));
      expect(result.reason).toBe(reason);
      expect(result.tier).toBe(tier);
      expect(result.subsidyFen + result.payableFen).toBe(1000);
      expect(result.subsidyFen).toBe(reason.startsWith('TIER_') ? 400 : 0);
    });
  });

  it.each([[-1], [1.5], [Number.NaN], [Infinity], [2 ** 53]])('throws on the price %p', (priceFen) => {
    expect(() => evaluateSubsidy(meal({ priceFen }))).toThrow(RangeError);
  });

  it('throws when given a policy version not yet in effect on the meal date', () => {
    expect(() => evaluateSubsidy(meal({ policy: policy({ effectiveFrom: '2024-06-16' }) }))).toThrow(RangeError);
  });

  it('throws when the tier amount is not integer fen', () => {
    const p = policy({ tiers: [{ minAge: 70, maxAge: null, amountFen: 1.5 }] });
    expect(() => evaluateSubsidy(meal({ policy: p, birthDate: '1939-01-01' }))).toThrow(RangeError);
  });

  it('throws when the meal date is before the birth date', () => {
    expect(() => evaluateSubsidy(meal({ birthDate: '2024-06-16' }))).toThrow(RangeError);
  });

  describe('for any meal', () => {
    const amountArb = fc.integer({ min: 1, max: 5000 });
    const inputArb = fc
      .record({
        a: amountArb,
        b: amountArb,
        withPolicy: fc.boolean(),
        birthDate: localDateArb,
        ageDays: fc.integer({ min: 0, max: 40_000 }),
        priceFen: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 1_000_000 })),
        eligible: fc.boolean(),
        alreadySubsidised: fc.boolean(),
      })
      .map(({ a, b, withPolicy, birthDate, ageDays, priceFen, eligible, alreadySubsidised }) => ({
        input: {
          policy: withPolicy
            ? policy({
                effectiveFrom: '1900-01-01',
                tiers: [
                  { minAge: 70, maxAge: 79, amountFen: a },
                  { minAge: 80, maxAge: null, amountFen: b },
                ],
              })
            : null,
          birthDate,
          mealDate: addDays(birthDate, ageDays),
          priceFen,
          eligible,
          alreadySubsidised,
        },
        amounts: [a, b],
      }));

    it('pays 0, a tier amount, or the price when that is lower, and never more than the price', () => {
      fc.assert(
        fc.property(inputArb, ({ input, amounts }) => {
          const { subsidyFen } = evaluateSubsidy(input);
          expect(subsidyFen).toBeLessThanOrEqual(input.priceFen);
          expect(subsidyFen >= 0 && Number.isInteger(subsidyFen)).toBe(true);
          const allowed = [0, ...amounts.filter((x) => x <= input.priceFen)];
          if (amounts.some((x) => x > input.priceFen)) allowed.push(input.priceFen);
          expect(allowed).toContain(subsidyFen);
        }),
      );
    });

    it('splits the price exactly into subsidy and payable, neither negative', () => {
      fc.assert(
        fc.property(inputArb, ({ input }) => {
          const { subsidyFen, payableFen } = evaluateSubsidy(input);
          expect(subsidyFen + payableFen).toBe(input.priceFen);
          expect(payableFen).toBeGreaterThanOrEqual(0);
          expect(subsidyFen).toBeGreaterThanOrEqual(0);
        }),
      );
    });

    it('pays a subsidy only with a tier reason, and a tier reason names the tier', () => {
      fc.assert(
        fc.property(inputArb, ({ input }) => {
          const result = evaluateSubsidy(input);
          if (result.subsidyFen > 0) expect(result.reason).toBe(`TIER_${result.tier}`);
          if (result.reason.startsWith('TIER_')) {
            expect(input.eligible && !input.alreadySubsidised && input.policy !== null).toBe(true);
          }
        }),
      );
    });
  });

  it('never lowers the default subsidy as the diner grows older', () => {
    fc.assert(
      fc.property(
        localDateArb,
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: 1, max: 40_000 }),
        fc.integer({ min: 0, max: 2000 }),
        (birthDate, days, later, priceFen) => {
          const first = addDays(birthDate, days);
          const policyFrom = policy({ effectiveFrom: '1900-01-01' });
          const at = (mealDate: LocalDate) =>
            evaluateSubsidy({ policy: policyFrom, birthDate, mealDate, priceFen }).subsidyFen;
          expect(at(addDays(first, later))).toBeGreaterThanOrEqual(at(first));
        },
      ),
    );
  });
});

describe('isEligibleOn', () => {
  it('finds an active diner eligible on any date', () => {
    expect(isEligibleOn('ACTIVE', null, '2024-06-15')).toBe(true);
    expect(isEligibleOn('ACTIVE', '2024-07-01', '2024-06-15')).toBe(true);
  });

  it.each<DinerStatus>(['SUSPENDED', 'MOVED_AWAY', 'DECEASED'])(
    'finds a %s diner eligible only before the effective date',
    (status) => {
      expect(isEligibleOn(status, '2024-03-01', '2024-02-29')).toBe(true);
      expect(isEligibleOn(status, '2024-03-01', '2024-03-01')).toBe(false);
      expect(isEligibleOn(status, '2024-03-01', '2024-03-02')).toBe(false);
    },
  );

  it.each<DinerStatus>(['SUSPENDED', 'MOVED_AWAY', 'DECEASED'])(
    'never finds a %s diner without an effective date eligible',
    (status) => {
      expect(isEligibleOn(status, null, '1990-01-01')).toBe(false);
    },
  );
});
