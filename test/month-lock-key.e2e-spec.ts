import { insertMeals } from '../src/meals/meal.queries';
import { monthLockKey } from '../src/meals/month-lock-key';
import { createCanteen, createDiner, createUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// The month's advisory-lock key is built twice: in TypeScript (monthLockKey, taken exclusive when a month is locked)
// and in the trigger function meals_refuse_locked_month (taken shared by every meal written). If the two drifted
// apart, a month could be locked while a meal was being written into it. This proves they name the same lock.
describe('monthLockKey and the month-lock trigger (real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Whether another session could take the key's advisory lock exclusive right now (released at once). */
  const free = async (key: string): Promise<boolean> => {
    const [row]: { free: boolean }[] = await t.db.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS free`, [
      key,
    ]);
    return row.free;
  };

  it('is the key the trigger holds while a meal of that month is being written', async () => {
    const canteen = await createCanteen(t.db, { name: '锁键食堂' });
    const diner = await createDiner(t, { birthDate: '1944-02-02' });
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const key = monthLockKey(canteen.subdistrictId, '2025-03');
    expect(await free(key)).toBe(true);
    const runner = t.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await insertMeals(
        runner.manager,
        [
          {
            subdistrictId: canteen.subdistrictId,
            canteenId: canteen.id,
            dinerId: diner.id,
            mealDate: '2025-03-10',
            mealPeriod: 'LUNCH',
            servedAt: new Date('2025-03-10T04:00:00Z'),
            priceFen: 1200,
            subsidyFen: 200,
            payableFen: 1000,
            age: 81,
            tier: '80_PLUS',
            reason: 'TIER_80_PLUS',
            policyVersionId: 1,
            subsidySlot: 'DAY',
            verification: 'ID_CARD_READER',
            cashierUserId: cashier.id,
            idempotencyKey: 'month-lock-key-1',
            requestHash: 'fixture',
          },
        ],
        { skipConflicts: false },
      );
      // The meal's transaction is open, so the trigger's shared lock is held: exactly this key is taken.
      expect(await free(key)).toBe(false);
      expect(await free(monthLockKey(canteen.subdistrictId, '2025-04'))).toBe(true);
      expect(await free(monthLockKey(canteen.subdistrictId + 1, '2025-03'))).toBe(true);
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    expect(await free(key)).toBe(true);
  });
});
