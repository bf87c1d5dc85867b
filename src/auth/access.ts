import { forbidden } from '../common/app-error';
import { AuthUser } from './auth-user';

/**
 * SPEC §2 site scope: cashiers and operators reach only their canteens, finance only its
 * sub-district, admins everything.
 */
export function canReachCanteen(user: AuthUser, canteen: { id: number; subdistrictId: number }): boolean {
  switch (user.role) {
    case 'ADMIN':
      return true;
    case 'FINANCE':
      return canteen.subdistrictId === user.subdistrictId;
    case 'OPERATOR':
    case 'CASHIER':
      return canteen.subdistrictId === user.subdistrictId && user.canteenIds.includes(canteen.id);
  }
}

export function assertCanReachCanteen(user: AuthUser, canteen: { id: number; subdistrictId: number }): void {
  if (!canReachCanteen(user, canteen)) throw forbidden('您无权操作该食堂的数据', 'CANTEEN_FORBIDDEN');
}
