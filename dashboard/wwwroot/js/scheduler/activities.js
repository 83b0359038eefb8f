// The coming occurrences with their counts, and the one opened: reminders sent, who signed up,
// took leave or signed in, the venue sign-in code to show on a screen, and closing it for points.
import { get, request, seg } from '../api.js';
import { byId, h, row } from '../dom.js';
import { ACTIVITY_STATUS, ATTENDANCE, label } from '../labels.js';
import { dayAndTime, hourMinute } from '../time.js';
import { leadText } from './schedules.js';

const CODE_REFRESH_MS = 30_000;
const el = {
  rows: byId('activity-rows'), empty: byId('activities-empty'), detail: byId('activity-detail'),
  title: byId('detail-title'), meta: byId('detail-meta'), counts: byId('detail-counts'),
  reminders: byId('reminder-progress'), people: byId('people-rows'), close: byId('close-activity'),
  venue: byId('venue-code'), code: byId('code-value'), until: byId('code-until'),
};
let community = null;
let selected = null;
let codeTimer = 0;
let onError = () => {};

const td = (text, className = '') => h('td', { className, textContent: text ?? '' });
const badge = (value, text) => h('span', { className: 'state', dataset: { state: value }, textContent: text });
const titleOf = (a) => (a.theme ? `${a.title} · ${a.theme}` : a.title);

export function initActivities(onFailure) {
  onError = onFailure;
  el.close.addEventListener('click', async () => {
    if (!selected || !confirm('结束活动后考勤即为最终结果，并按积分规则计分。确定结束？')) return;
    try {
      await request(`/api/activities/${seg(selected)}/close`, { method: 'POST' });
      await loadActivities();
    } catch (e) { onError(e); }
  });
}

/** Shows another community's activities (null: none), closing the open one. */
export function showCommunity(code) {
  community = code;
  selected = null;
  clearInterval(codeTimer);
  el.detail.hidden = true;
  el.rows.replaceChildren();
}

export async function loadActivities() {
  if (!community) return;
  const list = (await get(`/api/communities/${seg(community)}/activities`)) || [];
  const rows = list.map((a) => {
    const c = a.counts || {};
    const tr = h('tr', { dataset: { id: a.id, status: a.status } },
      td(dayAndTime(a.startUtc)), td(titleOf(a)), h('td', {}, badge(a.status, label(ACTIVITY_STATUS, a.status))),
      td(c.expected, 'num'), td(c.signedUp, 'num'), td(c.onLeave, 'num'), td(c.signedIn, 'num'), td(a.remindersSent, 'num'));
    if (a.id === selected) tr.classList.add('selected');
    tr.addEventListener('click', () => openActivity(a.id).catch(onError));
    return tr;
  });
  el.rows.replaceChildren(...rows);
  el.empty.hidden = rows.length > 0;
  if (selected) await openActivity(selected);
}

/** An activity live event for the community on screen: counts only arrive live, so the page reloads. */
export const concerns = (msg) => !!(msg && community && typeof msg.activityId === 'string' && msg.activityId.startsWith(community));

async function openActivity(id) {
  selected = id;
  for (const tr of el.rows.children) tr.classList.toggle('selected', tr.dataset.id === id);
  const a = await get(`/api/activities/${seg(id)}`);
  el.detail.hidden = false;
  el.detail.dataset.activityId = id;
  el.title.textContent = titleOf(a);
  el.meta.textContent = `${dayAndTime(a.startUtc)} — ${hourMinute(a.endUtc)} · ${a.place || '地点待定'} · ${label(ACTIVITY_STATUS, a.status)}` +
    (a.signInOpen ? ' · 签到进行中' : ` · 签到 ${hourMinute(a.signInOpensUtc)} 开始`);
  const c = a.counts || {};
  el.counts.replaceChildren(...[['应到', c.expected], ['报名', c.signedUp], ['请假', c.onLeave], ['已签到', c.signedIn], ['远程', c.remote], ['缺席', c.absent]]
    .map(([k, v]) => { const d = h('div'); row(d, k, String(v ?? '')); return d; }));
  const reminders = a.reminders || [];
  el.reminders.replaceChildren(...(reminders.length ? reminders.map(reminderLine) : [h('li', { className: 'muted', textContent: '尚未到提醒时间' })]));
  el.people.replaceChildren(...(a.people || []).map((p) => {
    const value = p.attendance || (p.reason ? 'on_leave' : p.atUtc ? 'signed_up' : 'expected');
    return h('tr', {}, td(p.name), td(p.branch), h('td', {}, badge(value, label(ATTENDANCE, value))),
      td(p.atUtc ? dayAndTime(p.atUtc) : ''), td(p.reason || (p.remote ? '流动党员远程签到' : '')));
  }));
  el.close.hidden = a.status !== 'planned' || new Date(a.endUtc).getTime() > Date.now();
  clearInterval(codeTimer);
  el.venue.hidden = !a.signInOpen;
  if (a.signInOpen) {
    await showCode(id);
    codeTimer = setInterval(() => showCode(id), CODE_REFRESH_MS);
  }
}

function reminderLine(r) {
  const fill = h('i');
  fill.style.width = `${r.expected ? Math.round((100 * r.delivered) / r.expected) : 0}%`;
  return h('li', {}, h('span', { textContent: `提前${leadText(r.leadMinutes)}` }), h('span', { className: 'bar' }, fill),
    h('span', { textContent: `${r.delivered}/${r.expected}${r.failed ? `，失败 ${r.failed}` : ''}${r.finishedUtc ? ' ✓' : ''}` }));
}

async function showCode(id) {
  try {
    const code = await get(`/api/activities/${seg(id)}/code`);
    if (selected !== id) return;
    el.code.textContent = code.code;
    el.until.textContent = `${hourMinute(code.validUntilUtc)} 更新`;
  } catch (e) { onError(e); }
}

export function stopActivities() {
  showCommunity(null);
}
