import { looksLikeIdNumber } from '../common/redact';

const LABELS = { phone: '联系电话', cardNo: '就餐卡号' } as const;

/**
 * SPEC §7: a phone or meal-card number holding an ID number would keep it in plain text (in the register, the
 * answers and the logs). Returns the first such field, or null.
 */
export function idShapedField(fields: {
  phone?: string | null;
  cardNo?: string | null;
}): { field: keyof typeof LABELS; message: string } | null {
  for (const field of ['phone', 'cardNo'] as const) {
    const value = fields[field];
    if (typeof value === 'string' && looksLikeIdNumber(value)) {
      return { field, message: `${LABELS[field]}看起来是身份证号码，请勿填在此处` };
    }
  }
  return null;
}
