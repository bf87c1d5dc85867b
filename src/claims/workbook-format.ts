// Pure helpers of the claim workbook: sheet names, labels, the title. No Nest, no TypeORM.
import { createHash } from 'node:crypto';
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

/** Columns a text takes in a spreadsheet: 2 for a CJK or full-width character, 1 for others. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

/** A column width that fits the widest text (plus padding), within [min, max]; longer texts wrap. */
export function fitWidth(texts: readonly string[], min: number, max: number): number {
  return Math.min(max, Math.max(min, ...texts.map((t) => displayWidth(t) + 2)));
}

/** Text for an Excel page header or footer: `&` starts a code there, so a literal one is doubled. */
export const headerFooterText = (text: string): string => text.replace(/&/g, '&&');

/** What every sheet and printed page says of the claim (SPEC §5). */
export interface ClaimMeta {
  subdistrictName: string;
  month: string;
  version: number;
  monthLocked: boolean;
  monthEnded: boolean;
}

/** 第2版 · 本月已锁定 (· 月份未结束：仅供预览，不能提交). */
export function claimStatusLine(meta: Pick<ClaimMeta, 'version' | 'monthLocked' | 'monthEnded'>): string {
  const parts = [`第${meta.version}版`, meta.monthLocked ? '本月已锁定' : '本月未锁定'];
  if (!meta.monthEnded) parts.push('月份未结束：仅供预览，不能提交');
  return parts.join(' · ');
}

/**
 * The printed page's header and footer: sub-district, month and sheet left and centre, the version (and preview)
 * right; the lock state, `第 N 页 共 M 页` and the time of generation below.
 */
export function pageHeaderFooter(meta: ClaimMeta, sheetTitle: string, generatedAt: string): Partial<ExcelHeaderFooter> {
  const h = headerFooterText;
  const right = `第${meta.version}版${meta.monthEnded ? '' : '（预览）'}`;
  return {
    oddHeader: `&L${h(meta.subdistrictName)} ${h(monthLabel(meta.month))}&C${h(sheetTitle)}&R${right}`,
    oddFooter: `&L${meta.monthLocked ? '本月已锁定' : '本月未锁定'}&C第 &P 页 共 &N 页&R生成于 ${h(generatedAt)}`,
  };
}

interface ExcelHeaderFooter {
  oddHeader: string;
  oddFooter: string;
}

/** The subsidy rule in plain words (SPEC §3), for the summary. */
export const POLICY_IN_WORDS =
  '每餐补贴按老人就餐当日的周岁年龄所在档次计算；餐价低于档次标准的，按餐价补贴（老人不再付款）。' +
  '作废的就餐记录不计补贴，只计入作废笔数。';

/** Why the total's distinct diners can be fewer than the canteens' diners added up. */
export function dinersNote(total: number, sumOfCanteens: number): string {
  return sumOfCanteens === total
    ? `就餐老人数为本月享受补贴的不同老人人数，合计 ${total} 人。`
    : `就餐老人数合计 ${total} 人为去重人数：在多个食堂就餐的老人只计一次，所以少于各食堂人数之和（${sumOfCanteens} 人）。`;
}

// Bumped whenever the workbook's layout changes, so that asking again makes a new version in the new layout.
export const WORKBOOK_LAYOUT = 2;

/**
 * SHA-256 of what a claim's workbook is made of (the scope, the data's fingerprint, whether the month has ended):
 * printed on the summary, and the same value asked again answers the existing version.
 */
export function claimDataSha256(
  scope: { subdistrictId: number; canteenId: number | null; month: string },
  fingerprint: Record<string, unknown>,
  monthEnded: boolean,
): string {
  const text = JSON.stringify([
    WORKBOOK_LAYOUT,
    scope.subdistrictId,
    scope.canteenId,
    scope.month,
    monthEnded,
    fingerprint,
  ]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
