import { rmbCapital } from './rmb-capital';

const DIGITS = '零壹贰叁肆伍陆柒捌玖';

/** Reads capital numerals back into fen: an independent reading, to check every amount it is given. */
function parse(text: string): number {
  const body = text.replace(/整$/, '');
  const [intPart, decPart] = body.includes('元') ? body.split('元') : ['', body];
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const ch of intPart) {
    const d = DIGITS.indexOf(ch);
    if (d >= 0) digit = d;
    else if (ch === '拾' || ch === '佰' || ch === '仟') {
      section += digit * { 拾: 10, 佰: 100, 仟: 1000 }[ch];
      digit = 0;
    } else if (ch === '万') {
      section = (section + digit) * 1e4;
      digit = 0;
    } else if (ch === '亿') {
      total = (total + section + digit) * 1e8;
      section = 0;
      digit = 0;
    } else throw new Error(`unexpected ${ch} in ${text}`);
  }
  const yuan = total + section + digit;
  const jiao = /(.)角/.exec(decPart ?? '');
  const fen = /(.)分/.exec(decPart ?? '');
  return yuan * 100 + (jiao ? DIGITS.indexOf(jiao[1]) * 10 : 0) + (fen ? DIGITS.indexOf(fen[1]) : 0);
}

describe(rmbCapital.name, () => {
  it.each([
    [0, '零元整'],
    [1, '壹分'],
    [10, '壹角整'],
    [11, '壹角壹分'],
    [50, '伍角整'],
    [100, '壹元整'],
    [101, '壹元零壹分'],
    [110, '壹元壹角整'],
    [155, '壹元伍角伍分'],
    [1000, '壹拾元整'],
    [1050, '壹拾元伍角整'],
    [1005, '壹拾元零伍分'],
    [10100, '壹佰零壹元整'],
    [100100, '壹仟零壹元整'],
    [110000, '壹仟壹佰元整'],
    [1822650, '壹万捌仟贰佰贰拾陆元伍角整'],
    [1000500, '壹万零伍元整'],
    [1001000, '壹万零壹拾元整'],
    [1100000, '壹万壹仟元整'],
    [10000000, '壹拾万元整'],
    [10000500, '壹拾万零伍元整'],
    [100000000, '壹佰万元整'],
    [1000000000, '壹仟万元整'],
    [10000000000, '壹亿元整'],
    [10000000100, '壹亿零壹元整'],
    [10000100000, '壹亿零壹仟元整'],
    [10001000000, '壹亿零壹万元整'],
    [11000000000, '壹亿壹仟万元整'],
    [123456789012, '壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分'],
    [100000000000000, '壹万亿元整'],
    [1234567890123456, '壹拾贰万叁仟肆佰伍拾陆亿柒仟捌佰玖拾万壹仟贰佰叁拾肆元伍角陆分'],
    [1234567800000123, '壹拾贰万叁仟肆佰伍拾陆亿柒仟捌佰万零壹元贰角叁分'],
  ])('writes %i fen as %s', (fen, text) => {
    expect(rmbCapital(fen)).toBe(text);
  });

  it('reads back to the same amount, for every amount up to ¥1,000 and a spread of large ones', () => {
    for (let fen = 0; fen <= 100_000; fen++) expect(parse(rmbCapital(fen))).toBe(fen);
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const fen = (next() * 2 ** 21 + next()) % Number.MAX_SAFE_INTEGER;
      expect(parse(rmbCapital(fen))).toBe(fen);
    }
  });

  it('never writes two 零 together, nor 零 before a unit or at the start (but for 零元整)', () => {
    for (let fen = 1; fen <= 20_000_000; fen += 997) {
      const text = rmbCapital(fen);
      expect(text).not.toMatch(/零零|零[元万亿拾佰仟角分整]|^零/);
    }
  });

  it('refuses negative, fractional and unsafe amounts', () => {
    expect(() => rmbCapital(-1)).toThrow(RangeError);
    expect(() => rmbCapital(1.5)).toThrow(RangeError);
    expect(() => rmbCapital(2 ** 53)).toThrow(RangeError);
  });
});
