import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEAL_INSERT_COLUMNS } from '../src/meals/meal.queries';
import { createCanteen, createDiner, firstSubdistrictId } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// The till bench's pgbench ceiling (bench/till-recording.sql) must run the app's statements: once it lost the
// diner look-up's `merged_into_id IS NULL` (a seq scan instead of the partial unique index) and the meal's newer
// columns, and the ceiling it measured was not the app's. These checks fail when the two drift apart again.
jest.setTimeout(60_000);

const SCRIPT = readFileSync(join(__dirname, '../bench/till-recording.sql'), 'utf8');
// The script's statements, pgbench's meta-commands and comments left out.
const STATEMENTS = SCRIPT.split('\n')
  .filter((l) => !l.startsWith('--') && !l.startsWith('\\'))
  .join('\n')
  .split(';')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const columns = (list: string): string[] => list.split(',').map((c) => c.trim());

describe('The till bench runs the statements of the app', () => {
  let t: TestApp;
  let vars: Record<string, number>;

  beforeAll(async () => {
    t = await startTestApp();
    // The script writes to sub-district 1 as user 1 under policy version 1, as the bench's own seed does.
    expect(await firstSubdistrictId(t.db)).toBe(1);
    const canteen = await createCanteen(t.db);
    const diner = await createDiner(t, { birthDate: '1950-05-05' });
    vars = { d: diner.id, c: canteen.id, back: 3, k: 42, ndiners: 1 };
  });
  afterAll(async () => {
    await t?.close();
  });

  const withVars = (sql: string): string => sql.replace(/:(d|c|back|k)\b/g, (_, v: string) => String(vars[v]));

  it('has the three statements of a recording: the session, the look-up, the meal with its audit entry', () => {
    expect(STATEMENTS).toHaveLength(3);
    expect(STATEMENTS[0]).toMatch(/FROM sessions s JOIN users u/);
    expect(STATEMENTS[1]).toMatch(/^SELECT c\.id/);
    expect(STATEMENTS[2]).toMatch(/^WITH m AS \(\s*INSERT INTO meals/);
  });

  it('inserts a meal with exactly the columns the app writes, and its audit entry', async () => {
    const list = /INSERT INTO meals \(([^)]*)\)/.exec(STATEMENTS[2])![1];
    expect(columns(list)).toEqual(columns(MEAL_INSERT_COLUMNS));
    // It runs against the migrated schema (a new NOT NULL column, a changed check or trigger would refuse it).
    const [row] = await t.db.query(withVars(STATEMENTS[2]));
    expect(row?.id).toBeDefined();
    const [audit] = await t.db.query(
      `SELECT action, canteen_id FROM audit_log WHERE entity_type = 'meal' AND entity_id = $1`,
      [String(row.id)],
    );
    expect(audit).toEqual({ action: 'MEAL_RECORDED', canteen_id: vars.c });
  });

  it("finds the diner through the index the app's look-up uses, never a scan of the register", async () => {
    const [{ count }] = await t.db.query(withVars(`SELECT count(*)::int AS count FROM (${STATEMENTS[1]}) x`));
    expect(count).toBe(1);
    const runner = t.db.createQueryRunner();
    try {
      await runner.query('SET enable_seqscan = off');
      const plan = (await runner.query(`EXPLAIN ${withVars(STATEMENTS[1])}`)) as { 'QUERY PLAN': string }[];
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Index Scan using diners_id_number_hmac_key on diners d/);
      expect(text).not.toMatch(/Seq Scan on diners/);
    } finally {
      await runner.release();
    }
  });
});
