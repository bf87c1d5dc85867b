// The subsidy policy's SQL: effective-dated versions (immutable once in force, by trigger — migration SubsidyPolicy),
// their row shape and the mapper to the calculator's type. The service, the demo seed and tests read and write
// versions through these functions.
import { DataSource, EntityManager } from 'typeorm';
import { LimitMode, PolicyTier, PolicyVersion } from '../subsidy/subsidy-calculator';

type Db = DataSource | EntityManager;

export interface PolicyVersionRow {
  id: number;
  effective_from: string;
  limit_mode: LimitMode;
  tiers: PolicyTier[];
  note: string | null;
  created_by: number | null;
  created_at: Date;
}

const COLUMNS = `id, effective_from::text AS effective_from, limit_mode, tiers, note, created_by, created_at`;

export const toPolicyVersion = (r: PolicyVersionRow): PolicyVersion => ({
  id: r.id,
  effectiveFrom: r.effective_from,
  tiers: r.tiers.map((t) => ({ minAge: t.minAge, maxAge: t.maxAge, amountFen: t.amountFen })),
  limitMode: r.limit_mode,
});

/** Every version in effective order. */
export function selectPolicyVersions(db: Db): Promise<PolicyVersionRow[]> {
  return db.query(`SELECT ${COLUMNS} FROM subsidy_policy_versions ORDER BY effective_from, id`);
}

/** One version, row-locked until the transaction ends (the delete path), or undefined. */
export async function lockPolicyVersion(m: EntityManager, id: number): Promise<PolicyVersionRow | undefined> {
  const [row]: PolicyVersionRow[] = await m.query(
    `SELECT ${COLUMNS} FROM subsidy_policy_versions WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return row;
}

export interface NewPolicyVersionRow {
  effectiveFrom: string;
  tiers: PolicyTier[];
  limitMode?: LimitMode;
  note?: string | null;
  createdBy?: number | null;
}

/** Inserts a version and answers its id. The unique key `subsidy_policy_versions_effective_from_key` holds one per day. */
export async function insertPolicyVersion(db: Db, v: NewPolicyVersionRow): Promise<number> {
  const [row]: { id: number }[] = await db.query(
    `INSERT INTO subsidy_policy_versions (effective_from, limit_mode, tiers, note, created_by)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [v.effectiveFrom, v.limitMode ?? 'PER_DAY', JSON.stringify(v.tiers), v.note ?? null, v.createdBy ?? null],
  );
  return row.id;
}

export async function deletePolicyVersion(m: EntityManager, id: number): Promise<void> {
  await m.query(`DELETE FROM subsidy_policy_versions WHERE id = $1`, [id]);
}

/** Whether any meal (voided ones too) was computed with this version. */
export async function isPolicyVersionUsed(db: Db, id: number): Promise<boolean> {
  const [used]: unknown[] = await db.query(`SELECT 1 FROM meals WHERE policy_version_id = $1 LIMIT 1`, [id]);
  return used !== undefined;
}
