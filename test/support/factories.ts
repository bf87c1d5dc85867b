import { DataSource } from 'typeorm';
import { hashPassword } from '../../src/auth/passwords';
import { CanteenType, DinerStatusValue, MealPeriod, PeriodHours, Role, Verification } from '../../src/common/enums';
import { PiiCipher } from '../../src/common/pii-cipher';
import { insertDiners } from '../../src/diners/diner.queries';
import { insertMeals } from '../../src/meals/meal.queries';
import { makeIdNumber } from '../../src/subsidy/id-number';
import type { TestApp } from './test-app';

// Tiny factories that write straight to the database, for arranging a test. What a test *exercises*
// goes through the API; these only set the stage.

let seq = 0;
const next = (): number => ++seq;

export async function firstSubdistrictId(db: DataSource): Promise<number> {
  const [row] = await db.query(`SELECT id FROM subdistricts ORDER BY id LIMIT 1`);
  return row.id;
}

export async function createSubdistrict(db: DataSource, name = `测试街道${next()}`): Promise<number> {
  return createSubdistrictIn(db, await firstDistrictId(db), name);
}

export async function firstDistrictId(db: DataSource): Promise<number> {
  const [row] = await db.query(`SELECT id FROM districts ORDER BY id LIMIT 1`);
  return row.id;
}

/** A new district (区) with a unique 6-digit code. */
export async function createDistrict(db: DataSource, name = `测试区${next()}`): Promise<number> {
  const [row] = await db.query(
    `INSERT INTO districts (name, code) VALUES ($1, lpad((random() * 899999 + 100000)::int::text, 6, '0'))
     RETURNING id`,
    [name],
  );
  return row.id;
}

export async function createSubdistrictIn(
  db: DataSource,
  districtId: number,
  name = `测试街道${next()}`,
): Promise<number> {
  const [row] = await db.query(`INSERT INTO subdistricts (name, district_id) VALUES ($1, $2) RETURNING id`, [
    name,
    districtId,
  ]);
  return row.id;
}

export interface CanteenFixture {
  id: number;
  subdistrictId: number;
  name: string;
}

// Every period serves all day, so a test that records at the real time of day is never outside hours (SPEC §4);
// tests of the hours give their own.
export const ALL_DAY_HOURS: PeriodHours = {
  BREAKFAST: ['00:00', '23:59'],
  LUNCH: ['00:00', '23:59'],
  DINNER: ['00:00', '23:59'],
};

export async function createCanteen(
  db: DataSource,
  opts: {
    subdistrictId?: number;
    name?: string;
    type?: CanteenType;
    prices?: Partial<Record<MealPeriod, number>>;
    periodHours?: PeriodHours;
  } = {},
): Promise<CanteenFixture> {
  const subdistrictId = opts.subdistrictId ?? (await firstSubdistrictId(db));
  const name = opts.name ?? `测试幸福食堂${next()}`;
  const prices = { BREAKFAST: 500, LUNCH: 1200, DINNER: 1000, ...opts.prices };
  const [row] = await db.query(
    `INSERT INTO canteens (subdistrict_id, name, type, breakfast_price_fen, lunch_price_fen, dinner_price_fen,
                           period_hours)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      subdistrictId,
      name,
      opts.type ?? 'ENTERPRISE',
      prices.BREAKFAST,
      prices.LUNCH,
      prices.DINNER,
      JSON.stringify(opts.periodHours ?? ALL_DAY_HOURS),
    ],
  );
  return { id: row.id, subdistrictId, name };
}

export interface UserFixture {
  id: number;
  username: string;
  password: string;
  role: Role;
  /** "Bearer …", after login through the API. */
  token: string;
}

const passwordHashes = new Map<string, Promise<string>>();

/** Creates a user and logs them in through the real login route. */
export async function createUser(
  t: TestApp,
  role: Role,
  opts: {
    canteenIds?: number[];
    subdistrictId?: number;
    districtId?: number;
    username?: string;
    password?: string;
    displayName?: string;
  } = {},
): Promise<UserFixture> {
  const username = opts.username ?? `${role.toLowerCase()}${next()}_${Date.now().toString(36)}`;
  const password = opts.password ?? 'test-password-1';
  if (!passwordHashes.has(password)) passwordHashes.set(password, hashPassword(password));
  const hash = await passwordHashes.get(password)!;
  // A reviewer is scoped to a district, every other role to a sub-district (users_scope_check).
  const subdistrictId = role === 'REVIEWER' ? null : (opts.subdistrictId ?? (await firstSubdistrictId(t.db)));
  const districtId = role === 'REVIEWER' ? (opts.districtId ?? (await firstDistrictId(t.db))) : null;
  const [row] = await t.db.query(
    `INSERT INTO users (username, password_hash, role, subdistrict_id, district_id, display_name)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [username, hash, role, subdistrictId, districtId, opts.displayName ?? null],
  );
  for (const canteenId of opts.canteenIds ?? []) {
    await t.db.query(`INSERT INTO user_canteens (user_id, canteen_id) VALUES ($1, $2)`, [row.id, canteenId]);
  }
  return { id: row.id, username, password, role, token: await t.login(username, password) };
}

export interface DinerFixture {
  id: number;
  idNumber: string;
  name: string;
  birthDate: string;
}

/** A registered diner with a valid ID number (address code 371502) born on `birthDate`. */
export async function createDiner(
  t: TestApp,
  opts: {
    birthDate: string;
    name?: string;
    subdistrictId?: number;
    cardNo?: string | null;
    status?: DinerStatusValue;
    statusEffectiveFrom?: string | null;
  },
): Promise<DinerFixture> {
  const n = next();
  const idNumber = makeIdNumber('371502', opts.birthDate, (n * 7) % 1000);
  const cipher = t.app.get(PiiCipher);
  const name = opts.name ?? `测试老人${n}`;
  const subdistrictId = opts.subdistrictId ?? (await firstSubdistrictId(t.db));
  const [id] = await insertDiners(t.db, cipher, [
    {
      subdistrictId,
      name,
      idNumber,
      birthDate: opts.birthDate,
      sex: Number(idNumber[16]) % 2 === 1 ? 'M' : 'F',
      cardNo: opts.cardNo ?? null,
      status: opts.status ?? 'ACTIVE',
      statusEffectiveFrom: opts.statusEffectiveFrom ?? null,
    },
  ]);
  return { id, idNumber, name, birthDate: opts.birthDate };
}

/**
 * A meal row as the till would store it, for tests of what reads meals (claims, statistics).
 * The caller states the money; the database CHECKs still hold it to price = subsidy + payable.
 */
export async function insertMeal(
  db: DataSource,
  m: {
    canteen: CanteenFixture;
    dinerId: number;
    cashierUserId: number;
    servedAt: Date;
    mealDate: string;
    period?: MealPeriod;
    priceFen: number;
    subsidyFen: number;
    age: number;
    tier: string;
    reason: string;
    policyVersionId?: number | null;
    voided?: { by: number; reason: string } | null;
    verification?: Verification;
    /** Default: servedAt (not back-dated). */
    recordedAt?: Date;
    outsideHours?: boolean;
  },
): Promise<string> {
  const [id] = await insertMeals(
    db,
    [
      {
        subdistrictId: m.canteen.subdistrictId,
        canteenId: m.canteen.id,
        dinerId: m.dinerId,
        mealDate: m.mealDate,
        mealPeriod: m.period ?? 'LUNCH',
        servedAt: m.servedAt,
        priceFen: m.priceFen,
        subsidyFen: m.subsidyFen,
        payableFen: m.priceFen - m.subsidyFen,
        age: m.age,
        tier: m.tier,
        reason: m.reason,
        policyVersionId: m.policyVersionId === undefined ? 1 : m.policyVersionId,
        subsidySlot: 'DAY',
        verification: m.verification ?? 'ID_CARD_READER',
        cashierUserId: m.cashierUserId,
        idempotencyKey: `fixture-${next()}-${Date.now()}`,
        requestHash: 'fixture',
        voidedAt: m.voided ? new Date() : null,
        voidedBy: m.voided?.by ?? null,
        voidReason: m.voided?.reason ?? null,
        recordedAt: m.recordedAt,
        outsideHours: m.outsideHours,
      },
    ],
    { skipConflicts: false },
  );
  return id;
}
