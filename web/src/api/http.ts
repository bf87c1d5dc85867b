// Every call the web app makes to the server goes through this module, on the client generated from the OpenAPI
// document (client.ts, schema.d.ts): paths, parameters, bodies and answers are the server's own types, so a changed
// DTO breaks `npm run typecheck` instead of a page. What it adds to the generated client: the session's bearer token,
// a session that ends (the request waits for a new login, then is sent again, SPEC §4), errors thrown as ApiError
// ({ statusCode, code, message }), and downloads.
//
// New code: `await call(client.GET('/api/…', { params: { path: {…}, query: {…} } }))` answers the typed body or
// throws ApiError; types of answers are `Schemas['SomethingDto']`. The `api` object below names the calls the pages
// share. Never write an answer type by hand: regenerate with `npm run api:generate`.
import type { MealPeriod, Verification } from '@server/common/enums';
import { createApiClient, type components } from './client';
import type { OfflineMeal } from '../till/offline-outbox';

/** Every schema of the API document: `Schemas['DinerViewDto']`. */
export type Schemas = components['schemas'];

export type SessionUser = Schemas['AuthUserDto'];
export type LoginAnswer = Schemas['LoginAnswerDto'];
export type TillAnswer = Schemas['TillDto'];
export type TillCanteen = Schemas['TillCanteenDto'];
export type DinerBrief = Schemas['DinerBriefDto'];
export type QuoteWarning = Schemas['QuoteWarningDto'];
export type MealQuote = Schemas['MealQuoteDto'];
export type RecordedMeal = Schemas['RecordedMealDto'];
export type MealListItem = Schemas['MealListItemDto'];
export type MealTotals = Schemas['MealTotalsDto'];
export type MealList = Schemas['MealDayDto'];
export type NewDiner = Schemas['CreateDinerDto'];
export type CanteenView = Schemas['CanteenViewDto'];
export type UserView = Schemas['UserViewDto'];
export type DinerView = Schemas['DinerViewDto'];
export type ImportResult = Schemas['ImportResultDto'];
export type ClaimView = Schemas['ClaimViewDto'];

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

const networkError = (): ApiError => new ApiError('无法连接服务器，请检查网络后重试', 'NETWORK', 0);

/**
 * fetch with the session: the current token on every attempt; a 401 waits for a new login and sends the same
 * request again (a clone: its body is read once per attempt).
 */
async function sessionFetch(request: Request): Promise<Response> {
  for (;;) {
    const headers = new Headers(request.headers);
    const token = hooks.token();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    let res: Response;
    try {
      res = await fetch(new Request(request.clone(), { headers }));
    } catch {
      throw networkError();
    }
    if (res.status !== 401) return res;
    await hooks.ended();
  }
}

/** fetch without the session: the login itself, and a logout that names its own token. */
async function plainFetch(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    throw networkError();
  }
}

/** The generated client, with the session (token, 401 → login → again). */
export const client = createApiClient({ fetch: sessionFetch });
const anonymous = createApiClient({ fetch: plainFetch });

/** The error an answer other than 2xx carries; `body` is the parsed JSON, if any. */
function apiErrorOf(res: Response, body: unknown): ApiError {
  const err = (body ?? {}) as { code?: unknown; message?: unknown };
  return new ApiError(
    typeof err.message === 'string' ? err.message : `请求失败（${res.status}），请稍后重试`,
    typeof err.code === 'string' ? err.code : `HTTP_${res.status}`,
    res.status,
    body,
  );
}

/** The body of a call that succeeded, or throws ApiError: `await call(client.GET(…))`. */
export async function call<D>(pending: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await pending;
  if (response.ok) return data as D;
  throw apiErrorOf(response, error);
}

/** A file the server sends (a workbook, an export): fetched with the session, handed to the browser as a download. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await sessionFetch(new Request(new URL(path, location.origin)));
  if (!res.ok) throw apiErrorOf(res, await res.json().catch(() => null));
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

/** A page of a list: every list of the API answers `{ items, total, page, pageSize }` (docs/API.md "Lists"). */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** The largest page the server gives. */
export const PAGE_SIZE_MAX = 200;

/**
 * Every item of a list the page needs whole (the canteens of a picker, a month's claims): page after page of the
 * largest size until `total` is reached.
 */
export async function allPages<T>(pageOf: (page: number, pageSize: number) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const p = await pageOf(page, PAGE_SIZE_MAX);
    items.push(...p.items);
    if (p.items.length === 0 || items.length >= p.total) return items;
  }
}

/** How the register is searched: a whole ID number, a card number, or part of a name or community. */
export type DinerSearch = { idNumber: string } | { cardNo: string } | { q: string } | Record<string, never>;

export const api = {
  login: (username: string, password: string) =>
    call(anonymous.POST('/api/auth/login', { body: { username, password } })),
  me: () => call(client.GET('/api/auth/me')),
  changePassword: (currentPassword: string, newPassword: string) =>
    call(client.POST('/api/auth/password', { body: { currentPassword, newPassword } })),
  logout: (token: string) =>
    call(anonymous.POST('/api/auth/logout', { headers: { Authorization: `Bearer ${token}` } })),

  till: () => call(client.GET('/api/till')),
  quote: (canteenId: number, who: DinerKey, mealPeriod: MealPeriod) =>
    call(
      client.GET('/api/canteens/{canteenId}/meals/quote', {
        params: { path: { canteenId }, query: { mealPeriod, ...who } },
      }),
    ),
  /** One Idempotency-Key per meal, the same on every retry: the server records it once. */
  recordMeal: (canteenId: number, idempotencyKey: string, who: DinerKey, body: RecordMealBody) =>
    call(
      client.POST('/api/canteens/{canteenId}/meals', {
        params: { path: { canteenId }, header: { 'Idempotency-Key': idempotencyKey } },
        body: { ...who, ...body },
      }),
    ).then((answer): RecordedMeal => {
      // Only an offline meal is answered 202 (an offline conflict); an online one never is.
      if ('underCollectedFen' in answer) throw new ApiError('服务器答复异常，请重试', 'UNEXPECTED_ANSWER', 202, answer);
      return answer;
    }),
  /** SPEC §4 "Offline": a meal the till kept while offline, with its own key; a 202 is a kept offline conflict. */
  recordOfflineMeal: (m: OfflineMeal) =>
    call(
      client.POST('/api/canteens/{canteenId}/meals', {
        params: { path: { canteenId: m.canteenId }, header: { 'Idempotency-Key': m.key } },
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
      }),
    ),
  policyVersions: () =>
    allPages((page, pageSize) => call(client.GET('/api/policy/versions', { params: { query: { page, pageSize } } }))),
  meals: (canteenId: number, date?: string) =>
    call(client.GET('/api/canteens/{canteenId}/meals', { params: { path: { canteenId }, query: { date } } })),
  voidMeal: (id: string, reason: string) =>
    call(client.POST('/api/meals/{id}/void', { params: { path: { id } }, body: { reason } })),
  explainMeal: (id: string, note: string) =>
    call(client.POST('/api/meals/{id}/explanation', { params: { path: { id } }, body: { note } })),
  registerDiner: (body: NewDiner) => call(client.POST('/api/diners', { body })),

  // The operator's page.
  /** Every canteen within reach. */
  canteens: () =>
    allPages((page, pageSize) => call(client.GET('/api/canteens', { params: { query: { page, pageSize } } }))),
  updateCanteen: (id: number, body: Schemas['UpdateCanteenDto']) =>
    call(client.PATCH('/api/canteens/{id}', { params: { path: { id } }, body })),
  /** Every user within reach. */
  users: () => allPages((page, pageSize) => call(client.GET('/api/users', { params: { query: { page, pageSize } } }))),
  createUser: (body: Schemas['CreateUserDto']) => call(client.POST('/api/users', { body })),
  updateUser: (id: number, body: Schemas['UpdateUserDto']) =>
    call(client.PATCH('/api/users/{id}', { params: { path: { id } }, body })),
  /** The first page of diners found. */
  diners: (search: DinerSearch) => call(client.GET('/api/diners', { params: { query: search } })),
  setDinerStatus: (id: number, body: Schemas['DinerStatusDto']) =>
    call(client.POST('/api/diners/{id}/status', { params: { path: { id } }, body })),
  importDiners: (canteenId: number, file: File) => {
    const form = new FormData();
    form.append('file', file);
    return call(
      client.POST('/api/diners/import', {
        params: { query: { canteenId } },
        // multipart: the browser writes the boundary; the document describes the field as `file`.
        body: form as never,
        bodySerializer: (b: unknown) => b as FormData,
      }),
    );
  },

  // The finance page.
  /** Every claim of a month within reach. */
  claims: (month: string) =>
    allPages((page, pageSize) => call(client.GET('/api/claims', { params: { query: { month, page, pageSize } } }))),
  // Review and payment (SPEC §5): the reviewer's queue, the findings, the steps, the history.
  /** The district's claims in one review status; `subdistrictId` narrows them to one sub-district (within reach). */
  claimsInReview: (reviewStatus: Schemas['ClaimViewDto']['reviewStatus'], subdistrictId?: number) =>
    allPages((page, pageSize) =>
      call(client.GET('/api/claims', { params: { query: { reviewStatus, subdistrictId, page, pageSize } } })),
    ),
  claimChecks: (id: number) => call(client.GET('/api/claims/{id}/checks', { params: { path: { id } } })),
  claimHistory: (id: number) => call(client.GET('/api/claims/{id}/history', { params: { path: { id } } })),
  submitClaim: (id: number, acknowledgements: Schemas['AcknowledgementDto'][]) =>
    call(client.POST('/api/claims/{id}/submit', { params: { path: { id } }, body: { acknowledgements } })),
  returnClaim: (id: number, reason: string) =>
    call(client.POST('/api/claims/{id}/return', { params: { path: { id } }, body: { reason } })),
  approveClaim: (id: number) => call(client.POST('/api/claims/{id}/approve', { params: { path: { id } } })),
  payClaim: (id: number, paidOn: string, reference: string) =>
    call(client.POST('/api/claims/{id}/pay', { params: { path: { id } }, body: { paidOn, reference } })),
  claim: (id: number) => call(client.GET('/api/claims/{id}', { params: { path: { id } } })),
  createClaim: (month: string, canteenId: number | undefined) =>
    call(client.POST('/api/claims', { body: { month, canteenId } })),
  lockMonth: (month: string, canteenId: number | undefined) =>
    call(
      client.POST('/api/months/{month}/lock', {
        params: { path: { month } },
        body: canteenId === undefined ? {} : { canteenId },
      }),
    ),
};
