// Shared helpers of the pages (plain browser JS, no build step). Keep generic: no page-specific logic here.
(function () {
  'use strict';

  const TOKEN_KEY = 'hc.token';
  const USER_KEY = 'hc.user';

  /** An API error: `message` is a zh-CN sentence for people, `code` the stable code for programs. */
  class ApiError extends Error {
    constructor(message, code, status, body) {
      super(message);
      this.name = 'ApiError';
      this.code = code;
      this.status = status;
      this.body = body;
    }
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function currentUser() {
    const raw = sessionStorage.getItem(USER_KEY);
    return raw ? JSON.parse(raw) : null;
  }

  function logout() {
    const t = token();
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
    if (t) fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + t } }).catch(() => {});
  }

  /** Calls the JSON API with the session's bearer token; throws ApiError (code NETWORK on no answer). */
  async function api(method, path, body, headers) {
    const h = Object.assign({ Accept: 'application/json' }, headers || {});
    const t = token();
    if (t) h.Authorization = 'Bearer ' + t;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError('无法连接服务器，请检查网络后重试', 'NETWORK', 0, null);
    }
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      if (res.status === 401) {
        sessionStorage.removeItem(TOKEN_KEY);
        sessionStorage.removeItem(USER_KEY);
      }
      const message = data && data.message ? data.message : '请求失败（' + res.status + '），请稍后重试';
      throw new ApiError(message, data && data.code ? data.code : 'HTTP_' + res.status, res.status, data);
    }
    return data;
  }

  /** Wires a login form (fields name=username, name=password); calls onLoggedIn(user) after success. */
  function loginForm(form, errorEl, onLoggedIn) {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      errorEl.textContent = '';
      const fd = new FormData(form);
      try {
        const res = await api('POST', '/api/auth/login', {
          username: String(fd.get('username') || ''),
          password: String(fd.get('password') || ''),
        });
        sessionStorage.setItem(TOKEN_KEY, res.accessToken);
        sessionStorage.setItem(USER_KEY, JSON.stringify(res.user));
        form.reset();
        onLoggedIn(res.user);
      } catch (e) {
        errorEl.textContent = e.message;
      }
    });
  }

  /** 1250 → '12.50' (fen to yuan text, exact). */
  function yuan(fen) {
    const sign = fen < 0 ? '-' : '';
    const abs = Math.abs(fen);
    return sign + Math.floor(abs / 100) + '.' + String(abs % 100).padStart(2, '0');
  }

  window.HC = { api, ApiError, token, currentUser, logout, loginForm, yuan };
})();
