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

const CONFLICT_REASONS: Record<string, string> = {
  ALREADY_SUBSIDISED: '今日已在他处享受补贴',
  NOT_REGISTERED: '未登记',
  NOT_ELIGIBLE: '不符合补贴条件',
  UNDER_AGE: '未满补贴年龄',
  NO_POLICY: '无适用政策',
};

/** Why the server's subsidy of an offline meal is lower than the till's provisional one (SPEC §4 "Offline"). */
export function conflictReasonLabel(reason: string): string {
  // A tier reason: the server subsidised, but less (a newer policy than the till's cached one).
  return reason.startsWith('TIER_')
    ? `按 ${tierLabel(reason.slice(5))} 标准核定`
    : (CONFLICT_REASONS[reason] ?? reasonLabel(reason));
}
