// The one client of Grid's HTTP API for every page: bearer token, JSON, Idempotency-Key and
// If-Match, and one reader of problem details that always gives the user a Chinese sentence.
import { FIELD, label } from './labels.js';

/** The request never reached the server, or its answer never came back. */
export class NetworkError extends Error {}

/** 401 on a signed-in request: the token is gone or expired, the page must ask to sign in again. */
export class AuthError extends Error {}

/** The server answered with a problem (RFC 7807); message is Chinese, code is the server's stable code. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problemText(problem, status));
    this.status = status;
    this.problem = problem;
    this.code = (problem && typeof problem.code === 'string') ? problem.code : '';
    this.fields = fieldErrors(problem);
  }
}

// Said when the server's own text is missing or not (yet) Chinese: first by its stable code, then by status.
const BY_CODE = Object.freeze({
  not_found: '未找到',
  forbidden: '无权操作',
  conflict: '与当前状态冲突',
  version: '内容已被他人更新',
  idempotency_key_reused: '此次提交的幂等键已用于另一内容',
  invalid: '请求有误',
});

const BY_STATUS = Object.freeze({
  400: '请求有误', 401: '未登录或登录已过期', 403: '没有权限', 404: '未找到', 409: '与当前状态冲突',
  412: '内容已被他人更新', 413: '内容过大', 415: '不支持的内容类型', 422: '无法处理该请求', 429: '操作过于频繁，请稍后再试',
});

const isChinese = (s) => typeof s === 'string' && /[\u3400-\u9fff]/.test(s);

/** errors → { field: [Chinese reasons] }; a reason the server did not word in Chinese becomes 格式有误. */
function fieldErrors(problem) {
  const errors = problem && typeof problem.errors === 'object' && problem.errors ? problem.errors : {};
  return Object.fromEntries(Object.entries(errors).map(([field, reasons]) => {
    const chinese = [].concat(reasons).map(String).filter(isChinese);
    return [field, chinese.length ? chinese : ['格式有误']];
  }));
}

/**
 * A problem as one Chinese sentence: field by field when it names fields ("标题：必填。"), else its
 * detail or title, else what its code or HTTP status means.
 */
export function problemText(problem, status) {
  const fields = Object.entries(fieldErrors(problem));
  if (fields.length) return fields.map(([f, reasons]) => `${label(FIELD, f)}：${reasons.join(' ')}`).join('；');
  if (problem && isChinese(problem.detail)) return problem.detail;
  if (problem && isChinese(problem.title)) return problem.title;
  const code = problem && problem.code;
  if (code && Object.hasOwn(BY_CODE, code)) return BY_CODE[code];
  if (Object.hasOwn(BY_STATUS, status)) return BY_STATUS[status];
  return status >= 500 ? `服务器出错（${status}），请稍后再试` : `请求失败（${status}）`;
}

let bearer = null;

/** The token every following request carries (null: none). Kept by session.js. */
export function useToken(token) {
  bearer = token || null;
}

/**
 * One call: { data, etag, status }. json is sent as JSON, body as is (a photo) with contentType;
 * idempotencyKey and ifMatch set those headers.
 */
export async function request(path, { method = 'GET', json, body, contentType, idempotencyKey, ifMatch } = {}) {
  const headers = { Accept: 'application/json' };
  if (bearer) headers.Authorization = 'Bearer ' + bearer;
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  if (ifMatch) headers['If-Match'] = ifMatch;
  let payload = body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  } else if (contentType) {
    headers['Content-Type'] = contentType;
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new NetworkError('无法连接服务器，请检查网络后重试');
  }
  if (res.status === 401 && bearer) throw new AuthError('登录已过期，请重新登录');
  let data = null;
  if ((res.headers.get('Content-Type') || '').includes('json')) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return { data, etag: res.headers.get('ETag'), status: res.status };
}

/** GET's body. */
export async function get(path) {
  return (await request(path)).data;
}

/** A read a page can do without (a card, the map's tile settings): null when it fails, unless the session is over. */
export async function optional(path, options) {
  try {
    return (await request(path, options)).data;
  } catch (e) {
    if (e instanceof AuthError) throw e;
    return null;
  }
}

/** A file that needs the bearer token (a photo), as a Blob; null when it cannot be had. */
export async function blob(path) {
  try {
    const res = await fetch(path, { headers: bearer ? { Authorization: 'Bearer ' + bearer } : {} });
    return res.ok ? await res.blob() : null;
  } catch {
    return null;
  }
}

/** A fresh Idempotency-Key. crypto.randomUUID needs a secure context; a phone on plain http over the LAN has none. */
export function newKey() {
  if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A path segment from an id or code. */
export const seg = encodeURIComponent;

/**
 * The API refuses control characters in one-line text fields, and a textarea's line breaks are
 * control characters: fold them (and tabs) into single spaces before sending.
 */
export const oneLine = (s) => String(s || '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/ {2,}/g, ' ').trim();
