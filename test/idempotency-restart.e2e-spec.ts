import { randomUUID } from 'node:crypto';
import { createCanteen, createDiner, createUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// docs/API.md "Idempotency-Key": a replay is answered from PostgreSQL, so it survives a restart of the API.
jest.setTimeout(120_000);

describe('Idempotency-Key across a restart of the API', () => {
  let owner: TestApp;
  // Another API process on the owner's database, with the same keys (a restart keeps its configuration).
  const apiOnOwnersDatabase = () =>
    startTestApp({
      env: {
        DATABASE_URL: owner.config.DATABASE_URL,
        PII_ENCRYPTION_KEY: owner.config.PII_ENCRYPTION_KEY,
        PII_HMAC_KEY: owner.config.PII_HMAC_KEY,
      },
    });

  beforeAll(async () => {
    owner = await startTestApp();
  });
  afterAll(async () => {
    await owner.close();
  });

  it('answers the same key and body with the first answer after a restart, and another body with 422', async () => {
    const canteen = await createCanteen(owner.db);
    const cashier = await createUser(owner, 'CASHIER', { canteenIds: [canteen.id] });
    const diner = await createDiner(owner, { birthDate: '1948-02-02' });
    const key = randomUUID();
    const body = { idNumber: diner.idNumber, mealPeriod: 'LUNCH', verification: 'ID_CARD_READER' };
    const record = (t: TestApp, b: object) =>
      t
        .http()
        .post(`/api/canteens/${canteen.id}/meals`)
        .set('Authorization', cashier.token)
        .set('Idempotency-Key', key)
        .send(b);

    const before = await apiOnOwnersDatabase();
    const first = await record(before, body).expect(201);
    await before.close();

    const after = await apiOnOwnersDatabase();
    try {
      const replay = await record(after, body);
      expect([replay.status, replay.body]).toEqual([201, first.body]);
      const other = await record(after, { ...body, mealPeriod: 'DINNER' });
      expect([other.status, other.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    } finally {
      await after.close();
    }
    const [{ n }] = await owner.db.query('SELECT count(*)::int AS n FROM meals WHERE diner_id = $1', [diner.id]);
    expect(n).toBe(1);
  });
});
