import {
  CHECK_CODES,
  CHECK_MESSAGES,
  CHECK_SEVERITY,
  CheckFinding,
  median,
  outlierDays,
  overShare,
  percent,
  SHARE_MIN_MEALS,
  sortFindings,
} from './edit-checks';

describe('edit checks (pure rules)', () => {
  describe(median.name, () => {
    it('is 0 for no days', () => expect(median([])).toBe(0));
    it('is the middle value of an odd count, whatever the order', () => expect(median([9, 1, 5])).toBe(5));
    it('is the mean of the middle two of an even count', () => expect(median([4, 1, 3, 10])).toBe(3.5));
  });

  describe(outlierDays.name, () => {
    it('flags days with more than twice the median', () => {
      const days = [5, 5, 6, 4, 11].map((meals, i) => ({ date: `2025-03-0${i + 1}`, meals }));
      expect(outlierDays(days)).toEqual({ median: 5, days: [{ date: '2025-03-05', meals: 11 }] });
    });
    it('does not flag a day of exactly twice the median', () => {
      expect(outlierDays([{ meals: 5 }, { meals: 5 }, { meals: 10 }]).days).toEqual([]);
    });
    it('flags nothing in an even month', () => {
      expect(outlierDays(Array.from({ length: 30 }, () => ({ meals: 40 }))).days).toEqual([]);
    });
  });

  describe(overShare.name, () => {
    it('is over when the share is strictly above the limit', () => {
      expect(overShare(4, 10, 0.3)).toBe(true);
      expect(overShare(3, 10, 0.3)).toBe(false);
    });
    it('judges a share only over enough meals', () => {
      expect(overShare(SHARE_MIN_MEALS - 1, SHARE_MIN_MEALS - 1, 0.05)).toBe(false);
      expect(overShare(1, SHARE_MIN_MEALS, 0.05)).toBe(true);
      expect(overShare(0, 0, 0.05, 0)).toBe(false);
    });
  });

  it('writes shares with one decimal', () => {
    expect(percent(1 / 3)).toBe('33.3%');
    expect(percent(0.05)).toBe('5.0%');
    expect(percent(1)).toBe('100.0%');
  });

  it('blocks only on DINER_INACTIVE_AT_MEAL', () => {
    expect(CHECK_CODES.filter((c) => CHECK_SEVERITY[c] === 'BLOCK')).toEqual(['DINER_INACTIVE_AT_MEAL']);
  });

  it('names the canteen and the count in every message', () => {
    for (const code of CHECK_CODES) expect(CHECK_MESSAGES[code](7, '东关食堂')).toMatch(/^东关食堂有 7 /);
  });

  it('lists blocking findings first, then by check and canteen', () => {
    const f = (code: CheckFinding['code'], canteenId: number): CheckFinding => ({
      code,
      severity: CHECK_SEVERITY[code],
      canteenId,
      count: 1,
      message: '',
      examples: [],
    });
    const sorted = sortFindings([
      f('VOID_SHARE', 1),
      f('BACKDATED', 2),
      f('DINER_INACTIVE_AT_MEAL', 3),
      f('BACKDATED', 1),
    ]);
    expect(sorted.map((x) => `${x.code}:${x.canteenId}`)).toEqual([
      'DINER_INACTIVE_AT_MEAL:3',
      'BACKDATED:1',
      'BACKDATED:2',
      'VOID_SHARE:1',
    ]);
  });
});
