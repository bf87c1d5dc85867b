import { AppError } from '../common/app-error';
import { parseTiers } from './policy.service';

const codeOf = (raw: unknown): string | null => {
  try {
    parseTiers(raw);
    return null;
  } catch (e) {
    return e instanceof AppError ? e.code : 'OTHER';
  }
};

describe(parseTiers.name, () => {
  it('returns usable tiers sorted by age, with a missing maxAge read as open-ended', () => {
    expect(
      parseTiers([
        { minAge: 80, amountFen: 400 },
        { minAge: 70, maxAge: 79, amountFen: 200 },
      ]),
    ).toEqual([
      { minAge: 70, maxAge: 79, amountFen: 200 },
      { minAge: 80, maxAge: null, amountFen: 400 },
    ]);
  });

  it.each<[string, unknown]>([
    ['not an array', { minAge: 70, maxAge: null, amountFen: 200 }],
    ['empty', []],
    ['a null tier', [null]],
    ['a string age', [{ minAge: '70', maxAge: null, amountFen: 200 }]],
    ['an extra field', [{ minAge: 70, maxAge: null, amountFen: 200, note: 'x' }]],
    [
      'overlapping ranges',
      [
        { minAge: 70, maxAge: 80, amountFen: 200 },
        { minAge: 80, maxAge: null, amountFen: 400 },
      ],
    ],
    ['a fractional amount', [{ minAge: 70, maxAge: null, amountFen: 199.5 }]],
    ['a negative amount', [{ minAge: 70, maxAge: null, amountFen: -1 }]],
    ['too many tiers', Array.from({ length: 21 }, (_, i) => ({ minAge: i, maxAge: i, amountFen: 100 }))],
  ])('refuses %s with POLICY_TIERS_INVALID', (_, raw) => {
    expect(codeOf(raw)).toBe('POLICY_TIERS_INVALID');
  });
});
