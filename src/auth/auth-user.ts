import { Role } from '../common/enums';

/** The caller of a request, as the auth guard found them. */
export interface AuthUser {
  id: number;
  username: string;
  /** The person's name as shown on pages (the username when none is set); absent where only the id matters. */
  displayName?: string;
  role: Role;
  /** The user's sub-district; null for a reviewer, whose scope is a whole district. */
  subdistrictId: number | null;
  /** The reviewer's district, or the district of the user's sub-district. */
  districtId: number;
  canteenIds: number[];
}
