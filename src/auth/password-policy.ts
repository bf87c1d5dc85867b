// Issue 12: weak passwords are refused wherever one is set (creating a user, resetting a password, the first admin).
// A pure rule, no Nest: length, not blank, some variety, not one of the commonest, not mostly the username.

export const PASSWORD_MIN_LENGTH = 8;
const MIN_CLASSES = 2;
const MIN_DISTINCT_CHARACTERS = 4;

export type PasswordRule = 'BLANK' | 'TOO_SHORT' | 'COMMON' | 'CONTAINS_USERNAME' | 'TOO_SIMPLE';

export const PASSWORD_RULE_MESSAGES: Readonly<Record<PasswordRule, string>> = {
  BLANK: '密码不能全是空格',
  TOO_SHORT: `密码至少 ${PASSWORD_MIN_LENGTH} 位（不计首尾空格）`,
  COMMON: '这个密码太常见，很容易被猜中，请换一个',
  CONTAINS_USERNAME: `密码不能是用户名，去掉其中的用户名后也至少要有 ${PASSWORD_MIN_LENGTH} 位`,
  TOO_SIMPLE: `密码要包含小写字母、大写字母、数字、符号中的至少 ${MIN_CLASSES} 类，且至少 ${MIN_DISTINCT_CHARACTERS} 个不同的字符`,
};

// The commonest passwords of at least 8 characters in public leak lists (Chinese sites included), lower-case.
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '12345678',
  '123456789',
  '1234567890',
  '0123456789',
  '87654321',
  '987654321',
  '11111111',
  '00000000',
  '88888888',
  '66666666',
  '12341234',
  '11223344',
  '123123123',
  '147258369',
  '123654789',
  '159357456',
  'password',
  'password1',
  'password12',
  'password123',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword',
  'p@ssword1',
  'qwertyui',
  'qwerty12',
  'qwerty123',
  'qwerty1234',
  'qwertyuiop',
  'qwer1234',
  '1234qwer',
  'q1w2e3r4',
  'q1w2e3r4t5',
  '1q2w3e4r',
  '1q2w3e4r5t',
  '1qaz2wsx',
  '1qaz@wsx',
  'zaq12wsx',
  'asdf1234',
  'asdfghjkl',
  'asd123456',
  'zxcvbnm1',
  'zxcvbnm123',
  'zxc123456',
  'abc12345',
  'abc123456',
  'abcd1234',
  'abcd12345',
  'a1234567',
  'a12345678',
  'a123456789',
  'aa123456',
  'aa12345678',
  'qq123456',
  'woaini1314',
  'woaini520',
  'iloveyou',
  'iloveyou1',
  'letmein1',
  'welcome1',
  'welcome123',
  'admin123',
  'admin1234',
  'admin12345',
  'administrator',
  'root1234',
  'changeme',
  'changeme1',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'superman',
  'trustno1',
  'dragon123',
  'monkey123',
  'test1234',
  'test12345',
]);

function characterClasses(password: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (const ch of password) {
    if (/\s/.test(ch)) continue;
    if (ch >= 'a' && ch <= 'z') lower = 1;
    else if (ch >= 'A' && ch <= 'Z') upper = 1;
    else if (ch >= '0' && ch <= '9') digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

const length = (s: string): number => [...s].length;

/** The first rule a password breaks (with its zh-CN message), or null when it may be used. */
export function passwordProblem(
  password: string,
  username?: string | null,
): { rule: PasswordRule; message: string } | null {
  const problem = (rule: PasswordRule) => ({ rule, message: PASSWORD_RULE_MESSAGES[rule] });
  const trimmed = password.trim();
  if (trimmed.length === 0) return problem('BLANK');
  if (length(trimmed) < PASSWORD_MIN_LENGTH) return problem('TOO_SHORT');
  const lower = trimmed.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return problem('COMMON');
  const name = username?.trim().toLowerCase() ?? '';
  // Containing the username is fine as long as the rest would be long enough on its own ("admin-demo-2022").
  if (name.length >= 3 && lower.includes(name) && length(lower.split(name).join('').trim()) < PASSWORD_MIN_LENGTH) {
    return problem('CONTAINS_USERNAME');
  }
  if (characterClasses(trimmed) < MIN_CLASSES || new Set(lower).size < MIN_DISTINCT_CHARACTERS) {
    return problem('TOO_SIMPLE');
  }
  return null;
}
