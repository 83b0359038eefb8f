// 活动调度: the scheduler's page entry. Signs in like every page, picks the community, and follows
// its activities live (sign-ins, leave, reminders sent) by reloading what changed.
import { AuthError, request } from '../api.js';
import { clearCommunities, loadCommunities, onPicked, remember } from '../communities.js';
import { byId, say } from '../dom.js';
import { openLive } from '../live.js';
import { notMyPage, startSession } from '../session.js';
import { runClock } from '../time.js';
import * as activities from './activities.js';
import * as schedules from './schedules.js';

const RELOAD_MS = 60_000;
// Bursts of sign-ins come as many events; one reload after they settle shows them all.
const COALESCE_MS = 500;
const statusLine = byId('status-line');
const hangfire = byId('hangfire-link');
let live = null;
let reloadTimer = 0;
let liveTimer = 0;

function fail(e) {
  if (e instanceof AuthError) { signOut(e.message); return; }
  say(statusLine, e && e.message ? e.message : '加载失败');
}

const reload = () => Promise.all([schedules.loadSchedules(), activities.loadActivities()]);

async function selectCommunity(code) {
  remember(code);
  activities.showCommunity(code);
  schedules.showCommunity(code);
  say(statusLine, '');
  if (live) live.join(code);
  await reload();
}

function onActivity(msg) {
  if (!activities.concerns(msg)) return;
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => activities.loadActivities().catch(fail), COALESCE_MS);
}

const signOut = startSession({
  async onSignedIn(token) {
    live = openLive({
      indicator: byId('live-indicator'), token: () => token,
      handlers: { activity: onActivity, reminderProgress: onActivity },
      // What happened while the connection was down reached no one: read it again.
      onResync: () => activities.loadActivities().catch(fail),
    });
    try {
      const [{ data: me }, { first }] = await Promise.all([request('/api/me'), loadCommunities()]);
      hangfire.hidden = me.role !== 'admin';
      say(statusLine, notMyPage(me, '活动组织者和社区党委', 'scheduler', 'committee', 'admin'));
      if (first) await selectCommunity(first.definition.code);
      clearInterval(reloadTimer);
      reloadTimer = setInterval(() => activities.loadActivities().catch(fail), RELOAD_MS);
    } catch (e) { fail(e); }
  },
  onSignedOut() {
    if (live) live.stop();
    live = null;
    clearInterval(reloadTimer);
    clearTimeout(liveTimer);
    activities.stopActivities();
    schedules.showCommunity(null);
    clearCommunities();
    hangfire.hidden = true;
    say(statusLine, '');
  },
});

activities.initActivities(fail);
schedules.initSchedules(() => reload(), fail);
onPicked((code) => selectCommunity(code).catch(fail));

// Hangfire's dashboard is a page of its own: the admin's token is exchanged for a short-lived cookie only it reads.
hangfire.addEventListener('click', async (e) => {
  e.preventDefault();
  try {
    const { data } = await request('/api/dashboard/hangfire-session', { method: 'POST' });
    window.open(data.url, '_blank', 'noopener');
  } catch (err) { fail(err); }
});

runClock(byId('clock'));
