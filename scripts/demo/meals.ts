// Demo meals: all of last month, this month up to yesterday, and today's meals served so far, across the canteens
// and diners that exist. Computed with the same pure rules as the till (selectPolicyVersion, evaluateSubsidy,
// isEligibleOn), one subsidised meal per diner per day (per period under PER_PERIOD), inserted in set-based batches.
// Each day is drawn from a generator seeded by its date, so a day is the same whenever it is drawn. Idempotent and
// topping up: every run draws the whole range again and inserts only what is missing (fixed idempotency keys,
// ON CONFLICT DO NOTHING), so a day first drawn half-way gains the rest; days of a locked month are skipped.
import { DataSource } from 'typeorm';
import { MEAL_PERIODS, MealPeriod, Verification } from '../../src/common/enums';
import {
  addDays,
  compareLocalDates,
  monthOf,
  previousMonth,
  startOfLocalDay,
  todayLocal,
} from '../../src/common/local-date';
import {
  DinerStatus,
  evaluateSubsidy,
  isEligibleOn,
  PolicyVersion,
  selectPolicyVersion,
} from '../../src/subsidy/subsidy-calculator';
import { insertMeals, MealInsert } from '../../src/meals/meal.queries';
import { subsidySlot } from '../../src/meals/subsidy-slot';
import { selectPolicyVersions, toPolicyVersion } from '../../src/policy/policy.queries';

interface CanteenRow {
  id: number;
  subdistrict_id: number;
  opened_on: string | null;
  prices: Record<MealPeriod, number | null>;
  period_hours: Record<MealPeriod, [string, string]>;
  cashier_ids: number[] | null;
}

interface DinerRow {
  id: number;
  subdistrict_id: number;
  birth_date: string;
  status: DinerStatus;
  status_effective_from: string | null;
  registered_canteen_id: number | null;
  card_no: string | null;
}

const BATCH = 2_000;
const VOID_REASONS = ['录错餐次', '刷错了人', '老人临时取消用餐', '重复刷卡'];

// A small deterministic PRNG (mulberry32): the same demo every time.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const daySeed = (day: string): number => 20221001 ^ Number(day.replaceAll('-', ''));

export async function seedMeals(ds: DataSource, now = new Date()): Promise<void> {
  const canteens: CanteenRow[] = await ds.query(
    `SELECT c.id, c.subdistrict_id, c.opened_on::text AS opened_on, c.period_hours,
            json_build_object('BREAKFAST', c.breakfast_price_fen, 'LUNCH', c.lunch_price_fen, 'DINNER', c.dinner_price_fen) AS prices,
            (SELECT array_agg(u.id ORDER BY u.id) FROM user_canteens uc JOIN users u ON u.id = uc.user_id
              WHERE uc.canteen_id = c.id AND u.role IN ('CASHIER', 'OPERATOR') AND u.active) AS cashier_ids
       FROM canteens c WHERE c.active ORDER BY c.id`,
  );
  const diners: DinerRow[] = await ds.query(
    `SELECT id, subdistrict_id, birth_date::text AS birth_date, status, status_effective_from::text AS status_effective_from,
            registered_canteen_id, card_no FROM diners ORDER BY id`,
  );
  // Meals are recorded by the canteen's cashiers (or operators); else by any user of the sub-district.
  const fallback = new Map<number, number>(
    (
      (await ds.query(`SELECT subdistrict_id, min(id) AS id FROM users WHERE active GROUP BY subdistrict_id`)) as {
        subdistrict_id: number;
        id: number;
      }[]
    ).map((r) => [r.subdistrict_id, r.id]),
  );
  if (canteens.length === 0 || diners.length === 0) return;
  const versions: PolicyVersion[] = (await selectPolicyVersions(ds)).map(toPolicyVersion);

  let rand = prng(20221001);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const today = todayLocal(now);
  const first = `${previousMonth(monthOf(today))}-01`;
  // A locked month refuses new meals (the trigger would abort the whole seed): skip what is locked.
  const locks = (await ds.query(
    `SELECT subdistrict_id, canteen_id, month FROM month_locks WHERE unlocked_at IS NULL AND month >= $1`,
    [monthOf(first)],
  )) as { subdistrict_id: number; canteen_id: number | null; month: string }[];
  const locked = (c: CanteenRow, day: string): boolean =>
    locks.some(
      (l) => l.month === monthOf(day) && l.subdistrict_id === c.subdistrict_id && (l.canteen_id ?? c.id) === c.id,
    );
  const bySubdistrict = new Map<number, CanteenRow[]>();
  for (const c of canteens) bySubdistrict.set(c.subdistrict_id, [...(bySubdistrict.get(c.subdistrict_id) ?? []), c]);
  // Each diner has a home canteen (where registered, else one of the sub-district's) and habits of their own.
  // One register for the city: diners of the later sub-districts now and then eat at a canteen of the first one (the
  // first sub-district's own diners keep their habits, so days already drawn stay as they were).
  const firstSubdistrict = Math.min(...canteens.map((c) => c.subdistrict_id));
  const habits = diners.flatMap((d) => {
    const local = bySubdistrict.get(d.subdistrict_id) ?? [];
    if (local.length === 0) return [];
    const home = local.find((c) => c.id === d.registered_canteen_id) ?? pick(local);
    const around =
      d.subdistrict_id === firstSubdistrict ? local : [...local, ...(bySubdistrict.get(firstSubdistrict) ?? [])];
    return [
      { diner: d, home, local: around, lunch: 0.55 + rand() * 0.4, breakfast: rand() * 0.35, dinner: rand() * 0.3 },
    ];
  });

  const rows: MealInsert[] = [];
  await ds.transaction(async (m) => {
    const flushIn = async (): Promise<void> => {
      if (rows.length === 0) return;
      await insertMeals(m, rows, { skipConflicts: true });
      rows.length = 0;
    };
    for (let day = first; compareLocalDates(day, today) <= 0; day = addDays(day, 1)) {
      rand = prng(daySeed(day));
      const policy = selectPolicyVersion(versions, day);
      const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      for (const h of habits) {
        const d = h.diner;
        if (compareLocalDates(day, d.birth_date) <= 0) continue;
        const subsidised = new Set<string>();
        for (const period of MEAL_PERIODS) {
          const chance = period === 'LUNCH' ? h.lunch : period === 'BREAKFAST' ? h.breakfast : h.dinner;
          if (rand() >= chance * (weekend ? 0.8 : 1)) continue;
          const canteen = rand() < 0.07 ? pick(h.local) : h.home;
          const priceFen = canteen.prices[period];
          if (priceFen === null || (canteen.opened_on !== null && compareLocalDates(day, canteen.opened_on) < 0)) {
            continue;
          }
          if (locked(canteen, day)) continue;
          const slot = subsidySlot(policy, period);
          const s = evaluateSubsidy({
            policy,
            birthDate: d.birth_date,
            mealDate: day,
            priceFen,
            eligible: isEligibleOn(d.status, d.status_effective_from, day),
            alreadySubsidised: subsidised.has(slot),
          });
          if (s.subsidyFen > 0) subsidised.add(slot);
          const [from, to] = canteen.period_hours[period] ?? ['11:00', '13:00'];
          const minute = minutesOf(from) + Math.floor(rand() * Math.max(1, minutesOf(to) - minutesOf(from)));
          const servedAt = new Date(startOfLocalDay(day).getTime() + minute * 60_000 + Math.floor(rand() * 60_000));
          const cashier = canteen.cashier_ids?.length
            ? pick(canteen.cashier_ids)
            : fallback.get(canteen.subdistrict_id);
          if (cashier === undefined) continue;
          const verification: Verification =
            d.card_no && rand() < 0.3 ? 'MEAL_CARD' : rand() < 0.85 ? 'ID_CARD_READER' : 'MANUAL_ENTRY';
          // About one meal in a hundred was voided at the till a minute later; it frees the day's subsidy.
          const voided = rand() < 0.01;
          if (voided && s.subsidyFen > 0) subsidised.delete(slot);
          // Today: only what has been served (and voided) by now.
          if (servedAt.getTime() + (voided ? 60_000 : 0) > now.getTime()) continue;
          rows.push({
            subdistrictId: canteen.subdistrict_id,
            canteenId: canteen.id,
            dinerId: d.id,
            mealDate: day,
            mealPeriod: period,
            servedAt,
            priceFen,
            // The subsidy's outcome as computed: age, tier, subsidy, payable, reason, policy version.
            ...s,
            subsidySlot: slot,
            verification,
            cashierUserId: cashier,
            idempotencyKey: `demo-${day}-${d.id}-${period}`,
            requestHash: 'demo',
            voidedAt: voided ? new Date(servedAt.getTime() + 60_000) : null,
            voidedBy: voided ? cashier : null,
            voidReason: voided ? pick(VOID_REASONS) : null,
          });
          if (rows.length >= BATCH) await flushIn();
        }
      }
    }
    await flushIn();
  });
}
