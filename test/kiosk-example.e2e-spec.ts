import { runKiosk } from '../scripts/demo/kiosk-example';
import { localTimeOf } from '../src/common/local-date';
import { createCanteen, createDiner, createUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// The integration example of docs/API.md, run as a kiosk vendor would run it against the demo.
describe('The ID-card kiosk example (scripts/demo/kiosk-example.ts)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads a card, quotes, records once under one Idempotency-Key although sent twice, voids, and never prints the ID number', async () => {
    const canteen = await createCanteen(t.db);
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const diner = await createDiner(t, { birthDate: '1944-10-01', name: '赵淑芬' });
    const lines: string[] = [];
    const run = await runKiosk(
      { apiUrl: t.url, username: cashier.username, password: cashier.password, say: (l) => lines.push(l) },
      { partyName: '赵淑芬', gender: '女', bornDay: '19441001', certAddress: '', certNumber: diner.idNumber },
    );
    expect(run).toMatchObject({ replayedSame: true, voided: true, outsideHours: false });
    const rows = await t.db.query('SELECT id::text AS id, voided_at FROM meals WHERE diner_id = $1', [diner.id]);
    expect(rows).toEqual([{ id: run.mealId, voided_at: expect.any(Date) }]);
    expect(lines).toHaveLength(5);
    expect(lines.join('\n')).toContain(`${diner.idNumber.slice(0, 6)}********${diner.idNumber.slice(14)}`);
    expect(lines.join('\n')).not.toContain(diner.idNumber);
  });

  it('between meal periods, tells the diner and records the meal confirmed as outside hours (not 409)', async () => {
    // Every period's hours ten hours or more away from now (Shanghai), whatever time the suite runs at.
    const periodHours: Record<'BREAKFAST' | 'LUNCH' | 'DINNER', [string, string]> =
      localTimeOf(new Date()) < '12:00'
        ? { BREAKFAST: ['22:00', '22:10'], LUNCH: ['22:20', '22:30'], DINNER: ['22:40', '22:50'] }
        : { BREAKFAST: ['01:00', '01:10'], LUNCH: ['01:20', '01:30'], DINNER: ['01:40', '01:50'] };
    const canteen = await createCanteen(t.db, { periodHours });
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const diner = await createDiner(t, { birthDate: '1946-04-12', name: '钱桂兰' });
    const lines: string[] = [];
    const run = await runKiosk(
      { apiUrl: t.url, username: cashier.username, password: cashier.password, say: (l) => lines.push(l) },
      { partyName: '钱桂兰', gender: '女', bornDay: '19460412', certAddress: '', certNumber: diner.idNumber },
    );
    expect(run).toMatchObject({ replayedSame: true, voided: true, outsideHours: true });
    const rows = await t.db.query('SELECT id::text AS id, meal_period, outside_hours FROM meals WHERE diner_id = $1', [
      diner.id,
    ]);
    expect(rows).toEqual([{ id: run.mealId, meal_period: run.mealPeriod, outside_hours: true }]);
    expect(lines.join('\n')).toMatch(/outside every meal period's hours/);
  });
});
