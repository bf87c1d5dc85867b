/**
 * The key of the advisory lock that orders meal writes against month locks: meals and voids take it shared (the
 * trigger function meals_refuse_locked_month, migration MealsMonthLockTrigger, builds the same text in SQL), locking
 * a month takes it exclusive, so no meal commits into a month that was locked while it was written. Both are proven
 * to agree by test/month-lock-key.e2e-spec.ts.
 */
export const monthLockKey = (subdistrictId: number, month: string): string => `month_lock:${subdistrictId}:${month}`;
