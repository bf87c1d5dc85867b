import type { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { positional, reachSql } from '../auth/access';

// The SQL of the hierarchy (districts → sub-districts), with its rows and the mappers to API objects.

type Db = DataSource | EntityManager;

export interface DistrictRow {
  id: number;
  name: string;
  code: string;
  subdistrict_count: number;
}

export interface DistrictView {
  id: number;
  name: string;
  /** The 6-digit administrative code (not `code`: that name is the error's in every answer). */
  adminCode: string;
  subdistrictCount: number;
}

export const toDistrictView = (r: DistrictRow): DistrictView => ({
  id: r.id,
  name: r.name,
  adminCode: r.code,
  subdistrictCount: r.subdistrict_count,
});

export interface SubdistrictRow {
  id: number;
  name: string;
  admin_code: string | null;
  district_id: number;
  district_name: string;
  canteen_count: number;
}

export interface SubdistrictView {
  id: number;
  name: string;
  adminCode: string | null;
  districtId: number;
  districtName: string;
  canteenCount: number;
}

export const toSubdistrictView = (r: SubdistrictRow): SubdistrictView => ({
  id: r.id,
  name: r.name,
  adminCode: r.admin_code,
  districtId: r.district_id,
  districtName: r.district_name,
  canteenCount: r.canteen_count,
});

const DISTRICT_SELECT = `SELECT d.id, d.name, d.code,
  (SELECT count(*)::int FROM subdistricts s WHERE s.district_id = d.id) AS subdistrict_count
  FROM districts d`;

const SUBDISTRICT_SELECT = `SELECT s.id, s.name, s.admin_code, s.district_id, d.name AS district_name,
  (SELECT count(*)::int FROM canteens c WHERE c.subdistrict_id = s.id) AS canteen_count
  FROM subdistricts s JOIN districts d ON d.id = s.district_id`;

/** The districts the caller reaches: all for an admin, the own one for everyone else. */
export async function listDistricts(db: Db, user: AuthUser): Promise<DistrictRow[]> {
  if (user.role === 'ADMIN') return db.query(`${DISTRICT_SELECT} ORDER BY d.code, d.id`);
  return db.query(`${DISTRICT_SELECT} WHERE d.id = $1`, [user.districtId]);
}

export async function findDistrict(db: Db, id: number): Promise<DistrictRow | undefined> {
  const [row]: DistrictRow[] = await db.query(`${DISTRICT_SELECT} WHERE d.id = $1`, [id]);
  return row;
}

export async function insertDistrict(db: Db, d: { name: string; code: string }): Promise<number> {
  const [row]: { id: number }[] = await db.query(`INSERT INTO districts (name, code) VALUES ($1, $2) RETURNING id`, [
    d.name,
    d.code,
  ]);
  return row.id;
}

export async function updateDistrict(db: Db, id: number, d: { name?: string; code?: string }): Promise<void> {
  await db.query(`UPDATE districts SET name = COALESCE($2, name), code = COALESCE($3, code) WHERE id = $1`, [
    id,
    d.name ?? null,
    d.code ?? null,
  ]);
}

/** The sub-districts within the caller's reach, optionally of one district. */
export async function listSubdistricts(db: Db, user: AuthUser, districtId?: number): Promise<SubdistrictRow[]> {
  const params: unknown[] = [];
  const where = [reachSql(user, { subdistrict: 's.id', district: 's.district_id' }, positional(params))];
  if (districtId !== undefined) where.push(`s.district_id = ${positional(params)(districtId)}::int`);
  return db.query(`${SUBDISTRICT_SELECT} WHERE ${where.join(' AND ')} ORDER BY d.code, s.id`, params);
}

export async function findSubdistrict(db: Db, id: number): Promise<SubdistrictRow | undefined> {
  const [row]: SubdistrictRow[] = await db.query(`${SUBDISTRICT_SELECT} WHERE s.id = $1`, [id]);
  return row;
}

export async function insertSubdistrict(
  db: Db,
  s: { name: string; districtId: number; adminCode?: string | null },
): Promise<number> {
  const [row]: { id: number }[] = await db.query(
    `INSERT INTO subdistricts (name, district_id, admin_code) VALUES ($1, $2, $3) RETURNING id`,
    [s.name, s.districtId, s.adminCode ?? null],
  );
  return row.id;
}

export async function updateSubdistrict(db: Db, id: number, s: { name?: string; adminCode?: string }): Promise<void> {
  await db.query(
    `UPDATE subdistricts SET name = COALESCE($2, name), admin_code = COALESCE($3, admin_code) WHERE id = $1`,
    [id, s.name ?? null, s.adminCode ?? null],
  );
}

/** The district of a sub-district (for reach checks), or undefined when there is no such sub-district. */
export async function districtOfSubdistrict(db: Db, subdistrictId: number): Promise<number | undefined> {
  const [row]: { district_id: number }[] = await db.query(`SELECT district_id FROM subdistricts WHERE id = $1`, [
    subdistrictId,
  ]);
  return row?.district_id;
}

/** The district of that name (or, failing that, code), created when there is none: the bootstrap's first district. */
export async function ensureDistrict(db: Db, name: string, code: string): Promise<number> {
  await db.query(`INSERT INTO districts (name, code) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [name, code]);
  const [row]: { id: number }[] = await db.query(
    `SELECT id FROM districts WHERE name = $1 OR code = $2 ORDER BY (name = $1) DESC, id LIMIT 1`,
    [name, code],
  );
  return row.id;
}
