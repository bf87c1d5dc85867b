// Demo of a city deployment (issue 17): besides 柳园街道 (scripts/demo/register.ts), a second sub-district of
// 东昌府区 and a second district with one sub-district, each with canteens, staff and synthetic diners, plus a
// reviewer (区民政审核) per district — so that the city-wide register and limit show on the first run.
// Idempotent: fixed names and seeded generators, inserted with ON CONFLICT DO NOTHING.
import { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../../src/auth/passwords';
import { Role } from '../../src/common/enums';
import { insertDiners } from '../../src/diners/diner.queries';
import { DemoCanteen, demoCipher, demoDiners, DEMO_PASSWORDS } from './register';

interface DemoSubdistrict {
  name: string;
  district: { name: string; code: string };
  /** Username prefix of its staff. */
  prefix: string;
  /** The address code of its synthetic diners' ID numbers, and a seed of their own. */
  addressCode: string;
  seed: number;
  cardPrefix: string;
  canteens: DemoCanteen[];
}

const DONGCHANGFU = { name: process.env.DISTRICT_NAME ?? '东昌府区', code: process.env.DISTRICT_CODE ?? '371502' };
const CHIPING = { name: '茌平区', code: '371503' };

const SUBDISTRICTS: DemoSubdistrict[] = [
  {
    name: '古楼街道',
    district: DONGCHANGFU,
    prefix: 'gulou',
    addressCode: '371502',
    seed: 371502_2,
    cardPrefix: 'GL',
    canteens: [
      {
        name: '古楼社区幸福食堂',
        type: 'CARE_FACILITY',
        address: '聊城市东昌府区古楼街道古楼社区养老服务站',
        openedOn: '2022-10-08',
        prices: { BREAKFAST: 300, LUNCH: 1200, DINNER: 1000 },
      },
      {
        name: '楼西街幸福食堂',
        type: 'ENTERPRISE',
        address: '聊城市东昌府区古楼街道楼西街 9 号',
        openedOn: '2022-10-20',
        prices: { BREAKFAST: null, LUNCH: 1300, DINNER: 1000 },
      },
    ],
  },
  {
    name: '振兴街道',
    district: CHIPING,
    prefix: 'chiping',
    addressCode: '371503',
    seed: 371503,
    cardPrefix: 'CP',
    canteens: [
      {
        name: '振兴街道敬老院幸福食堂',
        type: 'CARE_FACILITY',
        address: '聊城市茌平区振兴街道敬老院',
        openedOn: '2022-11-01',
        prices: { BREAKFAST: 250, LUNCH: 1000, DINNER: 800 },
      },
      {
        name: '信发路幸福食堂',
        type: 'ENTERPRISE',
        address: '聊城市茌平区振兴街道信发路 120 号',
        openedOn: '2022-11-15',
        prices: { BREAKFAST: 300, LUNCH: 1200, DINNER: 1000 },
      },
    ],
  },
];

const REVIEWERS = [
  { username: 'shenhe_dcf', displayName: '东昌府区民政局审核', district: DONGCHANGFU },
  { username: 'shenhe_cp', displayName: '茌平区民政局审核', district: CHIPING },
];

const DINERS_PER_SUBDISTRICT = 90;

async function districtId(m: EntityManager, d: { name: string; code: string }): Promise<number> {
  await m.query(`INSERT INTO districts (name, code) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [d.name, d.code]);
  const [row]: { id: number }[] = await m.query(
    `SELECT id FROM districts WHERE name = $1 OR code = $2 ORDER BY (name = $1) DESC LIMIT 1`,
    [d.name, d.code],
  );
  return row.id;
}

/** Seeds the rest of the city; returns printable "label  users / password" lines for the new accounts. */
export async function seedCity(ds: DataSource, env: NodeJS.ProcessEnv): Promise<string[]> {
  const cipher = demoCipher(env);
  const hashes = new Map<Role, string>();
  for (const role of ['FINANCE', 'OPERATOR', 'CASHIER', 'REVIEWER'] as const) {
    hashes.set(role, await hashPassword(DEMO_PASSWORDS[role]));
  }
  await ds.transaction(async (m) => {
    for (const s of SUBDISTRICTS) {
      const district = await districtId(m, s.district);
      await m.query(`INSERT INTO subdistricts (name, district_id) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
        s.name,
        district,
      ]);
      const [sub]: { id: number }[] = await m.query(`SELECT id FROM subdistricts WHERE name = $1`, [s.name]);
      const canteenIds: number[] = [];
      for (const c of s.canteens) {
        await m.query(
          `INSERT INTO canteens (subdistrict_id, name, type, address, opened_on, breakfast_price_fen, lunch_price_fen,
                                 dinner_price_fen)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (subdistrict_id, name) DO NOTHING`,
          [sub.id, c.name, c.type, c.address, c.openedOn, c.prices.BREAKFAST, c.prices.LUNCH, c.prices.DINNER],
        );
        const [row]: { id: number }[] = await m.query(
          `SELECT id FROM canteens WHERE subdistrict_id = $1 AND name = $2`,
          [sub.id, c.name],
        );
        canteenIds.push(row.id);
      }
      const staff: { username: string; role: Role; displayName: string; canteens: number[] }[] = [
        { username: `${s.prefix}_caiwu`, role: 'FINANCE', displayName: `${s.name}财务`, canteens: [] },
        { username: `${s.prefix}_zhanzhang`, role: 'OPERATOR', displayName: `${s.name}站长`, canteens: canteenIds },
        ...canteenIds.map((id, i) => ({
          username: `${s.prefix}_shouyin${i + 1}`,
          role: 'CASHIER' as const,
          displayName: `${s.canteens[i].name.replace('幸福食堂', '')}收银员`,
          canteens: [id],
        })),
      ];
      const userIds = new Map<string, number>();
      for (const u of staff) {
        await m.query(
          `INSERT INTO users (username, password_hash, role, subdistrict_id, display_name)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
          [u.username, hashes.get(u.role), u.role, sub.id, u.displayName],
        );
        const [row]: { id: number }[] = await m.query(`SELECT id FROM users WHERE username = $1`, [u.username]);
        userIds.set(u.username, row.id);
        for (const c of u.canteens) {
          await m.query(`INSERT INTO user_canteens (user_id, canteen_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
            row.id,
            c,
          ]);
        }
      }
      const diners = demoDiners({
        seed: s.seed,
        count: DINERS_PER_SUBDISTRICT,
        addressCode: s.addressCode,
        cardPrefix: s.cardPrefix,
        canteens: canteenIds.length,
      });
      const inserted = await insertDiners(
        m,
        cipher,
        diners.map((d) => ({
          subdistrictId: sub.id,
          name: d.name,
          idNumber: d.idNumber,
          birthDate: d.birthDate,
          sex: d.sex,
          phone: d.phone,
          community: null,
          cardNo: d.cardNo,
          status: d.status,
          statusEffectiveFrom: d.statusFrom,
          statusNote: d.statusNote,
          registeredCanteenId: canteenIds[d.canteen],
          registeredBy: userIds.get(`${s.prefix}_shouyin${d.canteen + 1}`) ?? null,
        })),
        // One register for the city: a person already registered elsewhere is left out.
        { skipConflicts: true },
      );
      if (inserted.length > 0) {
        await m.query(
          `INSERT INTO audit_log (action, entity_type, subdistrict_id, details) VALUES ('DINERS_IMPORTED', 'diner', $1, $2)`,
          [sub.id, { source: 'demo', imported: inserted.length }],
        );
      }
    }
    for (const r of REVIEWERS) {
      const district = await districtId(m, r.district);
      await m.query(
        `INSERT INTO users (username, password_hash, role, district_id, display_name)
         VALUES ($1, $2, 'REVIEWER', $3, $4) ON CONFLICT (username) DO NOTHING`,
        [r.username, hashes.get('REVIEWER'), district, r.displayName],
      );
    }
  });
  return [
    `区民政审核 reviewer  ${REVIEWERS.map((r) => r.username).join(', ')} / ${DEMO_PASSWORDS.REVIEWER}`,
    ...SUBDISTRICTS.map(
      (s) =>
        `${s.district.name}${s.name}  ${s.prefix}_caiwu, ${s.prefix}_zhanzhang, ${s.prefix}_shouyin1 / ` +
        `${DEMO_PASSWORDS.FINANCE}, ${DEMO_PASSWORDS.OPERATOR}, ${DEMO_PASSWORDS.CASHIER}`,
    ),
  ];
}
