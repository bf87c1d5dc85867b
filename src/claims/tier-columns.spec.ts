import { DEFAULT_POLICY_TIERS, PolicyTier } from '../subsidy/subsidy-calculator';
import { tierBounds, tierColumns, tierLabel } from './tier-columns';

const THREE_TIERS: PolicyTier[] = [
  { minAge: 90, maxAge: null, amountFen: 600 },
  { minAge: 70, maxAge: 79, amountFen: 200 },
  { minAge: 80, maxAge: 89, amountFen: 400 },
];

const layout = (mealTiers: string[], policies: PolicyTier[][]): string[] =>
  tierColumns(mealTiers, policies).map((c) => c.label);

describe(tierColumns.name, () => {
  it('gives today’s two tiers their two pairs of columns', () => {
    expect(tierColumns([], [DEFAULT_POLICY_TIERS])).toEqual([
      { code: '70_79', minAge: 70, maxAge: 79, label: '70–79岁' },
      { code: '80_PLUS', minAge: 80, maxAge: null, label: '80岁以上' },
    ]);
  });

  it('follows a policy of three tiers, in order of minimum age whatever the policy’s order', () => {
    expect(layout([], [THREE_TIERS])).toEqual(['70–79岁', '80–89岁', '90岁以上']);
  });

  it('keeps the tiers of every version in force during the month, and of every meal, once each', () => {
    // The old version until mid-month, the new one from then: 80+ meals before, 80–89 and 90+ after.
    expect(layout(['70_79', '80_PLUS', '80_89', '90_PLUS', '70_79'], [DEFAULT_POLICY_TIERS, THREE_TIERS])).toEqual([
      '70–79岁',
      '80–89岁',
      '80岁以上',
      '90岁以上',
    ]);
  });

  it('adds a tier that only meals name (a version no longer in force), and never a column for no subsidy', () => {
    expect(layout(['NONE', '75_PLUS'], [DEFAULT_POLICY_TIERS])).toEqual(['70–79岁', '75岁以上', '80岁以上']);
  });

  it('is the same layout whatever order the tiers arrive in', () => {
    const codes = ['90_PLUS', '70_79', '80_PLUS', '80_89'];
    const expected = layout(codes, []);
    expect(layout([...codes].reverse(), [])).toEqual(expected);
    expect(layout([], [THREE_TIERS, DEFAULT_POLICY_TIERS])).toEqual(layout([], [DEFAULT_POLICY_TIERS, THREE_TIERS]));
  });

  it('puts a code that is not a pair of ages last, under its own name', () => {
    expect(layout(['SPECIAL', '70_79'], [])).toEqual(['70–79岁', 'SPECIAL']);
  });
});

describe(tierLabel.name, () => {
  it.each([
    ['70_79', '70–79岁'],
    ['80_PLUS', '80岁以上'],
    ['90_PLUS', '90岁以上'],
    ['NONE', '无补贴'],
  ])('names %s %s', (code, label) => {
    expect(tierLabel(code)).toBe(label);
  });

  it('reads the bounds back from a code', () => {
    expect(tierBounds('80_89')).toEqual({ minAge: 80, maxAge: 89 });
    expect(tierBounds('NONE')).toBeNull();
  });
});
