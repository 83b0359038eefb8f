// The community's recurring activities (活动计划): the list with each rule in words, and the form
// that creates, changes or deletes one.
import { AuthError, get, request, seg } from '../api.js';
import { byId, h, option } from '../dom.js';
import { ACTIVITY_KIND, SATURDAY } from '../labels.js';
import { dayAndTime } from '../time.js';

const list = byId('schedule-list');
const form = byId('schedule-form');
const field = (name) => byId('f-' + name);
const error = byId('form-error');
let community = null;
let onChanged = async () => {};
let onError = () => {};

/** 3天, 2小时, 30分钟. */
export const leadText = (m) => (m % 1440 === 0 ? `${m / 1440}天` : m % 60 === 0 ? `${m / 60}小时` : `${m}分钟`);

function parseLeads(text) {
  return text.split(/[,，、\s]+/).filter(Boolean).map((t) => {
    const m = /^(\d+)\s*(天|d|小时|h|分钟|m)?$/.exec(t.trim());
    if (!m) throw new Error(`无法识别提醒时间「${t}」`);
    const n = Number(m[1]);
    return m[2] === '天' || m[2] === 'd' ? n * 1440 : m[2] === '小时' || m[2] === 'h' ? n * 60 : n;
  });
}

const words = (text) => text.split(/[,，、]/).map((s) => s.trim()).filter(Boolean);

function ruleText(s) {
  const when = s.saturday ? `每月${SATURDAY[s.saturday]}星期六 ${s.startTime}` : `cron「${s.cron}」`;
  return `${when} · ${s.durationMinutes} 分钟 · 提前 ${(s.reminderLeadMinutes || []).map(leadText).join('、') || '不'}提醒`;
}

/** onSaved runs after a save or delete; a failure that is not the form's own goes to onFailure. */
export function initSchedules(onSaved, onFailure) {
  onChanged = onSaved;
  onError = onFailure;
  field('kind').replaceChildren(...Object.entries(ACTIVITY_KIND).map(([v, t]) => option(v, t)));
  field('saturday').replaceChildren(...Object.entries(SATURDAY).map(([v, t]) => option(v, `每月${t}星期六`)), option('', '自定义 cron 规则'));
  field('saturday').addEventListener('change', syncRule);
  byId('new-schedule').addEventListener('click', () => edit(null));
  byId('cancel-form').addEventListener('click', () => { form.hidden = true; });
  form.addEventListener('submit', save);
  byId('delete-schedule').addEventListener('click', remove);
}

export function showCommunity(code) {
  community = code;
  form.hidden = true;
  list.replaceChildren();
}

export async function loadSchedules() {
  if (!community) return;
  const schedules = (await get(`/api/communities/${seg(community)}/schedules`)) || [];
  const items = schedules.map((s) => {
    const li = h('li', {}, h('b', { textContent: s.title }), h('div', { className: 'muted small', textContent: ruleText(s) }),
      h('div', { className: 'small', textContent: '下次：' + (s.nextStartsUtc || []).slice(0, 2).map(dayAndTime).join('；') }));
    li.addEventListener('click', () => edit(s));
    return li;
  });
  list.replaceChildren(...(items.length ? items : [h('li', { className: 'muted', textContent: '暂无活动计划' })]));
}

function edit(s) {
  form.hidden = false;
  byId('form-title').textContent = s ? '编辑活动计划' : '新建活动计划';
  field('id').value = s ? s.id : 'red-saturday';
  field('id').readOnly = !!s;
  field('title').value = s ? s.title : '红色星期六主题党日';
  field('kind').value = s ? s.kind : 'red_saturday';
  field('saturday').value = s ? (s.saturday || '') : 'first';
  field('cron').value = s && !s.saturday ? s.cron : '';
  field('start').value = s ? s.startTime : '09:00';
  field('duration').value = s ? s.durationMinutes : 180;
  field('place').value = s ? s.place : '';
  field('theme').value = s ? s.defaultTheme : '';
  field('leads').value = s ? (s.reminderLeadMinutes || []).map(leadText).join(',') : '3天,2小时';
  field('branches').value = s ? (s.branches || []).join(',') : '';
  field('placed').checked = s ? s.includePlacedMembers : false;
  field('posts').value = s ? (s.posts || []).join(',') : '签到引导,秩序维护';
  byId('delete-schedule').hidden = !s;
  error.textContent = '';
  syncRule();
  field('title').focus();
}

function syncRule() {
  const custom = field('saturday').value === '';
  byId('cron-row').hidden = !custom;
  byId('time-row').hidden = custom;
}

const schedulePath = () => `/api/communities/${seg(community)}/schedules/${seg(field('id').value.trim())}`;

async function save(e) {
  e.preventDefault();
  error.textContent = '';
  try {
    const saturday = field('saturday').value;
    const json = {
      title: field('title').value.trim(), kind: field('kind').value,
      durationMinutes: Number(field('duration').value), place: field('place').value.trim(), defaultTheme: field('theme').value.trim(),
      reminderLeadMinutes: parseLeads(field('leads').value), branches: words(field('branches').value),
      includePlacedMembers: field('placed').checked, posts: words(field('posts').value),
      ...(saturday ? { saturday, startTime: field('start').value } : { cron: field('cron').value.trim() }),
    };
    await request(schedulePath(), { method: 'PUT', json });
    form.hidden = true;
    await onChanged();
  } catch (err) {
    // The form says what was wrong with it; a session that ended goes to the page.
    if (err instanceof AuthError) onError(err); else error.textContent = err.message;
  }
}

async function remove() {
  if (!confirm(`删除活动计划「${field('title').value}」？尚未举行的活动将取消。`)) return;
  try {
    await request(schedulePath(), { method: 'DELETE' });
    form.hidden = true;
    await onChanged();
  } catch (err) { onError(err); }
}
