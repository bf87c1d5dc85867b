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
});
