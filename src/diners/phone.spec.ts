import { isPhoneNumber } from './phone';

describe(isPhoneNumber.name, () => {
  it.each([
    '13800138000',
    '19912345678',
    '+8613800138000',
    '+86 138 0013 8000',
    '86-13800138000',
    '0635-8123456',
    '06358123456',
    '010-62345678',
    '0635 8123456',
    '8123456',
    '62345678',
    '0635-8123456-801',
  ])('accepts %s', (phone) => {
    expect(isPhoneNumber(phone)).toBe(true);
  });

  it.each([
    '12345',
    '',
    '12800138000',
    '1380013800',
    '138001380000',
    '0635-0123456',
    '0635-123456',
    '1234567',
    '110',
    '12345678901234567890',
    'abc13800138000',
    '13800138000x',
    '+1 650 253 0000',
    '371502194006061234',
  ])('refuses %j', (phone) => {
    expect(isPhoneNumber(phone)).toBe(false);
  });

  it('refuses what is not text', () => {
    expect(isPhoneNumber(13800138000)).toBe(false);
    expect(isPhoneNumber(null)).toBe(false);
  });
});
