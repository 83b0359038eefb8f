// The live channel to Grid's hub, the same on every page: one reconnect policy (back off and keep
// trying, a wall screen must never give up), the community joined again after every reconnect
// (group membership does not survive a new connection, and joining brings a fresh snapshot), and
// the 实时 / 重连中 / 离线 dot in the top bar.
import { LIVE_STATE } from './labels.js';

/** 0 s, then about 2, 4, 8 … s up to a minute, spread so that many screens do not come back at once. */
function backOff(attempt) {
  if (attempt === 0) return 0;
  return Math.round(Math.min(60_000, 1000 * 2 ** attempt) * (0.8 + 0.4 * Math.random()));
}

/**
 * Connects with the session's token. handlers: 'snapshot' and the live methods in a batch
 * (cellStatus, counters, event, activity, reminderProgress …), each given its message.
 * onResync runs after every reconnect, for what a page reloads itself rather than from the snapshot.
 * Returns { join(communityCode), stop() }.
 */
export function openLive({ indicator, token, handlers, onResync = () => {} }) {
  const show = (state) => {
    indicator.dataset.state = state;
    indicator.querySelector('.live-text').textContent = LIVE_STATE[state];
  };
  const signalR = window.signalR;
  // The page must work without the live channel (script blocked, hub down): it stays 离线 then.
  if (!signalR) {
    show('offline');
    return { join() {}, stop() {} };
  }

  const hub = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/command', { accessTokenFactory: token })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => backOff(ctx.previousRetryCount) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  let wanted = null;   // the community the page shows
  let joined = null;   // the community this connection is in
  let stopped = false;
  let attempt = 0;
  let retry = 0;
  let resync = false;  // true once the page may have missed something

  const connected = () => hub.state === signalR.HubConnectionState.Connected;

  async function join() {
    const code = wanted;
    if (!code || !connected() || joined === code) return;
    const previous = joined;
    joined = code;
    if (previous) hub.invoke('LeaveCommunity', previous).catch(() => {});
    try {
      await hub.invoke('JoinCommunity', code);
    } catch (e) {
      if (joined === code) joined = null;
      console.warn('JoinCommunity failed', e);
    }
  }

  function onConnected() {
    show('live');
    attempt = 0;
    joined = null;
    join();
    if (resync) onResync();
    resync = true;
  }

  async function start() {
    show('reconnecting');
    try {
      await hub.start();
      if (stopped) return;
      onConnected();
    } catch {
      if (stopped) return;
      show('offline');
      resync = true;
      later();
    }
  }

  // Automatic reconnect covers a connection that was up; a start that failed, or a close, is retried here.
  function later() {
    clearTimeout(retry);
    retry = setTimeout(() => {
      if (!stopped && hub.state === signalR.HubConnectionState.Disconnected) start();
    }, backOff(++attempt) || 1000);
  }

  if (handlers.snapshot) hub.on('snapshot', handlers.snapshot);
  // Live messages arrive in batches (one frame per flush of the node's fan-out), in order.
  hub.on('batch', (items) => {
    for (const item of Array.isArray(items) ? items : []) {
      if (item && item.method !== 'snapshot' && Object.hasOwn(handlers, item.method)) handlers[item.method](item.message);
    }
  });
  hub.onreconnecting(() => show('reconnecting'));
  hub.onreconnected(onConnected);
  hub.onclose(() => {
    joined = null;
    if (stopped) return;
    show('offline');
    resync = true;
    later();
  });
  start();

  return {
    join(code) {
      wanted = code || null;
      join();
    },
    stop() {
      stopped = true;
      clearTimeout(retry);
      wanted = null;
      joined = null;
      show('offline');
      hub.stop().catch(() => {});
    },
  };
}
