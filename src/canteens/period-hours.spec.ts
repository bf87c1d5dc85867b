import { thrownBy } from '../../test/support/thrown';
import { DEFAULT_PERIOD_HOURS, mergePeriodHours } from './canteens.service';

describe(mergePeriodHours.name, () => {
  it('replaces only the periods given', () => {
    expect(mergePeriodHours(DEFAULT_PERIOD_HOURS, { LUNCH: ['10:30', '13:30'] })).toEqual({
      ...DEFAULT_PERIOD_HOURS,
      LUNCH: ['10:30', '13:30'],
    });
  });

  it.each([
    [{ SUPPER: ['20:00', '21:00'] }, /未知的餐次/],
    [{ LUNCH: ['10:30'] }, /HH:MM/],
    [{ LUNCH: ['9:30', '13:30'] }, /HH:MM/],
    [{ LUNCH: ['10:30', '24:00'] }, /HH:MM/],
    [{ LUNCH: ['10:61', '13:00'] }, /HH:MM/],
    [{ LUNCH: 'all day' }, /HH:MM/],
    [{ LUNCH: ['13:30', '10:30'] }, /早于/],
    [{ LUNCH: ['12:00', '12:00'] }, /早于/],
  ])('refuses %j with INVALID_PERIOD_HOURS', (patch, message) => {
    const error = thrownBy(() => mergePeriodHours(DEFAULT_PERIOD_HOURS, patch));
    expect(error).toMatchObject({ code: 'INVALID_PERIOD_HOURS' });
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    [{ LUNCH: ['09:00', '13:30'] }, /早餐（05:30–09:30）与午餐（09:00–13:30）/],
    [{ DINNER: ['13:59', '20:00'] }, /午餐（10:00–14:00）与晚餐（13:59–20:00）/],
    [{ BREAKFAST: ['11:00', '12:00'] }, /午餐.*早餐|早餐.*午餐/],
    [{ BREAKFAST: ['06:00', '21:00'] }, /重叠/],
  ])('refuses %j with PERIOD_HOURS_OVERLAP', (patch, message) => {
    const error = thrownBy(() => mergePeriodHours(DEFAULT_PERIOD_HOURS, patch));
    expect(error).toMatchObject({ code: 'PERIOD_HOURS_OVERLAP' });
    expect((error as Error).message).toMatch(message);
  });

  it('lets one period start when another ends', () => {
    expect(mergePeriodHours(DEFAULT_PERIOD_HOURS, { LUNCH: ['09:30', '16:00'] }).LUNCH).toEqual(['09:30', '16:00']);
  });
});
