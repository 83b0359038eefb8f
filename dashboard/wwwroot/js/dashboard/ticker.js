// The ticker of live events, newest first; an event in a known cell points at it on the map.
import { byId, h } from '../dom.js';
import { EVENT_KIND, label } from '../labels.js';
import { clock, parseUtc } from '../time.js';

const MAX_EVENTS = 50;
const list = byId('event-ticker');

export const clearTicker = () => list.replaceChildren();

/** Adds an event; cellName answers a cell's name (null for a cell not on the map), onPick locates it. */
export function addEvent(msg, { cellName, onPick }) {
  const cellCode = msg.cellCode ? String(msg.cellCode) : '';
  const name = cellCode ? cellName(cellCode) : null;
  const kind = msg.kind ? String(msg.kind) : '';
  const at = parseUtc(msg.atUtc) || new Date();

  const body = h('div', { className: 'ev-body' });
  if (kind) body.append(h('span', { className: 'ev-kind', textContent: label(EVENT_KIND, kind) }));
  const li = h('li', { className: 'fresh', dataset: { kind } },
    h('time', { dateTime: at.toISOString(), textContent: clock(at) }), body);
  if (msg.issueId) li.dataset.issueId = String(msg.issueId);
  if (name !== null) {
    body.append(h('span', { className: 'ev-cell', textContent: name }));
    li.classList.add('clickable');
    li.title = '在地图上定位该网格';
    li.dataset.cellCode = cellCode;
    li.addEventListener('click', () => onPick(cellCode));
  }
  body.append(msg.text ? String(msg.text) : '');

  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}
