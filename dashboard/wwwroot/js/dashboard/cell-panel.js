// The drill-down of one cell (网格详情): its grid workers, the Party members placed there by name
// from their public cards (亮身份, never a phone), and its issues as filtered by category and status.
import { get, optional, seg } from '../api.js';
import { byId, h, option, row } from '../dom.js';
import { CATEGORY_KIND, CELL_STATUS, ISSUE_STATUS, label } from '../labels.js';
import { parseUtc, short } from '../time.js';
import { cellOf } from './map.js';

const MAX_MEMBER_CARDS = 12;
const OPEN_FOR_DEADLINE = ['dispatched', 'in_progress'];

const detail = byId('cell-detail');
const filterCategory = byId('filter-category');
const filterStatus = byId('filter-status');
const memberCards = new Map(); // memberId -> public card
let categories = [];
let shown = null;              // the cell on the panel
let issues = null;             // its issues, once loaded
let seq = 0;                   // discards answers for a cell no longer shown
let soon = 0;
let onError = () => {};

/** Wires the filters; onFailure gets a failed load's error. */
export function initPanel(onFailure) {
  onError = onFailure;
  filterStatus.replaceChildren(option('', '全部在办'), ...Object.entries(ISSUE_STATUS).map(([v, t]) => option(v, t)));
  filterCategory.addEventListener('change', render);
  filterStatus.addEventListener('change', () => { if (shown) load(shown).catch(onError); });
  byId('filters').addEventListener('submit', (e) => e.preventDefault());
}

/** The category filter's choices: classes, each followed by its subclasses. */
export async function loadCategories() {
  const list = await optional('/api/categories');
  categories = Array.isArray(list) ? list : [];
  const options = [option('', '全部类别')];
  for (const k of categories.filter((c) => !c.parentCode)) {
    const o = option(k.code, `${k.code} ${k.name}`);
    o.title = label(CATEGORY_KIND, k.kind);
    options.push(o);
    for (const sub of categories.filter((c) => c.parentCode === k.code)) options.push(option(sub.code, `　${sub.code} ${sub.name}`));
  }
  filterCategory.replaceChildren(...options);
}

/** Shows a cell (null: none) and loads its details. */
export function showCell(code) {
  shown = code;
  issues = null;
  seq++;
  render();
  if (code) load(code).catch(onError);
}

/** Loads the shown cell again shortly: its status changed or an event happened in it. */
export function refreshSoon(code) {
  if (!shown || code !== shown) return;
  clearTimeout(soon);
  soon = setTimeout(() => { if (shown === code) load(code).catch(onError); }, 400);
}

async function load(code) {
  const mine = ++seq;
  const status = filterStatus.value;
  const [view, list] = await Promise.all([
    get(`/api/cells/${seg(code)}`),
    get(`/api/cells/${seg(code)}/issues${status ? '?status=' + seg(status) : ''}`),
  ]);
  const entry = cellOf(code);
  if (mine !== seq || shown !== code || !entry) return;
  if (view) entry.view = view;
  const ids = Array.isArray(entry.view.memberIds) ? entry.view.memberIds.slice(0, MAX_MEMBER_CARDS) : [];
  await Promise.all(ids.filter((id) => !memberCards.has(id)).map(async (id) => {
    const card = await optional(`/api/members/${seg(id)}/card`);
    if (card) memberCards.set(id, card);
  }));
  if (mine !== seq || shown !== code) return;
  issues = list && Array.isArray(list.items) ? list.items : [];
  render();
}

function render() {
  const entry = shown && cellOf(shown);
  if (!entry) {
    delete detail.dataset.cellCode;
    detail.replaceChildren(h('p', { className: 'muted', textContent: '点击地图中的网格查看详情' }));
    return;
  }
  const { view, status } = entry;
  const d = view.definition;
  detail.dataset.cellCode = d.code;

  const dl = h('dl');
  row(dl, '网格编码', d.code);
  const workers = Array.isArray(d.gridWorkers) ? d.gridWorkers : [];
  row(dl, '网格员', workers.length ? chips(workers.map((w) => (w && (w.displayName || w.username)) || '—')) : '未配置');
  row(dl, '住户数', String(Number(view.householdCount) || 0));
  const memberIds = Array.isArray(view.memberIds) ? view.memberIds : [];
  if (memberIds.length) {
    const names = memberIds.slice(0, MAX_MEMBER_CARDS).map((id) => memberCards.get(id)).filter(Boolean).map((c) => c.name);
    const list = chips(names);
    if (memberIds.length > names.length) list.append(h('li', { className: 'more', textContent: names.length ? `等 ${memberIds.length} 人` : `${memberIds.length} 人` }));
    row(dl, '落格党员', list);
  } else {
    row(dl, '落格党员', '无');
  }
  row(dl, '在办诉求', String(Number(view.openIssueCount) || 0));

  const title = h('h4', { className: 'cell-title' }, d.name || d.code, ' ',
    h('span', { className: 'badge', dataset: { status }, textContent: label(CELL_STATUS, status) }));
  detail.replaceChildren(title, dl, ...(issues ? [issueList(issues)] : []));
}

const chips = (texts) => h('ul', { className: 'workers' }, ...texts.map((t) => h('li', { textContent: t })));

function matchesCategory(issue) {
  const wanted = filterCategory.value;
  if (!wanted) return true;
  const code = String(issue.categoryCode || '');
  return code === wanted || code.startsWith(wanted + '.');
}

function issueList(all) {
  const items = all.filter(matchesCategory);
  const statusText = filterStatus.value ? label(ISSUE_STATUS, filterStatus.value) : '在办';
  const head = h('p', { className: 'muted small', textContent: `${statusText}诉求 ${items.length} 件` + (filterCategory.value ? '（已按类别筛选）' : '') });
  const now = Date.now();
  const ol = h('ol', { id: 'cell-issues' }, ...items.map((i) => {
    const deadline = parseUtc(i.deadlineUtc);
    const late = (deadline && deadline.getTime() <= now && OPEN_FOR_DEADLINE.includes(i.status)) || i.escalationLevel > 0;
    const meta = [i.categoryName, label(ISSUE_STATUS, i.status), deadline ? '时限 ' + short(deadline) : ''].filter(Boolean).join(' · ');
    return h('li', { className: late ? 'late' : '', dataset: { issueId: i.id, status: i.status } },
      h('span', { className: 'issue-title', textContent: i.title }), h('span', { className: 'issue-meta', textContent: meta }));
  }));
  return h('div', { className: 'issue-list' }, head, ol);
}
