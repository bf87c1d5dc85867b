// Labels of the till's codes. Periods, verifications and statuses come from the server's enums
// (src/common/enums.ts); tiers are policy data, so their labels are read from their codes ('70_79', '80_PLUS').
export { MEAL_PERIOD_LABELS, VERIFICATION_LABELS, DINER_STATUS_LABELS } from '@server/common/enums';

export function tierLabel(tier: string): string {
  if (tier === 'NONE') return '无补贴';
  const plus = /^(\d+)_PLUS$/.exec(tier);
  if (plus) return `${plus[1]} 岁以上`;
  const range = /^(\d+)_(\d+)$/.exec(tier);
  return range ? `${range[1]}–${range[2]} 岁` : tier;
}

const REASONS: Record<string, string> = {
  UNDER_AGE: '未满补贴年龄',
  NOT_ELIGIBLE: '不符合补贴条件',
  ALREADY_SUBSIDISED: '今日已享受补贴',
  NO_POLICY: '无适用政策',
};

export function reasonLabel(reason: string): string {
  return reason.startsWith('TIER_') ? `享受补贴 ${tierLabel(reason.slice(5))}` : (REASONS[reason] ?? reason);
}
