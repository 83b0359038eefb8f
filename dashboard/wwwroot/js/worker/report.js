// 上报: a new issue from the phone, optionally resolved on the spot (就地解决), with the worker's
// position and a before-photo. One Idempotency-Key per filled form, kept across retries: a flaky
// network must never create two issues.
import { ApiError, AuthError, NetworkError, newKey, oneLine, request } from '../api.js';
import { busy, byId, h, idle, option } from '../dom.js';
import { CATEGORY_KIND, label } from '../labels.js';
import { statusBadge } from './badges.js';
import { cellNames, myCategories, myCells } from './me.js';
import { chosen, clearPick, initPicker, photoError, uploadPhoto } from './photos.js';

const el = {
  form: byId('report-form'), cell: byId('report-cell'), category: byId('report-category'), title: byId('report-title'),
  description: byId('report-description'), name: byId('report-name'), phone: byId('report-phone'),
  locate: byId('report-locate'), location: byId('report-location'), onSpot: byId('on-spot'), onSpotBox: byId('on-spot-box'),
  onSpotNote: byId('on-spot-note'), photo: byId('report-photo'), error: byId('report-error'), submit: byId('report-submit'),
  reset: byId('report-reset'), result: byId('report-result'),
};
let key = null;           // Idempotency-Key of the form as filled
let position = null;      // {lng, lat} from the phone, if the worker asked for it
let pending = null;       // {issueId, file}: a before-photo still to upload for a created report
let onSessionOver = () => {};
let onReported = () => {};

export function initReport(onAuth, onCreated) {
  onSessionOver = onAuth;
  onReported = onCreated;
  initPicker(el.photo);
  el.form.addEventListener('submit', submit);
  el.reset.addEventListener('click', () => resetReport());
  el.locate.addEventListener('click', locate);
  el.onSpot.addEventListener('change', () => {
    el.onSpotBox.hidden = !el.onSpot.checked;
    if (el.onSpot.checked) el.onSpotNote.focus();
  });
}

/** The cell and category choices: my cells by name (chosen for me when I have one), subclasses under their class. */
export async function fillChoices() {
  const cells = myCells();
  const names = await cellNames(cells);
  const keep = el.cell.value;
  el.cell.replaceChildren(...cells.map((code) => option(code, `${names.get(code)}（${code.slice(-3)}）`)));
  if (cells.length !== 1) el.cell.prepend(option('', cells.length ? '请选择网格' : '您名下没有网格'));
  el.cell.value = cells.includes(keep) ? keep : (cells.length === 1 ? cells[0] : '');

  const categories = myCategories();
  const keepCategory = el.category.value;
  const classes = categories.filter((c) => !c.parentCode);
  const subs = categories.filter((c) => c.parentCode);
  const choice = (c) => option(c.code, c.handlingHours ? `${c.name}（${c.handlingHours}小时）` : c.name);
  const groups = classes.map((cls) => {
    const g = h('optgroup', { label: cls.name, title: label(CATEGORY_KIND, cls.kind) }, ...subs.filter((s) => s.parentCode === cls.code).map(choice));
    return g;
  }).filter((g) => g.children.length);
  const orphans = subs.filter((s) => !classes.some((c) => c.code === s.parentCode));
  if (orphans.length) groups.push(h('optgroup', { label: '其他' }, ...orphans.map(choice)));
  el.category.replaceChildren(option('', '请选择类别'), ...groups);
  if (subs.some((s) => s.code === keepCategory)) el.category.value = keepCategory;
}

/** An empty form again (after a report, on 清空重填, on sign-out); showForm also hides the last result. */
export function resetReport({ showForm = false } = {}) {
  el.form.reset();
  el.onSpotBox.hidden = true;
  el.error.textContent = '';
  clearPick(el.photo);
  el.location.textContent = '未定位（可不填）';
  position = null;
  key = null;
  if (showForm) {
    pending = null;
    el.result.hidden = true;
    el.form.hidden = false;
  }
  if (myCells().length || myCategories().length) fillChoices().catch((e) => { if (e instanceof AuthError) onSessionOver(e); });
}

function locate() {
  if (!('geolocation' in navigator)) {
    el.location.textContent = '此设备不支持定位（可不填）';
    return;
  }
  el.location.textContent = '定位中…';
  el.locate.disabled = true;
  navigator.geolocation.getCurrentPosition((pos) => {
    el.locate.disabled = false;
    const round = (x) => Math.round(x * 1e6) / 1e6;
    position = { lng: round(pos.coords.longitude), lat: round(pos.coords.latitude) };
    const accuracy = Number.isFinite(pos.coords.accuracy) ? `，误差约 ${Math.round(pos.coords.accuracy)} 米` : '';
    el.location.textContent = `已定位 ${position.lng.toFixed(5)}, ${position.lat.toFixed(5)}${accuracy}`;
  }, (err) => {
    el.locate.disabled = false;
    position = null;
    el.location.textContent = err && err.code === 1 ? '未获定位权限，可不填' : '定位失败，可不填';
  }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
}

async function submit(ev) {
  ev.preventDefault();
  el.error.textContent = '';
  const json = { cellCode: el.cell.value, categoryCode: el.category.value, title: oneLine(el.title.value) };
  const onSpot = el.onSpot.checked;
  const onSpotNote = oneLine(el.onSpotNote.value);
  const missing = [];
  if (!json.cellCode) missing.push('网格');
  if (!json.categoryCode) missing.push('类别');
  if (!json.title) missing.push('标题');
  if (onSpot && !onSpotNote) missing.push('就地解决的处理情况');
  if (missing.length) {
    el.error.textContent = '请填写：' + missing.join('、');
    return;
  }
  const file = chosen(el.photo);
  const bad = file && photoError(file);
  if (bad) { el.error.textContent = bad; return; }

  const description = oneLine(el.description.value);
  if (description) json.description = description;
  if (position) json.location = position;
  const name = oneLine(el.name.value);
  if (name) json.reporterName = name;
  const phone = el.phone.value.replace(/\s+/g, '');
  if (phone) json.reporterPhone = phone;
  if (onSpot) json.resolveOnSpot = { note: onSpotNote };

  key = key || newKey();
  busy(el.submit, '提交中…');
  let issue;
  try {
    ({ data: issue } = await request('/api/issues', { method: 'POST', json, idempotencyKey: key }));
  } catch (e) {
    idle(el.submit);
    if (e instanceof AuthError) onSessionOver(e);
    else if (e instanceof NetworkError) el.error.textContent = '网络异常，未确认是否提交成功。请在网络恢复后再点“提交上报”，不会重复上报。';
    else if (e instanceof ApiError && e.code === 'idempotency_key_reused') el.error.textContent = '此表单此前已以不同内容提交过，可能已生成事件，请先到待办或指挥中心核对；确需另报请点“清空重填”。';
    else el.error.textContent = e.message || '上报失败';
    return;
  }

  pending = file ? { issueId: issue.id, file } : null;
  resetReport();
  idle(el.submit);
  el.result.dataset.photo = 'none';
  showResult(issue);
  el.form.hidden = true;
  window.scrollTo(0, 0);
  if (pending) await uploadPending(issue);
  onReported();
}

function showResult(issue, photoProblem) {
  const r = el.result;
  r.dataset.issueId = issue.id;
  r.dataset.status = issue.status;
  const again = h('button', { type: 'button', id: 'report-again', className: 'btn btn-primary btn-block', textContent: '继续上报' });
  again.addEventListener('click', () => {
    r.hidden = true;
    el.form.hidden = false;
    el.title.focus();
  });
  const parts = [
    h('h3', { textContent: issue.status === 'resolved' ? '已上报并就地解决' : '已上报' }),
    h('p', {}, '编号 ', h('b', { textContent: issue.id })),
    h('p', {}, '状态 ', statusBadge(issue.status)),
  ];
  if (r.dataset.photo === 'uploaded') parts.push(h('p', { className: 'muted', textContent: '现场照片已上传' }));
  if (photoProblem) {
    const retry = h('button', { type: 'button', id: 'report-photo-retry', className: 'btn btn-primary btn-block', textContent: '重试上传照片' });
    retry.addEventListener('click', () => uploadPending(issue));
    parts.push(h('p', { className: 'form-error', textContent: photoProblem }), retry);
  } else if (pending && pending.issueId === issue.id) {
    parts.push(h('p', { className: 'muted', textContent: '正在上传照片…' }));
  }
  parts.push(h('a', { href: '#issue/' + encodeURIComponent(issue.id), className: 'btn btn-secondary btn-block', textContent: '查看详情' }), again);
  r.replaceChildren(...parts);
  r.hidden = false;
}

async function uploadPending(issue) {
  if (!pending || pending.issueId !== issue.id) return;
  el.result.dataset.photo = 'pending';
  showResult(issue);
  try {
    await uploadPhoto(issue.id, 'before', pending.file);
    pending = null;
    el.result.dataset.photo = 'uploaded';
    showResult(issue);
  } catch (e) {
    if (e instanceof AuthError) { onSessionOver(e); return; }
    el.result.dataset.photo = 'failed';
    showResult(issue, `事件已上报，但${e.message || '照片上传失败'}`);
  }
}
