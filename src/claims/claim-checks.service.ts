import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { DINER_STATUS_LABELS, DinerStatusValue } from '../common/enums';
import { monthBounds } from '../common/local-date';
import {
  backdatedMeals,
  cashierMealCounts,
  CheckExampleRow,
  explainedInactiveDinerMeals,
  inactiveDinerMeals,
  outsideHoursMeals,
  openOfflineConflicts,
  ScopeParams,
  subsidisedMealsPerDay,
} from './claim.queries';
import { ClaimsService, ClaimView } from './claims.service';
import {
  BACKDATED_AFTER_MS,
  CHECK_CODES,
  CHECK_MESSAGES,
  CHECK_SEVERITY,
  CheckCode,
  CheckFinding,
  MANUAL_ENTRY_MAX_SHARE,
  MAX_EXAMPLES,
  outlierDays,
  overShare,
  percent,
  sortFindings,
  VOID_MAX_SHARE,
} from './edit-checks';

/** A finding as GET /checks answers it: with finance's note when the claim was submitted with one for it. */
export interface NotedFinding extends CheckFinding {
  note?: string;
}

/** GET /api/claims/{id}/checks. */
export interface ClaimChecks {
  claimId: number;
  month: string;
  /** The checks that were run (all of edit-checks.ts CHECK_CODES). */
  checked: CheckCode[];
  findings: NotedFinding[];
}

type Db = DataSource | EntityManager;
type Check = (db: Db, params: ScopeParams) => Promise<CheckFinding[]>;

const finding = (
  code: CheckCode,
  canteenId: number,
  canteenName: string,
  count: number,
  examples: Record<string, unknown>[],
): CheckFinding => ({
  code,
  severity: CHECK_SEVERITY[code],
  canteenId,
  canteenName,
  count,
  message: CHECK_MESSAGES[code](count, canteenName),
  examples: examples.slice(0, MAX_EXAMPLES),
});

/** One finding per canteen from example rows that carry the canteen's total. */
function byCanteen(code: CheckCode, rows: CheckExampleRow[]): CheckFinding[] {
  const out = new Map<number, CheckFinding>();
  for (const r of rows) {
    const f = out.get(r.canteen_id) ?? finding(code, r.canteen_id, r.canteen_name, Number(r.total), []);
    f.examples.push(r.example);
    out.set(r.canteen_id, f);
  }
  return [...out.values()];
}

function groupBy<T, K>(rows: T[], key: (r: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return m;
}

/** SPEC §5 edit checks over a claim's scope and month, computed from the meals as they are now. */
@Injectable()
export class ClaimChecksService {
  private readonly checks: Record<CheckCode, Check>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly claims: ClaimsService,
  ) {
    this.checks = {
      DINER_INACTIVE_AT_MEAL: async (db, p) =>
        byCanteen('DINER_INACTIVE_AT_MEAL', await inactiveDinerMeals(db, p, MAX_EXAMPLES)).map((f) => ({
          ...f,
          examples: f.examples.map((e) => ({
            ...e,
            statusLabel: DINER_STATUS_LABELS[e.status as DinerStatusValue] ?? e.status,
          })),
        })),
      DINER_INACTIVE_EXPLAINED: async (db, p) =>
        byCanteen('DINER_INACTIVE_EXPLAINED', await explainedInactiveDinerMeals(db, p, MAX_EXAMPLES)).map((f) => ({
          ...f,
          examples: f.examples.map((e) => ({
            ...e,
            statusLabel: DINER_STATUS_LABELS[e.status as DinerStatusValue] ?? e.status,
          })),
        })),
      OUTSIDE_HOURS: async (db, p) => byCanteen('OUTSIDE_HOURS', await outsideHoursMeals(db, p, MAX_EXAMPLES)),
      BACKDATED: async (db, p) => byCanteen('BACKDATED', await backdatedMeals(db, p, BACKDATED_AFTER_MS, MAX_EXAMPLES)),
      MANUAL_ENTRY_SHARE: async (db, p) => this.cashierShares(db, p, 'MANUAL_ENTRY_SHARE'),
      VOID_SHARE: async (db, p) => this.cashierShares(db, p, 'VOID_SHARE'),
      DAILY_OUTLIER: async (db, p) => {
        const days = await subsidisedMealsPerDay(db, p);
        const findings: CheckFinding[] = [];
        for (const [canteenId, rows] of groupBy(days, (r) => r.canteen_id)) {
          const { median, days: high } = outlierDays(rows.map((r) => ({ date: r.meal_date, meals: Number(r.meals) })));
          if (high.length === 0) continue;
          const examples = [...high]
            .sort((a, b) => b.meals - a.meals || a.date.localeCompare(b.date))
            .map((d) => ({ date: d.date, meals: d.meals, median }));
          findings.push(finding('DAILY_OUTLIER', canteenId, rows[0].canteen_name, high.length, examples));
        }
        return findings;
      },
      OFFLINE_CONFLICT: async (db, p) => byCanteen('OFFLINE_CONFLICT', await openOfflineConflicts(db, p, MAX_EXAMPLES)),
    };
  }

  /** The findings now, each with the note finance gave for it when the claim was submitted (SPEC §5). */
  async forUser(user: AuthUser, claimId: number): Promise<ClaimChecks> {
    const claim = await this.claims.getForUser(user, claimId);
    const findings: NotedFinding[] = await this.forClaim(this.dataSource, claim);
    for (const f of findings) {
      const ack = claim.acknowledgements?.find((a) => a.code === f.code && a.canteenId === (f.canteenId ?? null));
      if (ack) f.note = ack.note;
    }
    return { claimId, month: claim.month, checked: [...CHECK_CODES], findings };
  }

  /** The findings of a claim's scope and month, read through `db` (a submission's transaction). */
  async forClaim(db: Db, claim: Pick<ClaimView, 'subdistrictId' | 'canteenId' | 'month'>): Promise<CheckFinding[]> {
    const { firstDay, lastDay } = monthBounds(claim.month);
    const params: ScopeParams = [claim.subdistrictId, claim.canteenId, firstDay, lastDay];
    const findings: CheckFinding[] = [];
    for (const code of CHECK_CODES) findings.push(...(await this.checks[code](db, params)));
    return sortFindings(findings);
  }

  /** Cashiers over a share of their meals: typed ID numbers, or voids. */
  private async cashierShares(
    db: Db,
    params: ScopeParams,
    code: 'MANUAL_ENTRY_SHARE' | 'VOID_SHARE',
  ): Promise<CheckFinding[]> {
    const rows = await cashierMealCounts(db, params);
    const findings: CheckFinding[] = [];
    for (const [canteenId, cashiers] of groupBy(rows, (r) => r.canteen_id)) {
      const over = cashiers
        .map((r) => {
          const [part, whole] =
            code === 'MANUAL_ENTRY_SHARE'
              ? [Number(r.manual), Number(r.by_id_number)]
              : [Number(r.voided), Number(r.meals)];
          return { r, part, whole };
        })
        .filter(({ part, whole }) =>
          overShare(part, whole, code === 'MANUAL_ENTRY_SHARE' ? MANUAL_ENTRY_MAX_SHARE : VOID_MAX_SHARE),
        )
        .sort((a, b) => b.part / b.whole - a.part / a.whole);
      if (over.length === 0) continue;
      const examples = over.map(({ r, part, whole }) => ({
        cashierId: r.cashier_id,
        cashier: r.cashier,
        meals: whole,
        [code === 'MANUAL_ENTRY_SHARE' ? 'manualEntries' : 'voided']: part,
        share: percent(part / whole),
      }));
      findings.push(finding(code, canteenId, cashiers[0].canteen_name, over.length, examples));
    }
    return findings;
  }
}
