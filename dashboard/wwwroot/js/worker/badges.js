// What the inbox and the issue screen both show of an issue: its status badge, the overdue badge,
// and a deadline that counts down while the issue is being handled.
import { h } from '../dom.js';
import { ISSUE_STATUS, label } from '../labels.js';
import { countdown, parseUtc, short } from '../time.js';

const OPEN_FOR_DEADLINE = ['dispatched', 'in_progress'];

export const isOpen = (item) => OPEN_FOR_DEADLINE.includes(item.status);

/** Overdue as the API means it: escalated, or an open dispatched/in-progress issue past its deadline. */
export function isOverdue(item, now = new Date()) {
  if (Number(item.escalationLevel) > 0) return true;
  const deadline = parseUtc(item.deadlineUtc);
  return !!deadline && deadline <= now && isOpen(item);
}

export const statusBadge = (status) =>
  h('span', { className: 'status-badge', dataset: { status }, textContent: label(ISSUE_STATUS, status) });

export function overdueBadge(item) {
  return h('span', { className: 'badge badge-overdue', hidden: !isOverdue(item), textContent: Number(item.escalationLevel) >= 2 ? '提级督办' : '超期' });
}

/** A deadline counts down (see tick) only while the issue is being handled; afterwards it is just a date. */
export function setDeadline(node, item) {
  const due = parseUtc(item.deadlineUtc);
  delete node.dataset.deadline;
  if (!due) { node.textContent = '未设处置时限'; return node; }
  node.dataset.label = '截止 ' + short(due);
  if (isOpen(item)) node.dataset.deadline = due.toISOString();
  else node.textContent = node.dataset.label;
  tick(node);
  return node;
}

/** Brings counting deadlines under root up to now. */
export function tick(root = document) {
  const now = new Date();
  const nodes = root.matches && root.matches('[data-deadline]') ? [root] : root.querySelectorAll('[data-deadline]');
  for (const node of nodes) {
    const c = countdown(new Date(node.dataset.deadline), now);
    node.textContent = `${node.dataset.label} · ${c.text}`;
    node.classList.toggle('late', c.late);
  }
}
