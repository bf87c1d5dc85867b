import fc from 'fast-check';
import { addDays, isLeapYear, LocalDate } from '../common/local-date';
import { ageOn } from './age';

const localDateArb: fc.Arbitrary<LocalDate> = fc
  .integer({ min: -25_567, max: 84_005 })
  .map((n) => addDays('1970-01-01', n));

// Reference: count birthdays up to `on`, with a 29 February birthday falling on 1 March in common years.
function referenceAge(birthDate: LocalDate, on: LocalDate): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  let age = 0;
  for (let y = by + 1; ; y++) {
    const md = bm === 2 && bd === 29 && !isLeapYear(y) ? '03-01' : birthDate.slice(5);
    if (`${y}-${md}` > on) return age;
    age++;
  }
}

describe('ageOn', () => {
  it.each([
    ['1954-03-01', '2024-02-29', 69],
    ['1954-03-01', '2024-03-01', 70],
    ['1954-03-01', '2024-03-02', 70],
    ['1944-03-01', '2024-02-29', 79],
    ['1944-03-01', '2024-03-01', 80],
    ['1944-03-01', '2024-03-02', 80],
  ])('gives someone born %s on %s the age %i', (birth, on, age) => {
    expect(ageOn(birth, on)).toBe(age);
  });

  it('counts the 70th birthday itself, not the day before', () => {
    expect(ageOn('1953-06-15', '2023-06-14')).toBe(69);
    expect(ageOn('1953-06-15', '2023-06-15')).toBe(70);
    expect(ageOn('1953-06-15', '2023-06-16')).toBe(70);
  });

  it('counts the 80th birthday itself, not the day before', () => {
    expect(ageOn('1943-12-31', '2023-12-30')).toBe(79);
    expect(ageOn('1943-12-31', '2023-12-31')).toBe(80);
    expect(ageOn('1943-12-31', '2024-01-01')).toBe(80);
  });

  it('gives someone born on 29 February the new age on 1 March in a common year', () => {
    expect(ageOn('1952-02-29', '2022-02-28')).toBe(69);
    expect(ageOn('1952-02-29', '2022-03-01')).toBe(70);
  });

  it('gives someone born on 29 February the new age on 29 February in a leap year', () => {
    expect(ageOn('1944-02-29', '2024-02-28')).toBe(79);
    expect(ageOn('1944-02-29', '2024-02-29')).toBe(80);
    expect(ageOn('1944-02-29', '2024-03-01')).toBe(80);
  });

  it('gives someone born on 28 February or 1 March the usual birthday in a leap year', () => {
    expect(ageOn('1954-02-28', '2024-02-28')).toBe(70);
    expect(ageOn('1954-03-01', '2024-02-29')).toBe(69);
  });

  it('is 0 on the day of birth', () => {
    expect(ageOn('2024-02-29', '2024-02-29')).toBe(0);
  });

  it('throws when the date is before the birth date', () => {
    expect(() => ageOn('2024-02-29', '2024-02-28')).toThrow(RangeError);
  });

  it('throws on an invalid date', () => {
    expect(() => ageOn('1954-02-29', '2024-03-01')).toThrow(RangeError);
    expect(() => ageOn('1954-03-01', '2024-3-1')).toThrow(RangeError);
  });

  it('agrees with counting birthdays one by one', () => {
    fc.assert(
      fc.property(localDateArb, fc.integer({ min: 0, max: 40_000 }), (birth, days) => {
        const on = addDays(birth, days);
        expect(ageOn(birth, on)).toBe(referenceAge(birth, on));
      }),
    );
  });

  it('never decreases as the date advances', () => {
    fc.assert(
      fc.property(
        localDateArb,
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: 0, max: 40_000 }),
        (birth, a, b) => {
          const [earlier, later] = a <= b ? [a, b] : [b, a];
          expect(ageOn(birth, addDays(birth, later))).toBeGreaterThanOrEqual(ageOn(birth, addDays(birth, earlier)));
        },
      ),
    );
  });

  it('rises by at most one from one day to the next', () => {
    fc.assert(
      fc.property(localDateArb, fc.integer({ min: 0, max: 40_000 }), (birth, days) => {
        const on = addDays(birth, days);
        expect(ageOn(birth, addDays(on, 1)) - ageOn(birth, on)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
