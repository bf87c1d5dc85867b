import { AuditEntry } from '../audit/audit-entry.entity';
import { AuditSeal } from '../audit/audit-seal.entity';
import { LoginKnownAddress, LoginThrottleBucket } from '../auth/login-throttle.entity';
import { Session } from '../auth/session.entity';
import { Canteen } from '../canteens/canteen.entity';
import { Claim } from '../claims/claim.entity';
import { ClaimEvent } from '../claims/claim-event.entity';
import { DinerMerge } from '../diners/diner-merge.entity';
import { Diner } from '../diners/diner.entity';
import { District } from '../districts/district.entity';
import { Meal } from '../meals/meal.entity';
import { MealExplanation } from '../meals/meal-explanation.entity';
import { MonthLock } from '../meals/month-lock.entity';
import { OfflineConflict } from '../meals/offline-conflict.entity';
import { PolicyVersionRow } from '../policy/policy-version.entity';
import { MealStatsDay, MealStatsDinerMonth } from '../stats/meal-stats.entity';
import { Subdistrict } from '../subdistricts/subdistrict.entity';
import { UserCanteen } from '../users/user-canteen.entity';
import { User } from '../users/user.entity';

// Every table of the schema, as the migrations create it (test/schema.e2e-spec.ts proves TypeORM sees no difference).
export const ENTITIES = [
  District,
  Subdistrict,
  Canteen,
  User,
  UserCanteen,
  Session,
  LoginThrottleBucket,
  LoginKnownAddress,
  AuditEntry,
  AuditSeal,
  PolicyVersionRow,
  Diner,
  DinerMerge,
  Meal,
  MonthLock,
  OfflineConflict,
  MealExplanation,
  Claim,
  MealStatsDay,
  MealStatsDinerMonth,
  ClaimEvent,
];
