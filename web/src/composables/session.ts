// The session shared by every screen: the token and the signed-in person, kept in sessionStorage (one tab, gone
// when the browser closes). When the server ends the session, `ended` turns true: the login form appears in place,
// and every request waiting on it carries on after the next login.
import { reactive, readonly } from 'vue';
import type { Role } from '@server/common/enums';
import { api, type SessionUser, useSessionHooks } from '../api/http';

const TOKEN_KEY = 'hc.token';
const USER_KEY = 'hc.user';

function storedUser(): SessionUser | null {
  try {
    const raw = sessionStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as SessionUser) : null;
  } catch {
    return null;
  }
}

const state = reactive({
  token: sessionStorage.getItem(TOKEN_KEY),
  user: storedUser(),
  /** The server ended the session while the page was in use: show the login form in place. */
  ended: false,
});

let waiting: (() => void)[] = [];

function store(token: string | null, user: SessionUser | null): void {
  state.token = token;
  state.user = user;
  if (token && user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  }
}

useSessionHooks({
  token: () => state.token,
  ended: () =>
    new Promise<void>((resolve) => {
      state.ended = true;
      state.token = null;
      sessionStorage.removeItem(TOKEN_KEY);
      waiting.push(resolve);
    }),
});

export const session = readonly(state);

export async function login(username: string, password: string): Promise<SessionUser> {
  const answer = await api.login(username, password);
  store(answer.accessToken, answer.user);
  state.ended = false;
  const resume = waiting;
  waiting = [];
  for (const r of resume) r();
  return answer.user;
}

export function logout(): void {
  const token = state.token;
  store(null, null);
  state.ended = false;
  waiting = [];
  if (token) api.logout(token).catch(() => undefined);
}

/** The page each role lands on after login. */
export function homeOf(role: Role): string {
  // The reviewer lands on its queue of claims (申报审核), which the district (辖区) and statistics sit beside.
  if (role === 'ADMIN') return '/admin';
  if (role === 'REVIEWER') return '/review';
  return role === 'CASHIER' ? '/till' : role === 'FINANCE' ? '/finance' : '/operator';
}

export const ROLE_LABELS: Record<Role, string> = {
  CASHIER: '收银员',
  OPERATOR: '站点管理员',
  FINANCE: '街道财务',
  REVIEWER: '区民政审核',
  ADMIN: '系统管理员',
};
