// The sign-in session shared by every Grid page: one token under one pair of sessionStorage keys
// (signing in on one page serves the others), the login panel every page has, sign-out, and
// which page is each role's own.
import { request, useToken, ApiError } from './api.js';
import { byId } from './dom.js';
import { ROLE, label } from './labels.js';

const TOKEN_KEY = 'grid.token';
// Kept beside the token so a wall screen left overnight falls back to login instead of
// silently showing a stale map with a dead token.
const EXPIRES_KEY = 'grid.tokenExpiresAt';

function forget() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(EXPIRES_KEY);
}

/** The stored token, or null when there is none or it has expired (an expired one is removed). */
function stored() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  const exp = Number(sessionStorage.getItem(EXPIRES_KEY) || 0);
  if (exp && Date.now() >= exp) { forget(); return null; }
  return token;
}

function keep(token, expiresIn) {
  sessionStorage.setItem(TOKEN_KEY, token);
  const secs = Number(expiresIn);
  if (secs > 0) sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + secs * 1000));
  else sessionStorage.removeItem(EXPIRES_KEY);
}

/** setTimeout overflows past ~24.8 days; a token that long-lived needs no timer. */
function whenExpired(onExpired) {
  const exp = Number(sessionStorage.getItem(EXPIRES_KEY) || 0);
  if (!exp) return 0;
  const ms = exp - Date.now();
  return ms < 2 ** 31 - 1 ? setTimeout(onExpired, Math.max(0, ms)) : 0;
}

async function requestToken(username, password) {
  try {
    const { data } = await request('/api/auth/token', { method: 'POST', json: { username, password } });
    if (!data || !data.access_token) throw new Error('登录失败：服务器未返回令牌');
    return data;
  } catch (e) {
    // The server does not say which of the two was wrong, and neither does the page.
    if (e instanceof ApiError && (e.status === 401 || e.status === 400)) throw new Error('用户名或密码错误');
    throw e;
  }
}

/** Each role's own page: where the login panel's hint sends someone who opened another one. */
const HOME = Object.freeze({
  admin: { path: '/', name: '指挥中心' },
  committee: { path: '/', name: '指挥中心' },
  grid_worker: { path: '/worker.html', name: '网格员手机页' },
  scheduler: { path: '/scheduler.html', name: '活动调度' },
});

export const pageFor = (role) => (Object.hasOwn(HOME, role) ? HOME[role] : null);

/**
 * Runs a page's session on its login panel (#login-panel, #login-form, #username, #password,
 * #login-error), its #app and its #logout button. onSignedIn(token) runs with the app shown;
 * onSignedOut clears what the page showed. Returns signOut(message), for a page that finds its
 * session over; a stored session is entered only after this returns, so the page has signOut by then.
 */
export function startSession({ onSignedIn, onSignedOut }) {
  const panel = byId('login-panel');
  const form = byId('login-form');
  const username = byId('username');
  const password = byId('password');
  const error = byId('login-error');
  const app = byId('app');
  const logout = byId('logout');
  let expiry = 0;
  let signedIn = false;

  function showLogin(message) {
    app.hidden = true;
    logout.hidden = true;
    panel.hidden = false;
    error.textContent = message || '';
    password.value = '';
    (username.value ? password : username).focus();
  }

  async function enter(token) {
    useToken(token);
    signedIn = true;
    clearTimeout(expiry);
    expiry = whenExpired(() => signOut('登录已过期，请重新登录'));
    panel.hidden = true;
    app.hidden = false;
    logout.hidden = false;
    await onSignedIn(token);
  }

  function signOut(message) {
    // Let the page use the token on its way out (closing the Orleans dashboard's cookie) before it goes.
    if (signedIn) onSignedOut();
    signedIn = false;
    forget();
    useToken(null);
    clearTimeout(expiry);
    showLogin(message);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = username.value.trim();
    if (!name || !password.value) {
      error.textContent = '请输入用户名和密码';
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    error.textContent = '';
    try {
      const body = await requestToken(name, password.value);
      keep(body.access_token, body.expires_in);
      password.value = '';
      await enter(body.access_token);
    } catch (e) {
      error.textContent = e.message || '登录失败';
    } finally {
      button.disabled = false;
    }
  });
  logout.addEventListener('click', () => signOut(''));

  queueMicrotask(() => {
    const token = stored();
    if (token) enter(token);
    else showLogin('');
  });
  return signOut;
}

/** A line for someone signed in on a page not meant for their role, naming their own page; '' when it is theirs. */
export function notMyPage(me, pageName, ...roles) {
  if (!me || roles.includes(me.role)) return '';
  const home = pageFor(me.role);
  const who = label(ROLE, me.role) || '其他角色';
  return `本页面供${pageName}使用；您的账号是${who}，部分功能可能不可用` + (home ? `，请使用「${home.name}」（${home.path}）。` : '。');
}
