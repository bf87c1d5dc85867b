// Demo register of 柳园街道: its 6 canteens, finance, operators, cashiers and a few hundred synthetic diners.
// Idempotent: fixed names and a seeded generator, inserted with ON CONFLICT DO NOTHING.
import { DataSource } from 'typeorm';
import { hashPassword } from '../../src/auth/passwords';
import { CanteenType, DinerStatusValue, MealPeriod, Role } from '../../src/common/enums';
import { PiiCipher } from '../../src/common/pii-cipher';
import { keyBytes } from '../../src/config/app-config';
import { ageOn } from '../../src/subsidy/age';
import { insertDiners } from '../../src/diners/diner.queries';
import { makeIdNumber } from '../../src/subsidy/id-number';

interface DemoCanteen {
  name: string;
  type: CanteenType;
  address: string;
  openedOn: string;
  prices: Record<MealPeriod, number | null>;
}

// SPEC §1: 2 canteens attached to elderly-care facilities (since August 2022), 4 run by businesses (end of September).
const CANTEENS: DemoCanteen[] = [
  {
    name: '馨泰颐养中心幸福食堂',
    type: 'CARE_FACILITY',
    address: '聊城市东昌府区柳园街道馨泰颐养中心一楼',
    openedOn: '2022-08-01',
    prices: { BREAKFAST: 300, LUNCH: 1200, DINNER: 1000 },
  },
  {
    name: '柳园社区日间照料中心幸福食堂',
    type: 'CARE_FACILITY',
    address: '聊城市东昌府区柳园街道柳园社区日间照料中心',
    openedOn: '2022-08-15',
    prices: { BREAKFAST: 300, LUNCH: 1000, DINNER: 800 },
  },
  {
    name: '东关国际幸福食堂',
    type: 'ENTERPRISE',
    address: '聊城市东昌府区柳园街道东关国际小区南门',
    openedOn: '2022-09-28',
    prices: { BREAKFAST: 300, LUNCH: 1500, DINNER: 1200 },
  },
  {
    name: '米市街幸福食堂',
    type: 'ENTERPRISE',
    address: '聊城市东昌府区柳园街道米市街 18 号',
    openedOn: '2022-09-28',
    prices: { BREAKFAST: 300, LUNCH: 1300, DINNER: 1000 },
  },
  {
    name: '龙湾家园幸福食堂',
    type: 'ENTERPRISE',
    address: '聊城市东昌府区柳园街道龙湾家园社区服务中心',
    openedOn: '2022-09-30',
    prices: { BREAKFAST: 250, LUNCH: 1200, DINNER: 900 },
  },
  {
    name: '振兴路幸福食堂',
    type: 'ENTERPRISE',
    address: '聊城市东昌府区柳园街道振兴路 66 号',
    openedOn: '2022-09-30',
    prices: { BREAKFAST: null, LUNCH: 1100, DINNER: 1000 },
  },
];

interface DemoUser {
  username: string;
  displayName: string;
  role: Role;
  /** Indexes into CANTEENS. */
  canteens: number[];
  label: string;
}

const USERS: DemoUser[] = [
  { username: 'caiwu', displayName: '街道财务', role: 'FINANCE', canteens: [], label: '街道财务 finance' },
  { username: 'zhanzhang1', displayName: '馨泰站长', role: 'OPERATOR', canteens: [0, 1], label: '站点管理员 operator' },
  { username: 'zhanzhang2', displayName: '东关站长', role: 'OPERATOR', canteens: [2, 3], label: '站点管理员 operator' },
  { username: 'zhanzhang3', displayName: '龙湾站长', role: 'OPERATOR', canteens: [4, 5], label: '站点管理员 operator' },
  ...CANTEENS.map((c, i) => ({
    username: `shouyin${i + 1}`,
    displayName: `${c.name.replace('幸福食堂', '')}收银员`,
    role: 'CASHIER' as const,
    canteens: [i],
    label: `收银员 cashier（${c.name}）`,
  })),
];

const DEMO_PASSWORDS: Record<Role, string> = {
  ADMIN: '',
  FINANCE: 'finance-demo-2022',
  OPERATOR: 'operator-demo-2022',
  CASHIER: 'cashier-demo-2022',
  REVIEWER: 'reviewer-demo-2022',
};

const DINER_COUNT = 320;
const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎';
const GIVEN_M = [
  '建国',
  '建华',
  '国庆',
  '志强',
  '德福',
  '长福',
  '保国',
  '振华',
  '玉山',
  '富贵',
  '庆祥',
  '洪民',
  '广田',
  '守义',
];
const GIVEN_F = [
  '秀英',
  '桂兰',
  '玉兰',
  '淑珍',
  '凤英',
  '桂英',
  '秀兰',
  '翠花',
  '兰英',
  '素珍',
  '玉珍',
  '春梅',
  '月娥',
  '金凤',
];
const COMMUNITIES = ['东关社区', '柳园社区', '米市街社区', '龙湾社区', '振兴社区', '古楼社区'];
// Ages 60–100, most of them 70–89: the people who eat at a 幸福食堂. Fixed birth years keep the demo idempotent.
const BIRTH_YEAR_BANDS: [number, number, number][] = [
  [1957, 1965, 0.15],
  [1947, 1956, 0.45],
  [1937, 1946, 0.32],
  [1926, 1936, 0.08],
];
const NOT_ACTIVE: Record<number, [DinerStatusValue, string, string]> = {
  7: ['SUSPENDED', '2022-11-01', '家属申请暂停'],
  42: ['MOVED_AWAY', '2022-12-15', '随子女迁居济南'],
  99: ['DECEASED', '2023-01-20', '家属告知'],
  150: ['SUSPENDED', '2023-03-01', '住院期间暂停'],
  211: ['MOVED_AWAY', '2023-02-10', '迁往东阿县'],
};

// mulberry32: a tiny seeded generator, so every run draws the same diners.
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface DemoDiner {
  name: string;
  idNumber: string;
  birthDate: string;
  sex: 'M' | 'F';
  phone: string | null;
  community: string;
  cardNo: string | null;
  canteen: number;
  status: DinerStatusValue;
  statusFrom: string | null;
  statusNote: string | null;
}

function demoDiners(
  opts: { seed: number; count: number; addressCode: string; cardPrefix: string; canteens: number } = {
    seed: 371502,
    count: DINER_COUNT,
    addressCode: '371502',
    cardPrefix: 'LY',
    canteens: CANTEENS.length,
  },
): DemoDiner[] {
  const rnd = seeded(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const seen = new Set<string>();
  const out: DemoDiner[] = [];
  while (out.length < opts.count) {
    const i = out.length;
    let r = rnd();
    const band = BIRTH_YEAR_BANDS.find((b) => (r -= b[2]) < 0) ?? BIRTH_YEAR_BANDS[1];
    const year = band[0] + Math.floor(rnd() * (band[1] - band[0] + 1));
    const month = 1 + Math.floor(rnd() * 12);
    const day = 1 + Math.floor(rnd() * 28);
    const birthDate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const sex: 'M' | 'F' = rnd() < 0.45 ? 'M' : 'F';
    const sequence = Math.floor(rnd() * 500) * 2 + (sex === 'M' ? 1 : 0);
    const idNumber = makeIdNumber(opts.addressCode, birthDate, sequence);
    if (seen.has(idNumber)) continue;
    seen.add(idNumber);
    const status = NOT_ACTIVE[i];
    out.push({
      name: pick(SURNAMES.split('')) + pick(sex === 'M' ? GIVEN_M : GIVEN_F),
      idNumber,
      birthDate,
      sex,
      phone:
        rnd() < 0.7
          ? `1${pick(['35', '38', '52', '58', '86'])}${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}`
          : null,
      community: pick(COMMUNITIES),
      cardNo: i % 20 === 3 ? `${opts.cardPrefix}${String(1000 + i)}` : null,
      canteen: i % opts.canteens,
      status: status?.[0] ?? 'ACTIVE',
      statusFrom: status?.[1] ?? null,
      statusNote: status?.[2] ?? null,
    });
  }
  return out;
}

export { demoDiners, demoCipher, DEMO_PASSWORDS };
export type { DemoCanteen };

function demoCipher(env: NodeJS.ProcessEnv): PiiCipher {
  if (!env.PII_ENCRYPTION_KEY || !env.PII_HMAC_KEY) throw new Error('PII_ENCRYPTION_KEY / PII_HMAC_KEY are not set');
  return new PiiCipher(keyBytes(env.PII_ENCRYPTION_KEY), keyBytes(env.PII_HMAC_KEY));
}

/** Seeds the register; returns the demo accounts as printable "role: username / password" lines. */
export async function seedRegister(ds: DataSource, env: NodeJS.ProcessEnv): Promise<string[]> {
  const subdistrictName = env.SUBDISTRICT_NAME ?? '柳园街道';
  const [sub]: { id: number }[] = await ds.query(`SELECT id FROM subdistricts WHERE name = $1`, [subdistrictName]);
  if (!sub) throw new Error(`sub-district ${subdistrictName} does not exist`);
  const cipher = demoCipher(env);

  // Slow hashes: one per distinct password, and only for accounts not there yet.
  const existing = new Set(
    ((await ds.query(`SELECT username FROM users`)) as { username: string }[]).map((u) => u.username),
  );
  const hashes = new Map<Role, string>();
  for (const u of USERS) {
    if (!existing.has(u.username) && !hashes.has(u.role))
      hashes.set(u.role, await hashPassword(DEMO_PASSWORDS[u.role]));
  }
  const adminUsername = (env.ADMIN_USERNAME ?? 'admin').trim().toLowerCase();
  const adminHash = existing.size === 0 && env.ADMIN_PASSWORD ? await hashPassword(env.ADMIN_PASSWORD) : null;

  await ds.transaction(async (m) => {
    // The app creates the first admin only into an empty users table; demo users would prevent that, so do it here.
    if (adminHash) {
      const [admin] = await m.query(
        `INSERT INTO users (username, password_hash, role, subdistrict_id, display_name)
         VALUES ($1, $2, 'ADMIN', $3, '系统管理员') ON CONFLICT (username) DO NOTHING RETURNING id`,
        [adminUsername, adminHash, sub.id],
      );
      if (admin) {
        await m.query(
          `INSERT INTO audit_log (action, entity_type, entity_id, subdistrict_id, details) VALUES ('BOOTSTRAP_ADMIN', 'user', $1, $2, $3)`,
          [String(admin.id), sub.id, { username: adminUsername, subdistrict: subdistrictName, source: 'demo' }],
        );
      }
    }
    for (const c of CANTEENS) {
      await m.query(
        `INSERT INTO canteens (subdistrict_id, name, type, address, opened_on, breakfast_price_fen, lunch_price_fen, dinner_price_fen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (subdistrict_id, name) DO NOTHING`,
        [sub.id, c.name, c.type, c.address, c.openedOn, c.prices.BREAKFAST, c.prices.LUNCH, c.prices.DINNER],
      );
    }
    const canteenRows: { id: number; name: string }[] = await m.query(
      `SELECT id, name FROM canteens WHERE subdistrict_id = $1 AND name = ANY($2::text[])`,
      [sub.id, CANTEENS.map((c) => c.name)],
    );
    const canteenId = (i: number): number => canteenRows.find((r) => r.name === CANTEENS[i].name)!.id;

    const userIds = new Map<string, number>();
    for (const u of USERS) {
      const hash = hashes.get(u.role);
      if (hash) {
        await m.query(
          `INSERT INTO users (username, password_hash, role, subdistrict_id, display_name)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
          [u.username, hash, u.role, sub.id, u.displayName],
        );
      }
      const [row]: { id: number }[] = await m.query(`SELECT id FROM users WHERE username = $1`, [u.username]);
      userIds.set(u.username, row.id);
      for (const i of u.canteens) {
        await m.query(`INSERT INTO user_canteens (user_id, canteen_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          row.id,
          canteenId(i),
        ]);
      }
    }

    const inserted = (
      await insertDiners(
        m,
        cipher,
        demoDiners().map((d) => ({
          subdistrictId: sub.id,
          name: d.name,
          idNumber: d.idNumber,
          birthDate: d.birthDate,
          sex: d.sex,
          phone: d.phone,
          community: d.community,
          cardNo: d.cardNo,
          status: d.status,
          statusEffectiveFrom: d.statusFrom,
          statusNote: d.statusNote,
          registeredCanteenId: canteenId(d.canteen),
          registeredBy: userIds.get(`shouyin${d.canteen + 1}`) ?? null,
        })),
        { skipConflicts: true },
      )
    ).length;
    if (inserted > 0) {
      await m.query(
        `INSERT INTO audit_log (action, entity_type, subdistrict_id, details) VALUES ('DINERS_IMPORTED', 'diner', $1, $2)`,
        [sub.id, { source: 'demo', imported: inserted }],
      );
    }
  });

  return accountLines();
}

/** The demo accounts, a line per role: "label  user1, user2 / password". */
function accountLines(): string[] {
  const roles: [Role, string][] = [
    ['FINANCE', '街道财务 finance'],
    ['OPERATOR', '站点管理员 operator'],
    ['CASHIER', '收银员 cashier'],
  ];
  return roles.map(([role, label]) => {
    const names = USERS.filter((u) => u.role === role).map((u) => u.username);
    const list = names.length > 3 ? `${names[0]} … ${names.at(-1)}` : names.join(', ');
    return `${label}  ${list} / ${DEMO_PASSWORDS[role]}`;
  });
}

export interface DinerToTry {
  age: number;
  name: string;
  idNumber: string;
  cardNo: string | null;
}

/**
 * Synthetic diners for a newcomer to scan at the till: one of each wanted age (or the nearest in the same tier),
 * active and with no meal yet today, so the first scan shows the plain case. The demo is synthetic: printing is right.
 */
export async function dinersToTry(
  ds: DataSource,
  env: NodeJS.ProcessEnv,
  today: string,
  wantedAges: number[],
): Promise<DinerToTry[]> {
  const cipher = demoCipher(env);
  const eatenToday = new Set(
    (
      (await ds.query(
        `SELECT DISTINCT encode(d.id_number_hmac, 'hex') AS hmac FROM meals m JOIN diners d ON d.id = m.diner_id
          WHERE m.meal_date = $1`,
        [today],
      )) as { hmac: string }[]
    ).map((r) => r.hmac),
  );
  const candidates = demoDiners()
    .filter((d) => d.status === 'ACTIVE' && !eatenToday.has(cipher.hmac(d.idNumber).toString('hex')))
    .map((d) => ({ age: ageOn(d.birthDate, today), name: d.name, idNumber: d.idNumber, cardNo: d.cardNo }));
  const tier = (age: number): number => (age >= 80 ? 2 : age >= 70 ? 1 : 0);
  const chosen: DinerToTry[] = [];
  for (const want of wantedAges) {
    const best = candidates
      .filter((c) => tier(c.age) === tier(want) && !chosen.includes(c))
      .sort((a, b) => Math.abs(a.age - want) - Math.abs(b.age - want))[0];
    if (best) chosen.push(best);
  }
  const card = candidates.find((c) => c.cardNo !== null && c.age >= 70 && !chosen.includes(c));
  if (card) chosen.push(card);
  return chosen;
}
