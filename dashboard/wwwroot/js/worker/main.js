// 网格员手机页: the grid worker's phone page entry. Signs in like every page, then routes by the
// hash: #inbox (我的待办), #issue/<id> (one issue), #report (上报).
import { AuthError } from '../api.js';
import { byId, say } from '../dom.js';
import { notMyPage, startSession } from '../session.js';
import { tick } from './badges.js';
import { clearInbox, loadInbox, refreshOverdue } from './inbox.js';
import { closeIssue, initIssue, openIssue } from './issue.js';
import { forgetMe, loadMe } from './me.js';
import { forgetUploads } from './photos.js';
import { fillChoices, initReport, resetReport } from './report.js';

const TICK_MS = 30_000;
const el = {
  who: byId('who'), net: byId('net-status'), statusLine: byId('status-line'),
  tabInbox: byId('tab-inbox'), tabReport: byId('tab-report'),
  inboxView: byId('inbox-view'), detail: byId('issue-detail'), reportView: byId('report-view'),
};
let meLoaded = null;   // who I am, my cells' names and the categories: the issue screen needs them
let hint = '';         // what the status line says when nothing went wrong

function fail(e) {
  if (e instanceof AuthError) { signOut(e.message); return; }
  say(el.statusLine, e && e.message ? e.message : '加载失败');
  console.error(e);
}

const sessionOver = (e) => signOut(e.message);

function setView(name) {
  el.inboxView.hidden = name !== 'inbox';
  el.detail.hidden = name !== 'detail';
  el.reportView.hidden = name !== 'report';
  el.tabInbox.setAttribute('aria-current', String(name === 'inbox' || name === 'detail'));
  el.tabReport.setAttribute('aria-current', String(name === 'report'));
  window.scrollTo(0, 0);
}

function refreshInbox() {
  loadInbox().then(() => say(el.statusLine, hint), fail);
}

async function route() {
  if (!meLoaded) return;
  const where = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  if (where.startsWith('issue/')) {
    setView('detail');
    // Whether the issue is mine decides its buttons: know who I am before showing it.
    // (When that fails, signing in says why.)
    try { await meLoaded; } catch { return; }
    openIssue(where.slice(6));
  } else if (where === 'report') {
    setView('report');
  } else {
    setView('inbox');
    refreshInbox();
  }
}

const signOut = startSession({
  async onSignedIn() {
    meLoaded = loadMe();
    route();
    try {
      const me = await meLoaded;
      el.who.textContent = me.displayName || me.username;
      hint = notMyPage(me, '网格员', 'grid_worker');
      say(el.statusLine, hint);
      await fillChoices();
    } catch (e) {
      fail(e);
    }
  },
  onSignedOut() {
    meLoaded = null;
    hint = '';
    forgetMe();
    forgetUploads();
    clearInbox();
    closeIssue();
    resetReport({ showForm: true });
    el.who.textContent = '';
    say(el.statusLine, '');
    if (location.hash) history.replaceState(null, '', location.pathname);
  },
});

initIssue(sessionOver, refreshInbox);
initReport(sessionOver, refreshInbox);
byId('refresh').addEventListener('click', refreshInbox);
window.addEventListener('hashchange', route);

function updateNet() {
  const online = navigator.onLine !== false;
  el.net.dataset.state = online ? 'online' : 'offline';
  el.net.querySelector('.net-text').textContent = online ? '在线' : '离线';
  el.net.title = online ? '网络已连接' : '网络已断开：恢复后再提交，已填内容不会丢失';
}
window.addEventListener('online', updateNet);
window.addEventListener('offline', updateNet);
updateNet();

// Back from another app (camera, phone call): the inbox may have moved on.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && meLoaded && !el.inboxView.hidden) refreshInbox();
});
setInterval(() => { tick(); refreshOverdue(); }, TICK_MS);
