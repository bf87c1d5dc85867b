import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadClaim, sha256, waitForClaim } from './support/claims';
import {
  CanteenFixture,
  createCanteen,
  createDiner,
  createSubdistrict,
  createUser,
  insertMeal,
  UserFixture,
} from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { startTestWorker, TestWorker } from './support/test-worker';

// SPEC §5: anyone holding a claim file can check it — POST /api/claims/verify names the claim and version the file
// is, by the SHA-256 recorded when it was built, and any altered byte matches nothing.
jest.setTimeout(90_000);

describe('POST /api/claims/verify', () => {
  let t: TestApp;
  let worker: TestWorker;
  let claimsDir: string;
  let finance: UserFixture;
  let canteen: CanteenFixture;
  let files: { id: number; version: number; body: Buffer }[];

  beforeAll(async () => {
    claimsDir = mkdtempSync(join(tmpdir(), 'hc-verify-'));
    t = await startTestApp({ env: { CLAIMS_DIR: claimsDir } });
    worker = await startTestWorker(t.config);
    canteen = await createCanteen(t.db, { name: '核验幸福食堂' });
    finance = await createUser(t, 'FINANCE');
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    const diner = await createDiner(t, { birthDate: '1944-04-04' });
    for (let day = 1; day <= 3; day++) {
      const servedAt = new Date(`2025-03-0${day}T12:00:00+08:00`);
      await insertMeal(t.db, {
        canteen,
        dinerId: diner.id,
        cashierUserId: cashier.id,
        servedAt,
        mealDate: `2025-03-0${day}`,
        priceFen: 1200,
        subsidyFen: 400,
        age: 80,
        tier: '80_PLUS',
        reason: 'TIER_80_PLUS',
      });
    }
    // Two versions of the same month (a meal added in between): each file names its own.
    files = [];
    for (let v = 0; v < 2; v++) {
      if (v === 1) {
        await insertMeal(t.db, {
          canteen,
          dinerId: diner.id,
          cashierUserId: cashier.id,
          servedAt: new Date('2025-03-20T12:00:00+08:00'),
          mealDate: '2025-03-20',
          priceFen: 1200,
          subsidyFen: 400,
          age: 80,
          tier: '80_PLUS',
          reason: 'TIER_80_PLUS',
        });
      }
      const res = await t.http().post('/api/claims').set('Authorization', finance.token).send({ month: '2025-03' });
      const claim = await waitForClaim(t, finance.token, res.body.id);
      expect(claim.status).toBe('DONE');
      const { body } = await downloadClaim(t, finance.token, claim.id);
      expect(sha256(body)).toBe(claim.sha256);
      files.push({ id: claim.id, version: claim.version, body });
    }
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    rmSync(claimsDir, { recursive: true, force: true });
  });

  const verify = (token: string, body: Buffer) =>
    t.http().post('/api/claims/verify').set('Authorization', token).attach('file', body, 'claim.xlsx');

  it('names the claim, month and version of an unaltered file', async () => {
    for (const f of files) {
      const res = await verify(finance.token, f.body).expect(200);
      expect(res.body).toMatchObject({
        claimId: f.id,
        version: f.version,
        month: '2025-03',
        canteenId: null,
        sha256: sha256(f.body),
        reviewStatus: 'DRAFT',
      });
    }
    expect(files.map((f) => f.version)).toEqual([1, 2]);
  });

  it('answers 404 CLAIM_FILE_UNKNOWN for any altered byte, a cut file or an added byte', async () => {
    const original = files[0].body;
    const variants: Buffer[] = [];
    for (const at of [0, Math.floor(original.length / 2), original.length - 1]) {
      const b = Buffer.from(original);
      b[at] ^= 0x01;
      variants.push(b);
    }
    variants.push(original.subarray(0, original.length - 1), Buffer.concat([original, Buffer.from([0])]));
    for (const v of variants) {
      const res = await verify(finance.token, v).expect(404);
      expect(res.body.code).toBe('CLAIM_FILE_UNKNOWN');
    }
  });

  it('answers 404 for a claim out of the caller’s reach, as for an unknown file', async () => {
    const otherSub = await createSubdistrict(t.db);
    const stranger = await createUser(t, 'FINANCE', { subdistrictId: otherSub });
    const res = await verify(stranger.token, files[0].body).expect(404);
    expect(res.body.code).toBe('CLAIM_FILE_UNKNOWN');
    // An operator reaches its canteens' claims, not the sub-district's.
    const operator = await createUser(t, 'OPERATOR', { canteenIds: [canteen.id] });
    expect((await verify(operator.token, files[0].body).expect(404)).body.code).toBe('CLAIM_FILE_UNKNOWN');
  });

  it('refuses a request without a file, and a cashier', async () => {
    const res = await t.http().post('/api/claims/verify').set('Authorization', finance.token).expect(400);
    expect(res.body.code).toBe('CLAIM_FILE_REQUIRED');
    const cashier = await createUser(t, 'CASHIER', { canteenIds: [canteen.id] });
    expect((await verify(cashier.token, files[0].body).expect(403)).body.code).toBe('ROLE_FORBIDDEN');
  });
});
