import type { DataSource, EntityManager } from 'typeorm';
import { DinerStatusValue } from '../common/enums';
import type { LocalDate } from '../common/local-date';
import { PiiCipher } from '../common/pii-cipher';
import { maskIdNumber } from '../subsidy/id-number';

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
