// 人民币大写: an amount in fen written in Chinese capital numerals, as on a cheque or a claim form (中国人民银行
// 《支付结算办法》附一 正确填写票据和结算凭证的基本规定). Pure.

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const PLACES = ['', '拾', '佰', '仟'];

/** 1..9999 with 零 for zeros between digits (1001 → 壹仟零壹); no unit. */
function group(n: number): string {
  let out = '';
  let zero = false;
  for (let place = 3; place >= 0; place--) {
    const d = Math.floor(n / 10 ** place) % 10;
    if (d === 0) {
      zero = out !== '';
    } else {
      out += (zero ? '零' : '') + DIGITS[d] + PLACES[place];
      zero = false;
    }
  }
  return out;
}

/** A positive whole number of yuan: 万 and 亿 sections, one 零 wherever a gap of zeros falls inside. */
function whole(n: number): string {
  if (n >= 1e8) {
    const low = n % 1e8;
    return `${whole(Math.floor(n / 1e8))}亿${low === 0 ? '' : (low < 1e7 ? '零' : '') + whole(low)}`;
  }
  const high = Math.floor(n / 1e4);
  const low = n % 1e4;
  const head = high > 0 ? `${group(high)}万` : '';
  return head + (low === 0 ? '' : (high > 0 && low < 1000 ? '零' : '') + group(low));
}

/**
 * 1822650 → 壹万捌仟贰佰贰拾陆元伍角整. 整 follows 元 or 角; an amount ending in 分 has none. 零 stands for a 角 of 0
 * between 元 and 分 (壹元零伍分). 0 → 零元整.
 */
export function rmbCapital(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not an amount in fen: ${fen}`);
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const cents = fen % 10;
  const head = yuan > 0 ? `${whole(yuan)}元` : '';
  if (jiao === 0 && cents === 0) return `${head || '零元'}整`;
  let out = head;
  if (jiao > 0) out += `${DIGITS[jiao]}角`;
  else if (yuan > 0) out += '零';
  return out + (cents > 0 ? `${DIGITS[cents]}分` : '整');
}
