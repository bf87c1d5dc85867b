// Pure helpers of the claim workbook: sheet names, labels, the title. No Nest, no TypeORM.
import { monthLabel } from '../common/local-date';
import { formatYuanWithSign } from '../common/money';
import type { PolicyTier } from '../subsidy/subsidy-calculator';
import { boundsLabel } from './tier-columns';

/** Excel's hard limits on a sheet name. */
export const SHEET_NAME_MAX = 31;
const FORBIDDEN_IN_SHEET_NAME = /[\\/?*[\]:]/g;

/**
 * A valid, unique sheet name: forbidden characters replaced, at most 31 characters, and a ` (2)` … suffix
 * when the name (after truncation) is taken. Adds the result to `taken`.
 */
export function uniqueSheetName(wanted: string, taken: Set<string>): string {
  const clean =
    wanted
      .replace(FORBIDDEN_IN_SHEET_NAME, '_')
      .replace(/^'+|'+$/g, '')
      .trim() || '工作表';
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `(${n})`;
    const name = clean.slice(0, SHEET_NAME_MAX - suffix.length) + suffix;
    // Excel compares sheet names case-insensitively.
    if (![...taken].some((t) => t.toLowerCase() === name.toLowerCase())) {
      taken.add(name);
      return name;
    }
  }
}

/** The n-th sheet (1-based) of a series that overflowed Excel's row limit: 明细-X, 明细-X（续2）, … */
export function continuationName(base: string, part: number): string {
  return part === 1 ? base : `${base}（续${part}）`;
}

/** SPEC §5: `{sub-district}幸福食堂老年人就餐补贴申报表（{YYYY}年{M}月）`. */
export function summaryTitle(subdistrictName: string, month: string): string {
  return `${subdistrictName}幸福食堂老年人就餐补贴申报表（${monthLabel(month)}）`;
}

/** '70–79岁每餐¥2.00；80岁以上每餐¥4.00' */
export function describeTiers(tiers: PolicyTier[]): string {
  return [...tiers]
    .sort((a, b) => a.minAge - b.minAge)
    .map((t) => `${boundsLabel(t.minAge, t.maxAge)}每餐${formatYuanWithSign(t.amountFen)}`)
    .join('；');
}
