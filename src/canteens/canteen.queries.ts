import type { DataSource, EntityManager } from 'typeorm';
import { reachSql } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { Canteen } from './canteen.entity';

// The SQL of canteens: lookups, the list within reach, the sub-district a new canteen joins. Rows are the entity
// (TypeORM maps its columns); services add the API view.

type Db = DataSource | EntityManager;
const managerOf = (db: Db): EntityManager => ('manager' in db ? db.manager : db);

/** UNIQUE (subdistrict_id, name), migration Foundation. */
export const CANTEEN_NAME_KEY = 'canteens_subdistrict_id_name_key';

export async function findCanteen(db: Db, id: number, opts: { lock?: boolean } = {}): Promise<Canteen | null> {
  return managerOf(db).findOne(Canteen, {
    where: { id },
    ...(opts.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
}

/** The canteens within the caller's reach, narrowed to a district and/or sub-district when asked. */
export async function listCanteens(
  db: Db,
  user: AuthUser,
  filter: { districtId?: number; subdistrictId?: number } = {},
): Promise<Canteen[]> {
  const params: Record<string, unknown> = {};
  const bind = (value: unknown): string => {
    const name = `p${Object.keys(params).length}`;
    params[name] = value;
    return `:${name}`;
  };
  const where = [reachSql(user, { subdistrict: 'c.subdistrict_id', canteen: 'c.id' }, bind)];
  if (filter.subdistrictId !== undefined) where.push(`c.subdistrict_id = ${bind(filter.subdistrictId)}`);
  if (filter.districtId !== undefined) {
    where.push(`c.subdistrict_id IN (SELECT id FROM subdistricts WHERE district_id = ${bind(filter.districtId)})`);
  }
  return managerOf(db)
    .getRepository(Canteen)
    .createQueryBuilder('c')
    .where(where.join(' AND '), params)
    .orderBy('c.id')
    .getMany();
}

/** The sub-district a new canteen joins: the one named, else the first (SPEC §6); undefined when there is none. */
export async function subdistrictForNewCanteen(db: Db, requested?: number): Promise<number | undefined> {
  const [sub]: { id: number }[] =
    requested === undefined
      ? await managerOf(db).query(`SELECT id FROM subdistricts ORDER BY id LIMIT 1`)
      : await managerOf(db).query(`SELECT id FROM subdistricts WHERE id = $1`, [requested]);
  return sub?.id;
}
