import { CheckFinding } from './edit-checks';
import { acknowledge } from './review-rules';

const finding = (code: CheckFinding['code'], canteenId: number, severity: 'WARN' | 'BLOCK' = 'WARN'): CheckFinding => ({
  code,
  severity,
  canteenId,
  canteenName: `食堂${canteenId}`,
  count: 2,
  message: `食堂${canteenId}有 2 笔`,
  examples: [],
});

describe(acknowledge.name, () => {
  it('pairs each warning with the note for its canteen, or the note for its code at every canteen', () => {
    const findings = [finding('BACKDATED', 1), finding('BACKDATED', 2), finding('OUTSIDE_HOURS', 1)];
    const r = acknowledge(findings, [
      { code: 'BACKDATED', note: '纸质补录' },
      { code: 'BACKDATED', canteenId: 2, note: ' 停电补录 ' },
      { code: 'OUTSIDE_HOURS', canteenId: 1, note: '延时供餐' },
    ]);
    expect(r.missing).toEqual([]);
    expect(r.unexpected).toEqual([]);
    expect(r.acknowledged.map((a) => [a.code, a.canteenId, a.note])).toEqual([
      ['BACKDATED', 1, '纸质补录'],
      ['BACKDATED', 2, '停电补录'],
      ['OUTSIDE_HOURS', 1, '延时供餐'],
    ]);
  });

  it('names the warnings left without a note, a blank note counting as none', () => {
    const r = acknowledge([finding('BACKDATED', 1), finding('VOID_SHARE', 1)], [{ code: 'VOID_SHARE', note: '  ' }]);
    expect(r.missing.map((f) => f.code)).toEqual(['BACKDATED', 'VOID_SHARE']);
    expect(r.acknowledged).toEqual([]);
  });

  it('refuses notes for checks that did not fire, for blocking findings, or for another canteen', () => {
    const r = acknowledge(
      [finding('BACKDATED', 1), finding('DINER_INACTIVE_AT_MEAL', 1, 'BLOCK')],
      [
        { code: 'BACKDATED', note: '补录' },
        { code: 'DAILY_OUTLIER', note: '节日' },
        { code: 'DINER_INACTIVE_AT_MEAL', note: '已说明' },
        { code: 'BACKDATED', canteenId: 9, note: '别的食堂' },
      ],
    );
    expect(r.unexpected.map((a) => [a.code, a.canteenId])).toEqual([
      ['DAILY_OUTLIER', undefined],
      ['DINER_INACTIVE_AT_MEAL', undefined],
      ['BACKDATED', 9],
    ]);
    expect(r.acknowledged.map((a) => a.code)).toEqual(['BACKDATED']);
  });

  it('asks nothing when no warning fired', () => {
    expect(acknowledge([], [])).toEqual({ acknowledged: [], missing: [], unexpected: [] });
  });
});
