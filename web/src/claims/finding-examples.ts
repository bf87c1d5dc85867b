// A finding's examples (GET /api/claims/{id}/checks, at most 5) as lines a finance officer or reviewer reads: which
// meal, diner, cashier or day the check points at — and, for a meal an operator explained, the explanation. ID
// numbers arrive masked only. A key this file does not know is left out of the line, never shown as raw JSON.
import { MEAL_PERIOD_LABELS, type MealPeriod } from '@server/common/enums';
import { yuan } from '../composables/format';

type Example = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const period = (v: unknown): string => MEAL_PERIOD_LABELS[v as MealPeriod] ?? text(v);
const money = (v: unknown): string => (typeof v === 'number' ? yuan(v) : '');

/** One line per example; an empty list when the examples carry nothing known. */
export function exampleLines(code: string, examples: readonly Example[]): string[] {
  return examples.map((e) => exampleLine(code, e)).filter((l) => l !== '');
}

function exampleLine(code: string, e: Example): string {
  const meal = [text(e.mealDate), period(e.mealPeriod)].filter(Boolean).join(' ');
  const diner = e.dinerName ? `${text(e.dinerName)}（${text(e.maskedIdNumber)}）` : text(e.maskedIdNumber);
  switch (code) {
    case 'DINER_INACTIVE_AT_MEAL':
    case 'DINER_INACTIVE_EXPLAINED': {
      const status = `${text(e.statusLabel) || text(e.status)}，自 ${text(e.statusEffectiveFrom)} 起`;
      const line = `${meal} ${diner}，补贴 ${money(e.subsidyFen)}；${status}`;
      return e.note ? `${line}。站点说明（${text(e.explainedBy)}，${text(e.explainedAt)}）：${text(e.note)}` : line;
    }
    case 'OUTSIDE_HOURS':
      return `${meal}，${text(e.servedAt)} 就餐，收银员 ${text(e.cashier)}`;
    case 'BACKDATED':
      return `${meal}，${text(e.servedAt)} 就餐，${text(e.recordedAt)} 录入，收银员 ${text(e.cashier)}`;
    case 'MANUAL_ENTRY_SHARE':
      return `${text(e.cashier)}：${text(e.meals)} 餐中手工输入 ${text(e.manualEntries)} 次（${text(e.share)}）`;
    case 'VOID_SHARE':
      return `${text(e.cashier)}：${text(e.meals)} 餐中作废 ${text(e.voided)} 笔（${text(e.share)}）`;
    case 'DAILY_OUTLIER':
      return `${text(e.date)}：补贴 ${text(e.meals)} 人次，本月日中位数 ${text(e.median)}`;
    case 'OFFLINE_CONFLICT':
      return `${meal} ${diner}，少收 ${money(e.underCollectedFen)}`;
    default:
      return '';
  }
}
