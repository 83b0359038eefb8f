// The six counters across the top and the community's card. The counters keep the newest state
// received (snapshot or delta, whichever is newer by atUtc).
import { byId } from '../dom.js';
import { atMs, date, parseUtc } from '../time.js';

const el = {
  name: byId('community-name'), meta: byId('community-meta'), service: byId('community-service'),
  cells: byId('counter-cells'), households: byId('counter-households'), members: byId('counter-members'),
  open: byId('counter-open'), overdue: byId('counter-overdue'), closedToday: byId('counter-closed-today'),
  onTime: byId('counter-on-time'), onTimeDetail: byId('counter-on-time-detail'), onDuty: byId('counter-on-duty'),
  red: byId('counter-red-saturday'), redDetail: byId('counter-red-saturday-detail'),
};
let shownAt = -Infinity;

export function renderCommunity(c, cells) {
  const d = c.definition;
  el.name.textContent = d.name || d.code;
  el.meta.textContent = [d.township, d.kind, d.code].filter(Boolean).join(' · ');
  const service = [];
  if (d.serviceCentreAddress) service.push('服务中心：' + d.serviceCentreAddress);
  if (d.serviceCentreHours) service.push('办公时间：' + d.serviceCentreHours);
  const created = parseUtc(c.createdUtc);
  if (created) service.push('建档日期：' + date(created));
  el.service.textContent = service.join('　');
  // Cell count falls back to the community's own list until the cells have loaded.
  el.cells.textContent = String(cells.length || (c.cellCodes || []).length);
  el.households.textContent = String(cells.reduce((n, x) => n + (Number(x.householdCount) || 0), 0));
  el.members.textContent = String(Number(c.memberCount) || 0);
}

export function noCommunity() {
  el.name.textContent = '暂无可查看的社区';
}

export function clearCounters() {
  shownAt = -Infinity;
  for (const b of [el.open, el.overdue, el.closedToday, el.onTime, el.onDuty, el.red]) b.textContent = '—';
  el.onTimeDetail.textContent = '';
  el.redDetail.textContent = '';
  el.overdue.closest('.kpi').classList.remove('alarm');
}

const pct = (rate) => (Math.round(rate * 1000) / 10).toFixed(1) + '%';
const count = (n) => String(Number(n) || 0);

export function applyCounters(c) {
  const at = atMs(c.atUtc);
  if (at < shownAt) return; // an older state than the one on screen
  shownAt = at;
  set(el.open, count(c.open));
  set(el.overdue, count(c.overdue));
  el.overdue.closest('.kpi').classList.toggle('alarm', Number(c.overdue) > 0);
  set(el.closedToday, count(c.closedToday));
  const rated = typeof c.onTimeRate === 'number';
  set(el.onTime, rated ? pct(c.onTimeRate) : '—');
  el.onTimeDetail.textContent = rated ? `${c.closedOnTimeThisMonth}/${c.closedThisMonth} 件` : '本月尚无结案';
  set(el.onDuty, count(c.membersOnDuty));
  const red = c.redSaturday;
  const attended = red && typeof red.rate === 'number';
  set(el.red, attended ? pct(red.rate) : '—');
  el.redDetail.textContent = attended ? `${red.attended}/${red.expected} 人` : '暂无活动数据';
}

function set(node, text) {
  if (node.textContent === text) return;
  node.textContent = text;
  node.classList.remove('bump');
  void node.offsetWidth; // restart the highlight when values change back to back
  node.classList.add('bump');
}
