import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApiClient } from '../web/src/api/client';
import { createCanteen, createDiner, createUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

// The generated client (web/src/api): checked in up to date with the DTOs, and working against the real server.
jest.setTimeout(120_000);

describe('The generated API client', () => {
  it('is checked in as `npm run api:generate` makes it from the DTOs now (docs/openapi.json, schema.d.ts)', async () => {
    // In a child process: openapi-typescript loads ES modules, which Node 20 requires but jest's runtime does not.
    const check = await promisify(execFile)(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'scripts/generate-api.ts', '--check'],
      { cwd: join(__dirname, '..') },
    ).catch((e: { stderr?: string }) => ({ stderr: `FAILED ${e.stderr ?? String(e)}` }));
    expect(check.stderr).toBe('OpenAPI document and client schema are up to date\n');
  });

  describe('against the running server', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
    });

    it('logs in, quotes, records with an Idempotency-Key and voids, typed end to end', async () => {
      const canteen = await createCanteen(t.db, { prices: { LUNCH: 1200 } });
      const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
      const diner = await createDiner(t, { birthDate: '1945-05-01' });
      let token: string | null = null;
      const api = createApiClient({ baseUrl: t.url, token: () => token });

      const login = await api.POST('/api/auth/login', {
        body: { username: cashier.username, password: cashier.password },
      });
      token = login.data?.accessToken ?? null;
      expect(login.data?.user.role).toBe('CASHIER');

      const path = { canteenId: canteen.id };
      const quote = await api.GET('/api/canteens/{canteenId}/meals/quote', {
        params: { path, query: { idNumber: diner.idNumber, mealPeriod: 'LUNCH' } },
      });
      expect(quote.data).toMatchObject({ priceFen: 1200, subsidyFen: 400, payableFen: 800 });

      const key = randomUUID();
      const send = () =>
        api.POST('/api/canteens/{canteenId}/meals', {
          params: { path, header: { 'Idempotency-Key': key } },
          body: { idNumber: diner.idNumber, mealPeriod: 'LUNCH', verification: 'ID_CARD_READER' },
        });
      const recorded = await send();
      expect(recorded.response.status).toBe(201);
      expect((await send()).data).toEqual(recorded.data);

      const voided = await api.POST('/api/meals/{id}/void', {
        params: { path: { id: recorded.data?.id ?? '' } },
        body: { reason: '测试作废' },
      });
      expect(voided.data?.voided?.reason).toBe('测试作废');
      const again = await api.POST('/api/meals/{id}/void', {
        params: { path: { id: recorded.data?.id ?? '' } },
        body: { reason: '测试作废' },
      });
      expect(again.error?.code).toBe('MEAL_ALREADY_VOIDED');
    });
  });
});
