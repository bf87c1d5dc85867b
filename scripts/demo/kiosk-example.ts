// An ID-card kiosk against the API, in plain HTTP (fetch), as a vendor would write it in any language
// (docs/API.md "Integration example"). Run against the demo (`npm run dev`), with an ID number the demo printed:
//
//   npx ts-node --transpile-only scripts/demo/kiosk-example.ts 371502XXXXXXXXXXXX
//
// Settings (environment): API_URL (http://localhost:3000), KIOSK_USERNAME / KIOSK_PASSWORD (the demo's cashier
// shouyin1 / cashier-demo-2022). It reads the card, takes the meal period whose hours hold the moment (outside every
// period's hours it says so and confirms the meal as outside hours), quotes the meal, records it with an
// Idempotency-Key (and sends it again, as a kiosk does after a timeout: the same answer, one meal), then voids it so
// the demo stays as it was. It prints the masked ID number only, never the full one.
import { randomUUID } from 'node:crypto';

/** What a typical ID-card reader SDK returns for one card (field names vary by vendor; only the number is used). */
export interface IdCardReading {
  partyName: string;
  gender: string;
  bornDay: string;
  certAddress: string;
  certNumber: string;
}

export interface KioskSettings {
  apiUrl: string;
  username: string;
  password: string;
  /** Where each step is reported (default: standard error). */
  say?: (line: string) => void;
}

export interface KioskRun {
  mealId: string;
  mealPeriod: string;
  /** Served outside every period's hours: recorded with confirmOutsideHours (the diner was told). */
  outsideHours: boolean;
  payableFen: number;
  replayedSame: boolean;
  voided: boolean;
}

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** One call: JSON in, JSON out; an error answer `{ statusCode, code, message }` becomes an ApiFailure. */
async function call<T>(
  s: KioskSettings,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const res = await fetch(`${s.apiUrl}${path}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const body = (await res.json()) as { code?: string; message?: string };
  if (!res.ok) throw new ApiFailure(res.status, body.code ?? 'ERROR', body.message ?? '');
  return body as T;
}

const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

/** 'HH:MM' in Shanghai, the clock a canteen's hours are written in (China keeps no summer time). */
const shanghaiTime = (at: Date): string =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);

type Period = 'BREAKFAST' | 'LUNCH' | 'DINNER';
interface TillCanteen {
  id: number;
  name: string;
  prices: Partial<Record<Period, number>>;
  /** Each period's serving hours, ['HH:MM', 'HH:MM'], both ends included. */
  periodHours: Partial<Record<Period, [string, string]>>;
  /** The period by the server's clock: the current one, else the next one today, else the day's last. */
  currentPeriod: Period | null;
}

/**
 * The period of a meal served at `hhmm`: the one whose hours hold it (among the periods the canteen prices), as the
 * server decides (docs/API.md "Outside hours"). Between periods, none is: the till's `currentPeriod` (the next one,
 * or the day's last), recorded as outside hours.
 */
function periodOf(canteen: TillCanteen, hhmm: string): { mealPeriod: Period; outsideHours: boolean } {
  const served = (['BREAKFAST', 'LUNCH', 'DINNER'] as const).filter((p) => canteen.prices[p] !== undefined);
  const current = served.find((p) => {
    const hours = canteen.periodHours[p];
    return hours !== undefined && hours[0] <= hhmm && hhmm <= hours[1];
  });
  if (current !== undefined) return { mealPeriod: current, outsideHours: false };
  if (canteen.currentPeriod === null) throw new Error(`canteen ${canteen.name} serves no meal period`);
  return { mealPeriod: canteen.currentPeriod, outsideHours: true };
}

export async function runKiosk(s: KioskSettings, card: IdCardReading): Promise<KioskRun> {
  const say = s.say ?? ((line: string) => process.stderr.write(`${line}\n`));

  // 1. Log in once per kiosk start (a cashier account of the canteen); keep the token.
  const login = await call<{ accessToken: string }>(s, 'POST', '/api/auth/login', {
    body: { username: s.username, password: s.password },
  });
  const token = login.accessToken;
  const till = await call<{ canteens: TillCanteen[] }>(s, 'GET', '/api/till', { token });
  const canteen = till.canteens[0];
  say(`1. logged in; canteen ${canteen.name} (#${canteen.id})`);

  // The card is read now: the meal's period is the one whose hours hold this moment. Outside every period's hours
  // the server refuses the meal (409 MEAL_OUTSIDE_HOURS) unless the diner is told and it is confirmed once more.
  const servedAt = new Date();
  const { mealPeriod, outsideHours } = periodOf(canteen, shanghaiTime(servedAt));
  if (outsideHours) {
    say(`   ${shanghaiTime(servedAt)} is outside every meal period's hours: recorded as ${mealPeriod}, outside hours`);
  }

  // 2. The card is read: quote the meal (nothing is written).
  const query = new URLSearchParams({ idNumber: card.certNumber, mealPeriod });
  const quote = await call<{
    diner: { name: string; maskedIdNumber: string; age: number };
    priceFen: number;
    subsidyFen: number;
    payableFen: number;
    warnings: { message: string }[];
  }>(s, 'GET', `/api/canteens/${canteen.id}/meals/quote?${query}`, { token });
  say(
    `2. quote for ${mealPeriod}: ${quote.diner.name} ${quote.diner.maskedIdNumber}, ${quote.diner.age} 岁: price ${yuan(quote.priceFen)}, ` +
      `subsidy ${yuan(quote.subsidyFen)}, to pay ${yuan(quote.payableFen)}` +
      quote.warnings.map((w) => ` [${w.message}]`).join(''),
  );

  // 3. The diner confirms: record with a new Idempotency-Key, made once per meal and kept for every retry.
  const key = randomUUID();
  const meal = {
    idNumber: card.certNumber,
    mealPeriod,
    verification: 'ID_CARD_READER',
    // The kiosk's clock, with microseconds as many libraries write it: the server keeps the millisecond.
    servedAt: servedAt.toISOString().replace('Z', '123+00:00'),
    // The diner was told the meal is outside hours (a kiosk shows it and asks once more before this).
    confirmOutsideHours: outsideHours,
  };
  const send = () =>
    call<{ id: string; payableFen: number }>(s, 'POST', `/api/canteens/${canteen.id}/meals`, {
      token,
      body: meal,
      headers: { 'Idempotency-Key': key },
    });
  const recorded = await send();
  say(`3. recorded meal ${recorded.id} (Idempotency-Key ${key}); to pay ${yuan(recorded.payableFen)}`);
  // The answer was lost (a timeout): send the same request with the same key. Same answer, still one meal.
  const again = await send();
  const replayedSame = JSON.stringify(again) === JSON.stringify(recorded);
  say(`   sent again with the same key: ${replayedSame ? 'the same answer, no second meal' : 'A DIFFERENT ANSWER'}`);

  // 4. The diner changed their mind: void it (a cashier may void own meals of today).
  const voided = await call<{ voided: { reason: string } | null }>(s, 'POST', `/api/meals/${recorded.id}/void`, {
    token,
    body: { reason: '自助机示例：老人取消' },
  });
  say(`4. voided meal ${recorded.id}: ${voided.voided?.reason ?? '(not voided)'}`);
  await call<unknown>(s, 'POST', '/api/auth/logout', { token }).catch(() => undefined);
  return {
    mealId: recorded.id,
    mealPeriod,
    outsideHours,
    payableFen: recorded.payableFen,
    replayedSame,
    voided: voided.voided !== null,
  };
}

if (require.main === module) {
  const certNumber = process.argv[2] ?? '';
  if (!certNumber) {
    process.stderr.write('usage: kiosk-example.ts <ID number of a registered diner, as the demo prints them>\n');
    process.exit(2);
  }
  runKiosk(
    {
      apiUrl: process.env.API_URL ?? 'http://localhost:3000',
      username: process.env.KIOSK_USERNAME ?? 'shouyin1',
      password: process.env.KIOSK_PASSWORD ?? 'cashier-demo-2022',
    },
    { partyName: '', gender: '', bornDay: certNumber.slice(6, 14), certAddress: '', certNumber },
  ).catch((e: unknown) => {
    process.stderr.write(`kiosk example failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
