import { AuditEntry } from '../audit/audit-entry.entity';
import { Canteen } from '../canteens/canteen.entity';
import { Claim } from '../claims/claim.entity';
import { Diner } from '../diners/diner.entity';
import { Meal } from '../meals/meal.entity';
import { MonthLock } from '../meals/month-lock.entity';
import { PolicyVersionRow } from '../policy/policy-version.entity';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { User } from '../users/user.entity';

export const ENTITIES = [Subdistrict, Canteen, User, AuditEntry, PolicyVersionRow, Diner, Meal, MonthLock, Claim];
