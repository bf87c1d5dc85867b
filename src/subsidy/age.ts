import { LocalDate, parseLocalDate } from '../common/local-date';

/**
 * Age in 周岁 (full years) on a date. The birthday itself counts. Someone born on 29 February reaches the new
 * age on 1 March in common years and on 29 February in leap years: comparing (month, day) pairs gives exactly
 * that, since 02-29 sorts after 02-28 and before 03-01.
 */
export function ageOn(birthDate: LocalDate, on: LocalDate): number {
  const b = parseLocalDate(birthDate);
  const d = parseLocalDate(on);
  const birthdayReached = d.month > b.month || (d.month === b.month && d.day >= b.day);
  const age = d.year - b.year - (birthdayReached ? 0 : 1);
  if (age < 0) throw new RangeError(`Date ${on} is before birth date ${birthDate}`);
  return age;
}
