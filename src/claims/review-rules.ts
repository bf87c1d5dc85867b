// SPEC §5 "edit checks before submitting": which findings a submission's notes acknowledge. Pure (no Nest, no SQL).
import type { CheckFinding } from './edit-checks';
import type { AcknowledgedFinding } from './claim.queries';

/** A note finance gives for a finding: a check code, and the canteen when the note is for one canteen's finding. */
export interface Acknowledgement {
  code: string;
  canteenId?: number;
  note: string;
}

export interface AcknowledgeResult {
  /** Every warning finding with its note. */
  acknowledged: AcknowledgedFinding[];
  /** Warning findings without a note. */
  missing: CheckFinding[];
  /** Notes that match no warning finding (a check that did not fire, a blocking one, another canteen). */
  unexpected: Acknowledgement[];
}

const matches = (a: Acknowledgement, f: CheckFinding): boolean =>
  a.code === f.code && (a.canteenId === undefined || a.canteenId === f.canteenId);

/**
 * Pairs warning findings with notes: a note with a canteen answers that canteen's finding, a note without one answers
 * the code's findings at every canteen (a canteen's own note wins). Notes are trimmed.
 */
export function acknowledge(findings: readonly CheckFinding[], acks: readonly Acknowledgement[]): AcknowledgeResult {
  const warnings = findings.filter((f) => f.severity === 'WARN');
  const acknowledged: AcknowledgedFinding[] = [];
  const missing: CheckFinding[] = [];
  for (const f of warnings) {
    const own = acks.find((a) => a.canteenId !== undefined && matches(a, f)) ?? acks.find((a) => matches(a, f));
    const note = own?.note.trim() ?? '';
    if (note === '') {
      missing.push(f);
      continue;
    }
    acknowledged.push({
      code: f.code,
      severity: f.severity,
      canteenId: f.canteenId ?? null,
      canteenName: f.canteenName ?? null,
      count: f.count,
      message: f.message,
      note,
    });
  }
  const unexpected = acks.filter((a) => !warnings.some((f) => matches(a, f)));
  return { acknowledged, missing, unexpected };
}
