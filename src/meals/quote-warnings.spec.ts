import { QuoteWarningInput, quoteWarnings } from './quote-warnings';

const input = (o: Partial<QuoteWarningInput> = {}): QuoteWarningInput => ({
  result: { age: 76, tier: '70_79', reason: 'TIER_70_79', payableFen: 1000 },
  diner: { status: 'ACTIVE', statusEffectiveFrom: null },
  policy: { limitMode: 'PER_DAY' },
  period: 'LUNCH',
  subsidised: null,
  ...o,
});

describe(quoteWarnings.name, () => {
  it('warns of nothing when the meal is subsidised as usual', () => {
    expect(quoteWarnings(input())).toEqual([]);
  });

  it('says there is no policy, and not that the diner is under age, when no policy is in force', () => {
    const warnings = quoteWarnings(
      input({ policy: null, result: { age: 76, tier: 'NONE', reason: 'NO_POLICY', payableFen: 1200 } }),
    );
    expect(warnings).toEqual([{ code: 'NO_POLICY', message: '该日期没有适用的补贴政策，按原价收费' }]);
  });

  it('names the age of a diner under the subsidy age', () => {
    const warnings = quoteWarnings(input({ result: { age: 65, tier: 'NONE', reason: 'UNDER_AGE', payableFen: 1200 } }));
    expect(warnings).toEqual([{ code: 'UNDER_AGE', message: '该老人 65 周岁，未满补贴年龄，按原价收费' }]);
  });

  it('names the status and since when of a diner not eligible', () => {
    const warnings = quoteWarnings(
      input({
        diner: { status: 'MOVED_AWAY', statusEffectiveFrom: '2025-03-01' },
        result: { age: 80, tier: '80_PLUS', reason: 'NOT_ELIGIBLE', payableFen: 1200 },
      }),
    );
    expect(warnings).toEqual([
      {
        code: 'NOT_ELIGIBLE',
        status: 'MOVED_AWAY',
        statusEffectiveFrom: '2025-03-01',
        message: '该老人状态为“已迁出”（2025-03-01 起），不享受补贴，按原价收费',
      },
    ]);
  });

  it('leaves out the date of a status without one', () => {
    const [w] = quoteWarnings(
      input({
        diner: { status: 'SUSPENDED', statusEffectiveFrom: null },
        result: { age: 80, tier: '80_PLUS', reason: 'NOT_ELIGIBLE', payableFen: 1200 },
      }),
    );
    expect(w.message).toBe('该老人状态为“暂停”，不享受补贴，按原价收费');
  });

  it('says where and when (Shanghai time) the day’s subsidy was used, and the full price', () => {
    const at = new Date('2025-06-02T03:45:00Z');
    const warnings = quoteWarnings(
      input({
        subsidised: { at, canteenName: '柳园食堂' },
        result: { age: 76, tier: '70_79', reason: 'ALREADY_SUBSIDISED', payableFen: 1250 },
      }),
    );
    expect(warnings).toEqual([
      {
        code: 'ALREADY_SUBSIDISED',
        canteenName: '柳园食堂',
        servedAt: '2025-06-02T03:45:00.000Z',
        message: '该老人今天已于 11:45 在柳园食堂享受过补贴，本餐按原价 12.50 元收费',
      },
    ]);
  });

  it('names the period when the limit is per period', () => {
    const [w] = quoteWarnings(
      input({
        policy: { limitMode: 'PER_PERIOD' },
        period: 'DINNER',
        subsidised: { at: new Date('2025-06-02T10:05:00Z'), canteenName: null },
      }),
    );
    expect(w.message).toBe('该老人今天晚餐已于 18:05 在其他食堂享受过补贴，本餐按原价 10.00 元收费');
    expect(w.canteenName).toBe('');
  });
});
