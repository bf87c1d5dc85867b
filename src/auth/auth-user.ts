import { Role } from '../common/enums';

/** The caller of a request, as the auth guard found them. */
export interface AuthUser {
  id: number;
  username: string;
  role: Role;
  subdistrictId: number;
  canteenIds: number[];
}
