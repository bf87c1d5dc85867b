// SPEC §4 "Offline": what the till keeps in the browser while the server cannot be reached. The meals waiting to be
// sent (the outbox), and the last known canteens, prices, hours and policy to quote from. localStorage, so a reload
// or a crash of the browser keeps them. The ID number is the one personal datum stored: the server needs it to
// decide the subsidy; it stays only until the meal is sent (refused meals keep the masked number only).
import type { MealPeriod } from '@server/common/enums';
import type { PolicyVersion } from '@server/subsidy/subsidy-calculator';

const OUTBOX_KEY = 'hc.till.outbox';
const REFUSED_KEY = 'hc.till.refused';
const CACHE_KEY = 'hc.till.cache';

export interface OfflineMeal {
  /** The Idempotency-Key, chosen when the meal was confirmed and kept on every send. */
  key: string;
  canteenId: number;
  idNumber: string;
  masked: string;
  mealPeriod: MealPeriod;
  verification: 'ID_CARD_READER' | 'MANUAL_ENTRY';
  /** When it was served (RFC 3339, UTC). */
  servedAt: string;
  /** When the till lost the server. */
  offlineSince: string;
  priceFen: number;
  provisionalSubsidyFen: number;
  confirmOutsideHours: boolean;
}

/** A meal the server refused: shown to the cashier (masked), the ID number dropped. */
export interface RefusedMeal {
  key: string;
  masked: string;
  servedAt: string;
  message: string;
}

export interface TillCache {
  canteens: { id: number; name: string; prices: Partial<Record<MealPeriod, number>>; periodHours: unknown }[];
  policies: PolicyVersion[];
  savedAt: string;
}

function read<T>(key: string, fallback: T): T {
  try {
    const text = localStorage.getItem(key);
    return text === null ? fallback : (JSON.parse(text) as T);
  } catch {
    return fallback;
  }
}

export const outbox = {
  all: (): OfflineMeal[] => read<OfflineMeal[]>(OUTBOX_KEY, []),
  add(m: OfflineMeal): void {
    localStorage.setItem(OUTBOX_KEY, JSON.stringify([...outbox.all(), m]));
  },
  remove(key: string): void {
    localStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox.all().filter((m) => m.key !== key)));
  },
  refused: (): RefusedMeal[] => read<RefusedMeal[]>(REFUSED_KEY, []),
  refuse(m: OfflineMeal, message: string): void {
    const kept: RefusedMeal = { key: m.key, masked: m.masked, servedAt: m.servedAt, message };
    localStorage.setItem(REFUSED_KEY, JSON.stringify([...outbox.refused(), kept]));
    outbox.remove(m.key);
  },
  clearRefused(): void {
    localStorage.removeItem(REFUSED_KEY);
  },
};

export const tillCache = {
  get: (): TillCache | null => read<TillCache | null>(CACHE_KEY, null),
  set(c: TillCache): void {
    localStorage.setItem(CACHE_KEY, JSON.stringify(c));
  },
};
