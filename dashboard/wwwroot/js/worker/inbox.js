// 我的待办: the issues assigned to me, each with its status, cell, and a counting-down deadline.
import { get } from '../api.js';
import { byId, h } from '../dom.js';
import { clock } from '../time.js';
import { isOpen, isOverdue, overdueBadge, setDeadline, statusBadge } from './badges.js';
import { cellNames } from './me.js';

const el = {
  list: byId('inbox'), empty: byId('inbox-empty'), updated: byId('inbox-updated'), refresh: byId('refresh'), count: byId('inbox-count'),
};
let items = [];
let seq = 0;

/** Loads and shows the inbox; the newest call wins. Errors go to the caller. */
export async function loadInbox() {
  const mine = ++seq;
  el.refresh.disabled = true;
  el.refresh.textContent = '刷新中…';
  try {
    const data = await get('/api/me/inbox');
    const list = data && Array.isArray(data.items) ? data.items : [];
    // The items are drawn once their cells' names are known: a worker never sees a code turn into a name.
    const names = await cellNames(list.map((i) => i.cellCode));
    if (mine !== seq) return;
    items = list;
    render(names);
    el.updated.textContent = `更新于 ${clock(new Date())}（北京时间）`;
  } finally {
    if (mine === seq) {
      el.refresh.disabled = false;
      el.refresh.textContent = '刷新';
    }
  }
}

export function clearInbox() {
  seq++;
  items = [];
  el.list.replaceChildren();
}

function render(names) {
  const now = new Date();
  el.list.replaceChildren(...items.map((item) => {
    const meta = [item.categoryName, names.get(item.cellCode) || item.cellCode].filter(Boolean).join(' · ');
    const li = h('li', { className: 'inbox-item', dataset: { issueId: item.id, status: item.status } },
      h('a', { href: '#issue/' + encodeURIComponent(item.id) },
        h('div', { className: 'item-top' }, statusBadge(item.status), overdueBadge(item)),
        h('div', { className: 'item-title', textContent: item.title }),
        h('div', { className: 'item-meta', textContent: meta }),
        setDeadline(h('div', { className: 'item-deadline' }), item)));
    li.classList.toggle('overdue', isOverdue(item, now));
    return li;
  }));
  el.empty.hidden = items.length > 0;
  const open = items.filter(isOpen).length;
  el.count.textContent = String(open);
  el.count.hidden = open === 0;
}

/** The overdue badge appears when a deadline passes (the countdowns themselves are ticked with the page). */
export function refreshOverdue() {
  const now = new Date();
  for (const li of el.list.querySelectorAll('.inbox-item')) {
    const item = items.find((i) => i.id === li.dataset.issueId);
    if (!item) continue;
    const overdue = isOverdue(item, now);
    li.classList.toggle('overdue', overdue);
    const b = li.querySelector('.badge-overdue');
    if (b) b.hidden = !overdue;
  }
}
