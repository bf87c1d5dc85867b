import { MEAL_PERIODS } from '../common/enums';
import { subsidySlot } from './subsidy-slot';

describe(subsidySlot.name, () => {
  it('gives every period of the day one shared slot under PER_DAY', () => {
    for (const p of MEAL_PERIODS) expect(subsidySlot({ limitMode: 'PER_DAY' }, p)).toBe('DAY');
  });

  it('gives each period a slot of its own under PER_PERIOD', () => {
    expect(MEAL_PERIODS.map((p) => subsidySlot({ limitMode: 'PER_PERIOD' }, p))).toEqual([
      'BREAKFAST',
      'LUNCH',
      'DINNER',
    ]);
  });

  it('uses the whole day when no policy is in force', () => {
    expect(subsidySlot(null, 'DINNER')).toBe('DAY');
  });
});
