// SPEC §2 site scope, the one place it is decided: cashiers and operators reach only their canteens, finance its
// sub-district, reviewers their district (read-only: their routes only read), admins everything. Pure predicates for
// a row in hand, one SQL fragment for list queries; loading a canteen and checking it is CanteensService.getReachable.
import { forbidden, notFound } from '../common/app-error';
import { AuthUser } from './auth-user';

export interface CanteenRef {
  id: number;
  subdistrictId: number;
  /** The district of the canteen's sub-district; without it a reviewer is refused (fail closed). */
  districtId?: number;
}

/** Whether the caller reaches this canteen (its meals, prices, cashiers, claims). */
export function canReachCanteen(user: AuthUser, canteen: CanteenRef): boolean {
  switch (user.role) {
    case 'ADMIN':
      return true;
    case 'REVIEWER':
      return canteen.districtId !== undefined && canteen.districtId === user.districtId;
    case 'FINANCE':
      return canteen.subdistrictId === user.subdistrictId;
    case 'OPERATOR':
    case 'CASHIER':
      return canteen.subdistrictId === user.subdistrictId && user.canteenIds.includes(canteen.id);
  }
}

/**
 * Whether the caller reaches what belongs to a whole sub-district (its register of diners, its month locks). A
 * reviewer reaches the sub-districts of its district, so the sub-district's district is needed for one.
 */
export function canReachSubdistrict(user: AuthUser, subdistrictId: number, districtId?: number): boolean {
  if (user.role === 'ADMIN') return true;
  if (user.role === 'REVIEWER') return districtId !== undefined && districtId === user.districtId;
  return user.subdistrictId === subdistrictId;
}

/** Whether the caller reaches a whole district (its list of sub-districts and canteens). */
export function canReachDistrict(user: AuthUser, districtId: number): boolean {
  return user.role === 'ADMIN' || user.districtId === districtId;
}

/** The caller's own sub-district; a reviewer has none and is refused what only a sub-district's staff may do. */
export function ownSubdistrict(user: AuthUser): number {
  if (user.subdistrictId === null) throw forbidden('该操作需要街道账号', 'SUBDISTRICT_FORBIDDEN');
  return user.subdistrictId;
}

export function assertCanReachCanteen(user: AuthUser, canteen: CanteenRef): void {
  if (!canReachCanteen(user, canteen)) throw forbidden('您无权操作该食堂的数据', 'CANTEEN_FORBIDDEN');
}

/** A canteen looked up by id: 404 CANTEEN_NOT_FOUND when there is none, 403 CANTEEN_FORBIDDEN when out of reach. */
export function reachableCanteen<T extends CanteenRef>(user: AuthUser, canteen: T | null | undefined): T {
  if (!canteen) throw notFound('CANTEEN_NOT_FOUND', '该食堂不存在');
  assertCanReachCanteen(user, canteen);
  return canteen;
}

/** Adds a value to a query's parameters and answers its placeholder (`$3`, or `:name` for a query builder). */
export type Bind = (value: unknown) => string;

/** A binder for positional parameters, appending to `params`. */
export const positional =
  (params: unknown[]): Bind =>
  (value) => {
    params.push(value);
    return `$${params.length}`;
  };

/**
 * The WHERE condition that keeps a list query to the caller's reach, the same rule as canReachCanteen (or
 * canReachSubdistrict when `columns.canteen` is left out). A row whose canteen column is NULL (a claim or lock of
 * the whole sub-district) is out of reach of cashiers and operators. A reviewer's condition looks the row's
 * sub-district up in `subdistricts` (or uses `columns.district` when the query has it at hand).
 */
export function reachSql(
  user: AuthUser,
  columns: { subdistrict: string; canteen?: string; district?: string },
  bind: Bind,
): string {
  if (user.role === 'ADMIN') return 'TRUE';
  if (user.role === 'REVIEWER') {
    const district = bind(user.districtId);
    return columns.district !== undefined
      ? `(${columns.district} = ${district}::int)`
      : `(${columns.subdistrict} IN (SELECT sd.id FROM subdistricts sd WHERE sd.district_id = ${district}::int))`;
  }
  if (user.subdistrictId === null) return 'FALSE';
  const own = `${columns.subdistrict} = ${bind(user.subdistrictId)}::int`;
  if (user.role === 'FINANCE' || columns.canteen === undefined) return `(${own})`;
  return `(${own} AND ${columns.canteen} = ANY(${bind(user.canteenIds)}::int[]))`;
}
