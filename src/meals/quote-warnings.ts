// The warnings a quote shows the cashier before recording (SPEC §3): why this meal is at full price.
import { DINER_STATUS_LABELS, MEAL_PERIOD_LABELS, MealPeriod } from '../common/enums';
import { LocalDate, localTimeOf } from '../common/local-date';
import { formatYuan } from '../common/money';
import { DinerStatus, LimitMode, SubsidyResult } from '../subsidy/subsidy-calculator';
import { subsidySlot } from './subsidy-slot';

export interface QuoteWarning {
  code: 'UNDER_AGE' | 'NOT_ELIGIBLE' | 'ALREADY_SUBSIDISED' | 'NO_POLICY' | 'OUTSIDE_HOURS';
  message: string;
  status?: DinerStatus;
  statusEffectiveFrom?: LocalDate | null;
  canteenName?: string;
  servedAt?: string;
}

export interface QuoteWarningInput {
  result: Pick<SubsidyResult, 'age' | 'tier' | 'reason' | 'payableFen'>;
  diner: { status: DinerStatus; statusEffectiveFrom: LocalDate | null };
  policy: { limitMode: LimitMode } | null;
  period: MealPeriod;
  /** The diner's subsidised meal that already used this slot today, if any. */
  subsidised: { at: Date; canteenName: string | null } | null;
}

// Asia/Shanghai is UTC+08:00 all year.

export function quoteWarnings({ result, diner, policy, period, subsidised }: QuoteWarningInput): QuoteWarning[] {
  const out: QuoteWarning[] = [];
  if (policy === null) out.push({ code: 'NO_POLICY', message: '该日期没有适用的补贴政策，按原价收费' });
  if (diner.status !== 'ACTIVE' && result.reason === 'NOT_ELIGIBLE') {
    out.push({
      code: 'NOT_ELIGIBLE',
      status: diner.status,
      statusEffectiveFrom: diner.statusEffectiveFrom,
      message: `该老人状态为“${DINER_STATUS_LABELS[diner.status]}”${
        diner.statusEffectiveFrom ? `（${diner.statusEffectiveFrom} 起）` : ''
      }，不享受补贴，按原价收费`,
    });
  }
  if (result.tier === 'NONE' && policy !== null) {
    out.push({ code: 'UNDER_AGE', message: `该老人 ${result.age} 周岁，未满补贴年龄，按原价收费` });
  }
  if (subsidised !== null) {
    const slot = subsidySlot(policy, period);
    out.push({
      code: 'ALREADY_SUBSIDISED',
      canteenName: subsidised.canteenName ?? '',
      servedAt: subsidised.at.toISOString(),
      message: `该老人今天${slot === 'DAY' ? '' : MEAL_PERIOD_LABELS[slot]}已于 ${localTimeOf(subsidised.at)} 在${
        subsidised.canteenName ?? '其他食堂'
      }享受过补贴，本餐按原价 ${formatYuan(result.payableFen)} 元收费`,
    });
  }
  return out;
}
