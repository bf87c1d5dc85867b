// Every call the web app makes to the server goes through this module: bearer token, the error shape
// { statusCode, code, message }, a session that ends (the request waits for a new login, then is sent again) and
// the Idempotency-Key of a meal. Request and answer types are written once here; at merge they give way to the
// client generated from the OpenAPI document (web/src/api/client.ts).
import type { MealPeriod, PeriodHours, Role, Verification } from '@server/common/enums';
import type { PolicyVersion } from '@server/subsidy/subsidy-calculator';
import type { OfflineMeal } from '../till/offline-outbox';

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  subdistrictId: number;
  canteenIds: number[];
}

export interface LoginAnswer {
  accessToken: string;
  user: SessionUser;
}

export interface TillCanteen {
  id: number;
  name: string;
  prices: Partial<Record<MealPeriod, number>>;
  periodHours: PeriodHours;
  currentPeriod: MealPeriod | null;
}

export interface TillAnswer {
  today: string;
  now: string;
  canteens: TillCanteen[];
}

export interface DinerBrief {
  id: number;
  name: string;
  maskedIdNumber: string;
  age: number;
}

export interface QuoteWarning {
  code: string;
  message: string;
}

export interface MealQuote {
  diner: DinerBrief;
  mealDate: string;
  mealPeriod: MealPeriod;
  tier: string;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
  reason: string;
  policyVersionId: number | null;
  outsideHours: boolean;
  warnings: QuoteWarning[];
}

export interface RecordedMeal {
  id: string;
  mealDate: string;
  mealPeriod: MealPeriod;
  diner: DinerBrief;
  tier: string;
  priceFen: number;
  subsidyFen: number;
  payableFen: number;
  reason: string;
  outsideHours: boolean;
  offline?: boolean;
}

/** The 202 of an offline meal of a diner the register does not know (kept as an offline conflict). */
export interface OfflineConflictAnswer {
  id: string;
  mealId: string | null;
  maskedIdNumber: string;
  subsidyFen: number;
  underCollectedFen: number;
  reason: string;
}

export interface MealListItem extends RecordedMeal {
  canteenId: number;
  servedAt: string;
  verification: Verification;
  cashier: { id: number; username: string; name: string };
  voided: { at: string; by: number; reason: string } | null;
}

export interface MealTotals {
  count: number;
  subsidisedCount: number;
  subsidyFen: number;
  payableFen: number;
  voidedCount: number;
  byTier: Record<string, { count: number; subsidyFen: number }>;
}

export interface MealList {
  date: string;
  meals: MealListItem[];
  totals: MealTotals;
}

/** Who is eating: an ID number or a meal card, never both. */
export type DinerKey = { idNumber: string } | { cardNo: string };

export interface RecordMealBody {
  mealPeriod: MealPeriod;
  verification: Verification;
  confirmOutsideHours?: boolean;
}

/** An answer other than 2xx: `message` is a zh-CN sentence for people, `code` the stable code for programs. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface SessionHooks {
  token(): string | null;
  /** The server ended the session: resolves once someone has logged in again. */
  ended(): Promise<void>;
}

let hooks: SessionHooks = { token: () => null, ended: () => Promise.reject(new Error('no session handler')) };

/** Wires the session store in (composables/session.ts), once at start. */
export function useSessionHooks(h: SessionHooks): void {
  hooks = h;
}

interface RequestOptions {
  body?: unknown;
  /** A file upload (multipart); sent as is. */
  form?: FormData;
  headers?: Record<string, string>;
  /** Send without the bearer token and never wait for a login (the login call itself). */
  anonymous?: boolean;
}

async function send(method: string, path: string, o: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
  const token = o.anonymous ? null : hooks.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(path, {
      method,
      headers,
      body: o.form ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
    });
  } catch {
    throw new ApiError('无法连接服务器，请检查网络后重试', 'NETWORK', 0);
  }
}

/** The answer of a call that succeeded, or waits for a new login on 401 and tries again; throws ApiError. */
async function answer(method: string, path: string, o: RequestOptions): Promise<Response> {
  for (;;) {
    const res = await send(method, path, o);
    if (res.ok) return res;
    if (res.status === 401 && !o.anonymous) {
      await hooks.ended();
      continue;
    }
    return res;
  }
}

async function request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
  for (;;) {
    const res = await send(method, path, o);
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (res.ok) return data as T;
    const err = (data ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof err.code === 'string' ? err.code : `HTTP_${res.status}`;
    const message = typeof err.message === 'string' ? err.message : `请求失败（${res.status}），请稍后重试`;
    // SPEC §4: a session that ends mid-service brings the login form; the request carries on after login.
    if (res.status === 401 && !o.anonymous) {
      await hooks.ended();
      continue;
    }
    throw new ApiError(message, code, res.status, data);
  }
}

/** A file the server sends (a workbook): fetched with the token, handed to the browser as a download. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await answer('GET', path, {});
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: unknown; code?: unknown } | null;
    throw new ApiError(
      typeof body?.message === 'string' ? body.message : `下载失败（${res.status}）`,
      typeof body?.code === 'string' ? body.code : `HTTP_${res.status}`,
      res.status,
      body,
    );
  }
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="([^"]+)"/i.exec(disposition);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(await res.blob());
  a.download = star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const enc = encodeURIComponent;

export const api = {
  login: (username: string, password: string) =>
    request<LoginAnswer>('POST', '/api/auth/login', { body: { username, password }, anonymous: true }),
  me: () => request<SessionUser>('GET', '/api/auth/me'),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<null>('POST', '/api/auth/password', { body: { currentPassword, newPassword } }),
  logout: (token: string) =>
    request<null>('POST', '/api/auth/logout', { headers: { Authorization: `Bearer ${token}` }, anonymous: true }),

  till: () => request<TillAnswer>('GET', '/api/till'),
  quote: (canteenId: number, who: DinerKey, mealPeriod: MealPeriod) => {
    const q = new URLSearchParams({ mealPeriod, ...who });
    return request<MealQuote>('GET', `/api/canteens/${canteenId}/meals/quote?${q.toString()}`);
  },
  /** One Idempotency-Key per meal, the same on every retry: the server records it once. */
  recordMeal: (canteenId: number, idempotencyKey: string, who: DinerKey, body: RecordMealBody) =>
    request<RecordedMeal>('POST', `/api/canteens/${canteenId}/meals`, {
      body: { ...who, ...body },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  /** SPEC §4 "Offline": a meal the till kept while offline, sent with its own key; 202 is a kept conflict. */
  recordOfflineMeal: (m: OfflineMeal) =>
    request<RecordedMeal | OfflineConflictAnswer>('POST', `/api/canteens/${m.canteenId}/meals`, {
      body: {
        idNumber: m.idNumber,
        mealPeriod: m.mealPeriod,
        verification: m.verification,
        servedAt: m.servedAt,
        offline: true,
        offlineSince: m.offlineSince,
        provisionalSubsidyFen: m.provisionalSubsidyFen,
        ...(m.confirmOutsideHours ? { confirmOutsideHours: true } : {}),
      },
      headers: { 'Idempotency-Key': m.key },
    }),
  policyVersions: () => request<PolicyVersion[]>('GET', '/api/policy/versions'),
  meals: (canteenId: number, date?: string) =>
    request<MealList>('GET', `/api/canteens/${canteenId}/meals${date ? `?date=${enc(date)}` : ''}`),
  voidMeal: (id: string, reason: string) =>
    request<MealListItem>('POST', `/api/meals/${enc(id)}/void`, { body: { reason } }),
  registerDiner: (body: NewDiner) => request<DinerView>('POST', '/api/diners', { body }),

  // The operator's page.
  canteens: () => request<CanteenView[]>('GET', '/api/canteens'),
  updateCanteen: (
    id: number,
    body: {
      prices: Partial<Record<MealPeriod, number | null>>;
      periodHours: Partial<PeriodHours>;
      address: string | null;
    },
  ) => request<CanteenView>('PATCH', `/api/canteens/${id}`, { body }),
  users: () => request<UserView[]>('GET', '/api/users'),
  createUser: (body: { username: string; password: string; role: Role; canteenIds: number[]; displayName?: string }) =>
    request<UserView>('POST', '/api/users', { body }),
  updateUser: (id: number, body: { active?: boolean; password?: string }) =>
    request<UserView>('PATCH', `/api/users/${id}`, { body }),
  diners: (query: string) => request<DinerView[]>('GET', `/api/diners${query}`),
  setDinerStatus: (id: number, body: { status: string; effectiveFrom: string; note?: string }) =>
    request<DinerView>('POST', `/api/diners/${id}/status`, { body }),
  importDiners: (canteenId: number, file: File) => {
    const form = new FormData();
    form.append('file', file);
    return request<ImportResult>('POST', `/api/diners/import?canteenId=${canteenId}`, { form });
  },

  // The finance page.
  claims: (month: string) => request<ClaimView[]>('GET', `/api/claims?month=${enc(month)}`),
  claim: (id: number) => request<ClaimView>('GET', `/api/claims/${id}`),
  createClaim: (month: string, canteenId: number | undefined) =>
    request<ClaimView>('POST', '/api/claims', { body: { month, canteenId } }),
  lockMonth: (month: string, canteenId: number | undefined) =>
    request<unknown>('POST', `/api/months/${enc(month)}/lock`, { body: canteenId === undefined ? {} : { canteenId } }),
};

export interface NewDiner {
  name: string;
  idNumber: string;
  canteenId: number;
  phone?: string;
  cardNo?: string;
  community?: string;
}

export interface CanteenView {
  id: number;
  name: string;
  type: string;
  typeLabel: string;
  active: boolean;
  address: string | null;
  prices: Record<MealPeriod, number | null>;
  periodHours: PeriodHours;
}

export interface UserView {
  id: number;
  username: string;
  displayName: string | null;
  role: Role;
  active: boolean;
  canteenIds: number[];
}

export interface DinerView {
  id: number;
  name: string;
  maskedIdNumber: string;
  sex: 'M' | 'F';
  age: number;
  community: string | null;
  cardNo: string | null;
  status: string;
  statusLabel: string;
  statusEffectiveFrom: string | null;
}

export interface ImportResult {
  imported: number;
  skipped: number;
  rejected: { row: number; reason: string }[];
}

export interface ClaimView {
  id: number;
  month: string;
  canteenId: number | null;
  canteenName: string | null;
  version: number;
  status: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
  progress: number;
  error: string | null;
  finishedAt: string | null;
  totals: { meals: number; subsidyFen: number; diners: number } | null;
}
