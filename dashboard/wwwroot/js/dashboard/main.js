// 指挥中心: the command dashboard's entry. Signs in, picks the community, draws its cells and keeps
// them live: on joining a community the hub sends a snapshot (every cell's colour and the counters),
// then deltas (cellStatus, counters, event), each with its atUtc; after every reconnect it joins
// again and so gets a fresh snapshot.
import { AuthError, get, optional, request, seg } from '../api.js';
import { clearCommunities, loadCommunities, onPicked, remember } from '../communities.js';
import { byId, say } from '../dom.js';
import { openLive } from '../live.js';
import { startSession } from '../session.js';
import { atMs, runClock } from '../time.js';
import { initPanel, loadCategories, refreshSoon, showCell } from './cell-panel.js';
import { applyCounters, clearCounters, noCommunity, renderCommunity } from './counters.js';
import { cellName, clearCells, drawCells, flashCell, markSelected, resizeMap, setCellStatus, showMap, showTiles, zoomToCell } from './map.js';
import { addEvent, clearTicker } from './ticker.js';

const el = {
  app: byId('app'), statusLine: byId('status-line'), live: byId('live-indicator'),
  orleans: byId('orleans-link'), fullscreen: byId('fullscreen'),
};

let me = null;
let communities = [];
let community = null;       // the community on screen
let loadSeq = 0;            // discards answers for a community the user already left
let live = null;

const shownCode = () => community && community.definition.code;
const inCommunity = (msg) => msg && community && msg.communityCode === shownCode();

function fail(e) {
  if (e instanceof AuthError) { signOut(e.message); return; }
  say(el.statusLine, e && e.message ? e.message : '加载失败');
  console.error(e);
}

function selectCell(code) {
  showCell(markSelected(code));
}

function clearCommunity() {
  clearCells();
  clearCounters();
  showCell(null);
}

async function selectCommunity(code) {
  const picked = communities.find((c) => c.definition.code === code);
  if (!picked) return;
  const mine = ++loadSeq;
  remember(code);
  community = picked;
  clearCommunity();
  renderCommunity(picked, []);
  say(el.statusLine, '');
  const cells = await get(`/api/communities/${seg(code)}/cells`);
  if (mine !== loadSeq) return;
  const list = Array.isArray(cells) ? cells.filter((c) => c && c.definition && c.definition.code) : [];
  renderCommunity(picked, list);
  drawCells(list, picked);
  live.join(code);
}

async function loadAll() {
  const mine = ++loadSeq;
  const whoAmI = optional('/api/me').then((who) => {
    if (mine !== loadSeq) return;
    me = who;
    el.orleans.hidden = !(me && me.role === 'admin');
  });
  const [found, cfg] = await Promise.all([loadCommunities(), optional('/api/dashboard/config'), loadCategories(), whoAmI]);
  if (mine !== loadSeq) return;
  showTiles(cfg);
  communities = found.communities;
  if (!found.first) {
    clearCommunity();
    noCommunity();
    return;
  }
  await selectCommunity(found.first.definition.code);
}

const handlers = {
  snapshot(msg) {
    if (!inCommunity(msg)) return;
    const at = atMs(msg.atUtc);
    for (const c of Array.isArray(msg.cells) ? msg.cells : []) setCellStatus(String(c.cellCode), c.status, at);
    if (msg.counters && msg.counters.communityCode === shownCode()) applyCounters(msg.counters);
    el.app.dataset.snapshotAt = msg.atUtc;
  },
  cellStatus(msg) {
    if (!inCommunity(msg) || !msg.cellCode) return;
    if (setCellStatus(String(msg.cellCode), msg.status, atMs(msg.atUtc))) flashCell(String(msg.cellCode));
  },
  counters(msg) {
    if (inCommunity(msg)) applyCounters(msg);
  },
  event(msg) {
    if (!inCommunity(msg)) return;
    addEvent(msg, { cellName, onPick: (code) => { zoomToCell(code); selectCell(code); } });
    const code = msg.cellCode ? String(msg.cellCode) : '';
    if (!code) return;
    flashCell(code);
    refreshSoon(code);
  },
};

const signOut = startSession({
  async onSignedIn(token) {
    showMap({ onSelect: selectCell, onStatusChanged: refreshSoon });
    live = openLive({ indicator: el.live, token: () => token, handlers });
    try {
      await loadAll();
    } catch (e) {
      fail(e);
    }
  },
  onSignedOut() {
    // The Orleans dashboard's cookie goes with the sign-in that opened it (best effort).
    if (me && me.role === 'admin') request('/api/dashboard/orleans-session', { method: 'DELETE' }).catch(() => {});
    loadSeq++;
    me = null;
    community = null;
    communities = [];
    if (live) live.stop();
    live = null;
    clearCommunity();
    clearCommunities();
    clearTicker();
    el.orleans.hidden = true;
    say(el.statusLine, '');
  },
});

initPanel(fail);
onPicked((code) => selectCommunity(code).catch(fail));

// A page navigation cannot carry the bearer token: exchange it for the Orleans dashboard's own short-lived cookie.
el.orleans.addEventListener('click', async () => {
  const tab = window.open('about:blank', '_blank');
  try {
    const { data } = await request('/api/dashboard/orleans-session', { method: 'POST' });
    const url = (data && data.url) || '/orleans/';
    if (tab) { tab.opener = null; tab.location.href = url; } else window.location.href = url;
  } catch (e) {
    if (tab) tab.close();
    fail(e);
  }
});

el.fullscreen.addEventListener('click', () => {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else document.documentElement.requestFullscreen().catch(() => {});
});
document.addEventListener('fullscreenchange', () => {
  el.fullscreen.textContent = document.fullscreenElement ? '退出全屏' : '全屏';
  resizeMap();
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') selectCell(null);
});

runClock(byId('clock'));
