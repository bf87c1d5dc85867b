// The tier columns of the claim workbook, from the policy's tiers: pure, no Nest, no TypeORM.
import { PolicyTier, tierCode } from '../subsidy/subsidy-calculator';

/** One tier of a claim: a pair of columns (人次, 补贴金额) on every sheet that splits meals by tier. */
export interface TierColumn {
  /** The code meals store in `tier`, e.g. '70_79', '90_PLUS'. */
  code: string;
  minAge: number;
  maxAge: number | null;
  /** '70–79岁', '90岁以上'. */
  label: string;
}

/** '70_79' → 70–79; '80_PLUS' → 80 and over; null for anything else ('NONE'). Inverse of tierCode. */
export function tierBounds(code: string): { minAge: number; maxAge: number | null } | null {
  const m = /^(\d+)_(\d+|PLUS)$/.exec(code);
  return m ? { minAge: Number(m[1]), maxAge: m[2] === 'PLUS' ? null : Number(m[2]) } : null;
}

/** A tier's name from its bounds: '70–79岁', '80岁以上'. */
export function boundsLabel(minAge: number, maxAge: number | null): string {
  return maxAge === null ? `${minAge}岁以上` : `${minAge}–${maxAge}岁`;
}

/** A meal's tier as people read it: '70–79岁', '90岁以上', '无补贴'. */
export function tierLabel(code: string): string {
  if (code === 'NONE') return '无补贴';
  const b = tierBounds(code);
  return b ? boundsLabel(b.minAge, b.maxAge) : code;
}

/**
 * The claim's tier columns: every tier of the month's subsidised meals and of the policy versions in force during
 * the month, once each, by minimum age, then maximum age (an open-ended tier after a closed one of the same start).
 * So a third tier added to the policy gets its own columns, and every subsidised meal counts in exactly one pair.
 */
export function tierColumns(mealTiers: readonly string[], policies: readonly (readonly PolicyTier[])[]): TierColumn[] {
  const codes = new Set<string>(mealTiers.filter((c) => c !== 'NONE'));
  for (const tiers of policies) for (const t of tiers) codes.add(tierCode(t));
  const columns = [...codes].map((code): TierColumn => {
    const b = tierBounds(code);
    // A code that is not a pair of bounds (none is written today) still gets columns, after the others.
    return b
      ? { code, ...b, label: boundsLabel(b.minAge, b.maxAge) }
      : { code, minAge: Number.MAX_SAFE_INTEGER, maxAge: null, label: code };
  });
  const maxOf = (c: TierColumn): number => c.maxAge ?? Number.MAX_SAFE_INTEGER;
  return columns.sort((a, b) => a.minAge - b.minAge || maxOf(a) - maxOf(b) || (a.code < b.code ? -1 : 1));
}
