// A diner's phone number (issue 16: "12345" was accepted). Pure, no Nest. A mainland mobile number 1[3-9] and 9
// more digits (maybe +86 before it), or a landline: a local number of 7–8 digits not starting with 0 or 1, maybe
// after an area code 0XX / 0XXX and a hyphen, maybe with an extension (-123). Spaces are ignored; the number is
// stored as typed (trimmed).

const MOBILE = /^(?:\+?86-?)?1[3-9]\d{9}$/;
const LANDLINE = /^(?:0\d{2,3}-?)?[2-9]\d{6,7}(?:-\d{1,6})?$/;

export const PHONE_MESSAGE = '联系电话应为 11 位手机号（如 13800138000）或固定电话（如 0635-8123456）';

export function isPhoneNumber(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 30) return false;
  const compact = value.replace(/[ \u3000]/g, '');
  return MOBILE.test(compact) || LANDLINE.test(compact);
}
