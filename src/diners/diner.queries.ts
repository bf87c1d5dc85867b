import type { DataSource, EntityManager } from 'typeorm';
import { Bind, positional, reachSql } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { DinerStatusValue } from '../common/enums';
import type { LocalDate } from '../common/local-date';
import { PiiCipher } from '../common/pii-cipher';
import { maskIdNumber } from '../subsidy/id-number';
import { Diner } from './diner.entity';

// The one place that writes `INSERT INTO diners`: the register, the import, demo data, test factories and benchmarks
// all store a diner through insertDiners, so how an ID number is kept (encrypted, keyed hash, masked) is said once.

export interface NewDiner {
  subdistrictId: number;
  name: string;
  /** The normalised 18-character ID number; stored only encrypted, hashed and masked. */
  idNumber: string;
  birthDate: LocalDate;
  sex: 'M' | 'F';
  phone?: string | null;
  community?: string | null;
  cardNo?: string | null;
  status?: DinerStatusValue;
  statusEffectiveFrom?: LocalDate | null;
  statusNote?: string | null;
  registeredCanteenId?: number | null;
  registeredBy?: number | null;
}

const COLUMNS: [string, string, (d: NewDiner, c: PiiCipher) => unknown][] = [
  ['subdistrict_id', 'int', (d) => d.subdistrictId],
  ['name', 'text', (d) => d.name],
  ['id_number_enc', 'bytea', (d, c) => c.encrypt(d.idNumber)],
  ['id_number_hmac', 'bytea', (d, c) => c.hmac(d.idNumber)],
  ['id_number_masked', 'text', (d) => maskIdNumber(d.idNumber)],
  ['birth_date', 'date', (d) => d.birthDate],
  ['sex', 'char', (d) => d.sex],
  ['phone', 'text', (d) => d.phone ?? null],
  ['community', 'text', (d) => d.community ?? null],
  ['card_no', 'text', (d) => d.cardNo ?? null],
  ['status', 'text', (d) => d.status ?? 'ACTIVE'],
  ['status_effective_from', 'date', (d) => d.statusEffectiveFrom ?? null],
  ['status_note', 'text', (d) => d.statusNote ?? null],
  ['registered_canteen_id', 'int', (d) => d.registeredCanteenId ?? null],
  ['registered_by', 'int', (d) => d.registeredBy ?? null],
];

const INSERT = (skipConflicts: boolean): string =>
  `INSERT INTO diners (${COLUMNS.map(([name]) => name).join(', ')})
   SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
   ${skipConflicts ? 'ON CONFLICT DO NOTHING' : ''} RETURNING id`;

/**
 * Stores diners in one statement (a column of values per parameter, however many rows). `skipConflicts`: a diner
 * already registered (same keyed hash) or a taken card number is left out instead of failing the statement; the
 * answer then lists only the ids inserted. Pass a transaction's manager to commit with it.
 */
export async function insertDiners(
  q: DataSource | EntityManager,
  cipher: PiiCipher,
  diners: readonly NewDiner[],
  opts: { skipConflicts?: boolean } = {},
): Promise<number[]> {
  if (diners.length === 0) return [];
  const params = COLUMNS.map(([, , value]) => diners.map((d) => value(d, cipher)));
  const rows: { id: number }[] = await q.query(INSERT(opts.skipConflicts ?? false), params);
  return rows.map((r) => r.id);
}

/** A current row of the register (a duplicate merged into another is kept but never found). */
export const CURRENT_DINER = 'merged_into_id IS NULL';

/**
 * The WHERE condition that keeps diners (alias `d`) to the caller's register (SPEC §3, issue 17): the diners whose
 * home sub-district is within reach, and those who have eaten at a canteen within reach (cashiers and operators:
 * their canteens; finance: its sub-district's; reviewers: their district's; admins: all).
 */
export function dinerReachSql(user: AuthUser, bind: Bind): string {
  if (user.role === 'ADMIN') return 'TRUE';
  const home = reachSql(user, { subdistrict: 'd.subdistrict_id' }, bind);
  const ate = reachSql(user, { subdistrict: 'm.subdistrict_id', canteen: 'm.canteen_id' }, bind);
  return `(${home} OR EXISTS (SELECT 1 FROM meals m WHERE m.diner_id = d.id AND ${ate}))`;
}

/** Whether the diner is in the caller's register (see dinerReachSql). */
export async function dinerInReach(q: DataSource | EntityManager, user: AuthUser, dinerId: number): Promise<boolean> {
  const params: unknown[] = [dinerId];
  const [row]: { ok: boolean }[] = await q.query(
    `SELECT ${dinerReachSql(user, positional(params))} AS ok FROM diners d WHERE d.id = $1`,
    params,
  );
  return row?.ok ?? false;
}

/** The current diner with this keyed hash of an ID number, anywhere in the city. */
export async function findDinerIdByHmac(q: DataSource | EntityManager, hmac: Buffer): Promise<number | undefined> {
  const [row]: { id: number }[] = await q.query(
    `SELECT id FROM diners WHERE id_number_hmac = $1 AND ${CURRENT_DINER}`,
    [hmac],
  );
  return row?.id;
}

/** The current diner holding this meal-card number, anywhere in the city. */
export async function findDinerIdByCardNo(q: DataSource | EntityManager, cardNo: string): Promise<number | undefined> {
  const [row]: { id: number }[] = await q.query(`SELECT id FROM diners WHERE card_no = $1 AND ${CURRENT_DINER}`, [
    cardNo,
  ]);
  return row?.id;
}

/** Serialises imports into the register (a transaction-scoped advisory lock; one register for the city). */
export async function lockRegisterForImport(m: EntityManager): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(71502002, 0)`);
}

/** Of these keyed hashes, those a current diner of the city already has. */
export async function knownIdNumberHmacs(q: DataSource | EntityManager, hmacs: Buffer[]): Promise<Buffer[]> {
  if (hmacs.length === 0) return [];
  const rows: { hmac: Buffer }[] = await q.query(
    `SELECT id_number_hmac AS hmac FROM diners WHERE id_number_hmac = ANY($1::bytea[]) AND ${CURRENT_DINER}`,
    [hmacs],
  );
  return rows.map((r) => r.hmac);
}

/** Of these meal-card numbers, those a current diner of the city already holds. */
export async function takenCardNos(q: DataSource | EntityManager, cards: string[]): Promise<string[]> {
  if (cards.length === 0) return [];
  const rows: { card_no: string }[] = await q.query(
    `SELECT card_no FROM diners WHERE card_no = ANY($1::text[]) AND ${CURRENT_DINER}`,
    [cards],
  );
  return rows.map((r) => r.card_no);
}

/** The sealed ID number of one diner (for the audited reveal). */
export async function readIdNumberEnc(q: DataSource | EntityManager, dinerId: number): Promise<Buffer | undefined> {
  const [row]: { id_number_enc: Buffer }[] = await q.query(`SELECT id_number_enc FROM diners WHERE id = $1`, [dinerId]);
  return row?.id_number_enc;
}

/** A batch of sealed ID numbers by id, for re-encryption under a new key. */
export async function idNumberBatch(
  q: DataSource | EntityManager,
  afterId: number,
  limit: number,
): Promise<{ id: number; id_number_enc: Buffer }[]> {
  return q.query(`SELECT id, id_number_enc FROM diners WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
}

/** Replaces a sealed ID number if it is still the one read (answers whether it was). */
export async function resealIdNumber(
  m: EntityManager,
  dinerId: number,
  before: Buffer,
  after: Buffer,
): Promise<boolean> {
  const [, count]: [unknown, number] = await m.query(
    `UPDATE diners SET id_number_enc = $1 WHERE id = $2 AND id_number_enc = $3`,
    [after, dinerId, before],
  );
  return count > 0;
}

/** The caller's register (dinerReachSql) narrowed as asked: one page of current diners, and how many match. */
export async function searchRegister(
  q: DataSource | EntityManager,
  user: AuthUser,
  filter: { subdistrictId?: number; districtId?: number; cardNo?: string; nameLike?: string },
  page: { offset: number; limit: number },
): Promise<[Diner[], number]> {
  const params: Record<string, unknown> = {};
  const bind = (value: unknown): string => {
    const name = `reach${Object.keys(params).length}`;
    params[name] = value;
    return `:${name}`;
  };
  const qb = ('manager' in q ? q.manager : q)
    .getRepository(Diner)
    .createQueryBuilder('d')
    .where(`d.${CURRENT_DINER}`)
    .andWhere(dinerReachSql(user, bind), params)
    .skip(page.offset)
    .take(page.limit);
  if (filter.subdistrictId !== undefined) qb.andWhere('d.subdistrictId = :s', { s: filter.subdistrictId });
  if (filter.districtId !== undefined) {
    qb.andWhere('d.subdistrict_id IN (SELECT id FROM subdistricts WHERE district_id = :district)', {
      district: filter.districtId,
    });
  }
  if (filter.cardNo !== undefined) qb.andWhere('d.cardNo = :card', { card: filter.cardNo });
  if (filter.nameLike !== undefined) {
    const like = `%${filter.nameLike.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    qb.andWhere('d.name LIKE :like', { like }).orderBy('d.name').addOrderBy('d.id');
  } else {
    qb.orderBy('d.id', 'DESC');
  }
  return qb.getManyAndCount();
}

/** What the paged register and its export are narrowed by (within the caller's reach). */
export interface RegisterFilter {
  /** Part of the name or community, the last 4 of the ID number (4 characters), or a card number (exact). */
  q?: string;
  subdistrictId?: number;
  districtId?: number;
  status?: DinerStatusValue;
}

const LAST4 = /^[0-9]{3}[0-9X]$/;

/** The WHERE of the paged register and its export, with its parameters bound through `bind`. */
function registerWhere(user: AuthUser, filter: RegisterFilter, bind: Bind): string {
  const where = [`d.${CURRENT_DINER}`, dinerReachSql(user, bind)];
  if (filter.subdistrictId !== undefined) where.push(`d.subdistrict_id = ${bind(filter.subdistrictId)}::int`);
  if (filter.districtId !== undefined) {
    where.push(`d.subdistrict_id IN (SELECT id FROM subdistricts WHERE district_id = ${bind(filter.districtId)}::int)`);
  }
  if (filter.status !== undefined) where.push(`d.status = ${bind(filter.status)}`);
  const q = filter.q?.trim();
  if (q) {
    const like = bind(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const either = [`d.name LIKE ${like}`, `d.community LIKE ${like}`, `d.card_no = ${bind(q)}`];
    // The last four of the ID number, as the masked column keeps them (indexed: diners_id_last4_idx).
    if (LAST4.test(q.toUpperCase())) either.push(`right(d.id_number_masked, 4) = ${bind(q.toUpperCase())}`);
    where.push(`(${either.join(' OR ')})`);
  }
  return where.join(' AND ');
}

export interface RegisterRow {
  id: number;
  subdistrict_id: number;
  subdistrict_name: string;
  name: string;
  id_number_masked: string;
  birth_date: string;
  sex: 'M' | 'F';
  phone: string | null;
  community: string | null;
  card_no: string | null;
  status: DinerStatusValue;
  status_effective_from: string | null;
  status_note: string | null;
  registered_canteen_id: number | null;
  created_at: Date;
}

const REGISTER_COLUMNS = `d.id, d.subdistrict_id, s.name AS subdistrict_name, d.name, d.id_number_masked,
  d.birth_date::text AS birth_date, d.sex, d.phone, d.community, d.card_no, d.status,
  d.status_effective_from::text AS status_effective_from, d.status_note, d.registered_canteen_id, d.created_at`;

/** One page of the caller's register (by name, then id) and how many diners match in all. */
export async function pageRegister(
  q: DataSource | EntityManager,
  user: AuthUser,
  filter: RegisterFilter,
  page: { page: number; pageSize: number },
): Promise<{ rows: RegisterRow[]; total: number }> {
  const params: unknown[] = [];
  const where = registerWhere(user, filter, positional(params));
  const [{ total }]: { total: number }[] = await q.query(
    `SELECT count(*)::int AS total FROM diners d WHERE ${where}`,
    params,
  );
  const rows: RegisterRow[] = await q.query(
    `SELECT ${REGISTER_COLUMNS} FROM diners d JOIN subdistricts s ON s.id = d.subdistrict_id
      WHERE ${where} ORDER BY d.name, d.id LIMIT ${positional(params)(page.pageSize)}::int
      OFFSET ${positional(params)((page.page - 1) * page.pageSize)}::int`,
    params,
  );
  return { rows, total };
}

/** The caller's register in id order, a batch at a time after `afterId` (for the streamed export). */
export async function registerBatch(
  q: DataSource | EntityManager,
  user: AuthUser,
  filter: RegisterFilter,
  afterId: number,
  limit: number,
): Promise<RegisterRow[]> {
  const params: unknown[] = [];
  const bind = positional(params);
  const where = registerWhere(user, filter, bind);
  return q.query(
    `SELECT ${REGISTER_COLUMNS} FROM diners d JOIN subdistricts s ON s.id = d.subdistrict_id
      WHERE ${where} AND d.id > ${bind(afterId)}::int ORDER BY d.id LIMIT ${bind(limit)}::int`,
    params,
  );
}
