// One issue on the phone: facts, photos, history, and the worker's two steps on it, 开始处置 and
// 办结 (with an after-photo). Every step carries the version seen (If-Match); when someone moved
// the issue on first, the page reloads it and says so.
import { ApiError, AuthError, blob, oneLine, request, seg } from '../api.js';
import { busy, byId, h, idle, row } from '../dom.js';
import { ISSUE_ACTION, ISSUE_SOURCE, ISSUE_STATUS, PHOTO_KIND, label } from '../labels.js';
import { full, parseUtc, short } from '../time.js';
import { isOverdue, overdueBadge, setDeadline, statusBadge } from './badges.js';
import { actorName, cellNames, isMine } from './me.js';
import { chosen, clearPick, initPicker, photoError, uploadPhoto } from './photos.js';

const el = {
  detail: byId('issue-detail'), status: byId('issue-status'), title: byId('issue-title'), badges: byId('issue-badges'),
  facts: byId('issue-facts'), description: byId('issue-description'), message: byId('detail-message'),
  actions: byId('actions'), start: byId('start'), resolveForm: byId('resolve-form'), note: byId('resolve-note'),
  photo: byId('resolve-photo'), resolve: byId('resolve'), noAction: byId('no-action'),
  photos: byId('issue-photos'), photosEmpty: byId('issue-photos-empty'), history: byId('issue-history'),
};
let issue = null;        // the issue on screen
let cell = '';           // its cell's name
let etag = null;         // its version ("N"), sent back as If-Match
let seq = 0;             // discards answers for an issue the user already left
let photoUrls = [];      // object URLs of the shown photos, revoked on re-render
let photoSeq = 0;
let onSessionOver = () => {};
let onChanged = () => {};

/** onAuth(error) when the session is over; onMoved() after the issue changed (the inbox reloads). */
export function initIssue(onAuth, onMoved) {
  onSessionOver = onAuth;
  onChanged = onMoved;
  el.start.textContent = ISSUE_ACTION.start;
  el.resolve.textContent = ISSUE_ACTION.resolve;
  el.start.addEventListener('click', start);
  el.resolveForm.addEventListener('submit', resolve);
  initPicker(el.photo);
}

export async function openIssue(id) {
  notice('');
  if (!issue || issue.id !== id) {
    issue = null;
    etag = null;
    el.note.value = '';
    clearPick(el.photo);
    render();
    el.title.textContent = '加载中…';
  }
  try {
    await load(id);
  } catch (e) {
    if (e instanceof AuthError) { onSessionOver(e); return; }
    notice(e.status === 404 ? '找不到该事件' : e.message, 'error');
    el.title.textContent = '无法加载事件';
  }
}

export function closeIssue() {
  seq++;
  photoSeq++;
  issue = null;
  etag = null;
  revokePhotos();
  el.photos.replaceChildren();
  delete el.photos.dataset.issueId;
}

async function load(id) {
  const mine = ++seq;
  const { data, etag: version } = await request(`/api/issues/${seg(id)}`);
  const names = await cellNames([data.cellCode]);
  if (mine !== seq) return;
  show(data, version, names.get(data.cellCode));
}

function show(data, version, cellName) {
  issue = data;
  etag = version || `"${data.version}"`;
  cell = cellName || data.cellCode;
  render();
}

function render() {
  el.detail.dataset.issueId = issue ? issue.id : '';
  el.detail.dataset.status = issue ? issue.status : '';
  el.status.replaceChildren(...(issue ? [statusBadge(issue.status)] : []));
  el.title.textContent = issue ? issue.title : '';
  el.badges.replaceChildren();
  el.facts.replaceChildren();
  el.description.textContent = issue ? (issue.description || '') : '';
  el.description.hidden = !(issue && issue.description);
  el.history.replaceChildren();
  renderActions();
  renderPhotos();
  if (!issue) return;

  const chips = [];
  if (isOverdue(issue) || issue.overdue) chips.push(overdueBadge(issue));
  if (issue.reworkCount > 0) chips.push(chip(`返工 ${issue.reworkCount} 次`));
  if (issue.reopenCount > 0) chips.push(chip(`重新办理 ${issue.reopenCount} 次`));
  if (issue.source) chips.push(chip(label(ISSUE_SOURCE, issue.source)));
  for (const c of chips) c.hidden = false;
  el.badges.replaceChildren(...chips);

  row(el.facts, '编号', issue.id);
  row(el.facts, '网格', cell);
  row(el.facts, '类别', issue.categoryName || issue.categoryCode);
  if (issue.deadlineUtc) setDeadline(row(el.facts, '时限', ''), issue).classList.add('deadline');
  const created = parseUtc(issue.createdUtc);
  if (created) row(el.facts, '上报', `${full(created)} · ${actorName(issue.reportedBy)}`);
  if (issue.assignee) row(el.facts, '承办', issue.assignee.name || issue.assignee.id);
  if (issue.reporterName || issue.reporterPhone) row(el.facts, '反映人', reporter());
  if (issue.location && Number.isFinite(+issue.location.lng)) {
    row(el.facts, '位置', `${(+issue.location.lng).toFixed(5)}, ${(+issue.location.lat).toFixed(5)}`);
  }

  const history = Array.isArray(issue.history) ? [...issue.history].sort((a, b) => b.seq - a.seq) : [];
  el.history.replaceChildren(...history.map((step) => {
    const at = parseUtc(step.atUtc);
    const time = h('time');
    if (at) { time.dateTime = at.toISOString(); time.textContent = full(at); }
    const what = h('div', { className: 'h-what' }, h('b', { textContent: label(ISSUE_ACTION, step.action) }), ' ', actorName(step.actor));
    if (step.toStatus && step.fromStatus !== step.toStatus) what.append(` → ${label(ISSUE_STATUS, step.toStatus)}`);
    return h('li', { dataset: { action: step.action } }, time, what, step.note ? h('div', { className: 'h-note', textContent: step.note }) : null);
  }));
}

/** The resident who raised it; the phone number dials when the worker may see it unmasked. */
function reporter() {
  const who = h('span', {}, issue.reporterName || '');
  if (!issue.reporterPhone) return who;
  if (issue.reporterName) who.append(' ');
  const dial = !issue.masked && /^[\d-]+$/.test(issue.reporterPhone);
  who.append(dial ? h('a', { href: 'tel:' + issue.reporterPhone, textContent: issue.reporterPhone }) : issue.reporterPhone);
  return who;
}

const chip = (text) => h('span', { className: 'badge badge-info', textContent: text });

function renderActions() {
  const mine = isMine(issue);
  el.start.hidden = !(issue && mine && issue.status === 'dispatched');
  el.resolveForm.hidden = !(issue && mine && issue.status === 'in_progress');
  let why = '';
  if (issue && el.start.hidden && el.resolveForm.hidden) {
    if (issue.status === 'resolved') why = '已办结，等待社区核查结案。';
    else if (issue.status === 'closed') why = '已核查结案。';
    else if (issue.status === 'rejected') why = '社区不予立案。';
    else if (!mine && issue.assignee) why = `该事件由 ${issue.assignee.name || issue.assignee.id} 办理。`;
    else if (issue.status === 'reported' || issue.status === 'accepted') why = '等待社区受理派遣。';
  }
  el.noAction.textContent = why;
  el.noAction.hidden = !why;
  el.actions.hidden = !issue || (el.start.hidden && el.resolveForm.hidden && !why);
}

function revokePhotos() {
  for (const u of photoUrls) URL.revokeObjectURL(u);
  photoUrls = [];
}

/** Photos need the bearer token, so they are fetched as blobs rather than linked. */
function renderPhotos() {
  const photos = issue && Array.isArray(issue.photos) ? issue.photos : [];
  const owner = issue ? issue.id : '';
  const onScreen = new Set(Array.from(el.photos.children, (f) => f.dataset.photoId));
  el.photosEmpty.hidden = photos.length > 0;
  if (el.photos.dataset.issueId === owner && photos.length === onScreen.size && photos.every((p) => onScreen.has(p.id))) return;
  revokePhotos();
  el.photos.dataset.issueId = owner;
  const mine = ++photoSeq;
  el.photos.replaceChildren(...photos.map((p) => {
    const name = label(PHOTO_KIND, p.kind);
    const at = parseUtc(p.atUtc);
    const img = h('img', { alt: name });
    blob(`/api/issues/${seg(issue.id)}/photos/${seg(p.id)}`).then((b) => {
      // Without it the caption still says a photo is there.
      if (!b || mine !== photoSeq) return;
      const url = URL.createObjectURL(b);
      photoUrls.push(url);
      img.src = url;
    });
    return h('figure', { className: 'photo', dataset: { photoId: p.id, kind: p.kind } }, img,
      h('figcaption', { textContent: `${name}${at ? ' · ' + short(at) : ''}` }));
  }));
}

function notice(text, kind = 'info') {
  el.message.textContent = text;
  el.message.dataset.kind = kind;
  el.message.hidden = !text;
  if (text) el.message.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

/** 409: someone else moved the issue on; 412: our version is stale. Either way: reload, then say so. */
async function failed(e, id) {
  if (e instanceof AuthError) { onSessionOver(e); return; }
  if (e instanceof ApiError && (e.status === 409 || e.status === 412)) {
    const what = e.status === 409
      ? '事件状态已变化（可能已有他人处理），已为您重新加载。'
      : '事件已被更新，您看到的不是最新版本，已为您重新加载，请确认后重试。';
    try {
      await load(id);
    } catch (again) {
      if (again instanceof AuthError) { onSessionOver(again); return; }
    }
    notice(`${what}（${e.message}）`, 'warn');
    onChanged();
    return;
  }
  notice(e.message || '操作失败', 'error');
}

/** A step on the issue with the version seen; the answer is the issue after it. */
async function step(action, json) {
  const { data, etag: version } = await request(`/api/issues/${seg(issue.id)}/${action}`, { method: 'POST', json, ifMatch: etag });
  seq++;
  show(data, version, cell);
}

async function start() {
  if (!issue) return;
  const id = issue.id;
  notice('');
  busy(el.start, '提交中…');
  try {
    await step('start', {});
    notice('已开始处置。办结时请填写处置情况。', 'ok');
    el.note.focus({ preventScroll: true });
    onChanged();
  } catch (e) {
    await failed(e, id);
  } finally {
    idle(el.start);
  }
}

async function resolve(ev) {
  ev.preventDefault();
  if (!issue) return;
  const id = issue.id;
  notice('');
  const note = oneLine(el.note.value);
  if (!note) {
    notice('请填写处置情况', 'error');
    el.note.focus();
    return;
  }
  const file = chosen(el.photo);
  const bad = file && photoError(file);
  if (bad) { notice(bad, 'error'); return; }
  busy(el.resolve, file ? '上传照片…' : '提交中…');
  try {
    if (file) {
      await uploadPhoto(id, 'after', file);
      // A photo bumps the issue's version: take the new ETag before resolving.
      el.resolve.textContent = '提交中…';
      await load(id);
      if (issue.status !== 'in_progress') {
        notice('照片已上传，但事件状态已变化（可能已有他人处理），请查看最新状态。', 'warn');
        return;
      }
    }
    await step('resolve', { note });
    el.note.value = '';
    clearPick(el.photo);
    notice(file ? '办结成功，照片已上传。' : '办结成功。', 'ok');
    onChanged();
  } catch (e) {
    await failed(e, id);
  } finally {
    idle(el.resolve);
  }
}
