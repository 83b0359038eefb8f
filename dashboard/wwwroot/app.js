// Grid 指挥中心 — static dashboard served by the .NET node.
// Plain ES2020, no build step: the host serves this file as-is.
'use strict';

(() => {
  const TOKEN_KEY = 'grid.token';
  // Kept beside the token so a wall screen left overnight falls back to login instead of
  // silently showing a stale map with a dead token.
  const TOKEN_EXPIRES_KEY = 'grid.tokenExpiresAt';
  const COMMUNITY_KEY = 'grid.community';
  const CST = 'Asia/Shanghai';
  const MAX_EVENTS = 50;
  const STATUSES = ['normal', 'attention', 'overdue', 'escalated'];
  const STATUS_LABEL = { normal: '正常', attention: '关注', overdue: '超期', escalated: '督办' };
  // Event kinds are open-ended on the server; unknown kinds are shown as sent.
  const KIND_LABEL = {
    incident: '事件', report: '上报', dispatch: '派单', accept: '受理', resolve: '办结',
    overdue: '超期', escalate: '督办', escalated: '督办', visit: '走访', patrol: '巡查', notice: '通知',
  };
  // Below this zoom a whole township is in view and permanent labels overlap.
  const LABEL_MIN_ZOOM = 14;

  const $ = (id) => document.getElementById(id);
  const el = {
    loginPanel: $('login-panel'), loginForm: $('login-form'), username: $('username'),
    password: $('password'), loginError: $('login-error'), app: $('app'), map: $('map'),
    picker: $('community-picker'), select: $('community-select'), logout: $('logout'),
    live: $('live-indicator'), clock: $('clock'), statusLine: $('status-line'),
    communityName: $('community-name'), communityMeta: $('community-meta'),
    communityService: $('community-service'), cells: $('counter-cells'),
    households: $('counter-households'), members: $('counter-members'),
    detail: $('cell-detail'), ticker: $('event-ticker'), legend: $('map-legend'),
  };

  const state = {
    token: null,
    expiryTimer: 0,
    communities: [],
    community: null,          // selected community view
    joinedCode: null,         // community group the hub connection is in
    cells: new Map(),         // cellCode -> { view, layer, status }
    selectedCell: null,
    loadSeq: 0,               // discards responses of a community the user already left
    map: null,
    cellLayer: null,
    tileLayer: null,
    tilesChecked: false,
    autoFit: true,            // refit on resize until the operator pans or zooms by hand
    fitting: false,
    hub: null,
    hubRetryTimer: 0,
    hubRetryDelay: 5000,
  };

  // ---------------------------------------------------------------- time

  const fmtTime = (d) => d.toLocaleTimeString('zh-CN', { timeZone: CST, hour12: false });
  const fmtDate = (d) => d.toLocaleDateString('zh-CN', { timeZone: CST, year: 'numeric', month: '2-digit', day: '2-digit' });

  function parseUtc(s) {
    if (!s) return null;
    // .NET may omit the zone designator on DateTime; the API contract says UTC.
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + 'Z');
    return Number.isNaN(d.getTime()) ? null : d;
  }

  function tickClock() {
    el.clock.textContent = '北京时间 ' + fmtTime(new Date());
  }

  // ---------------------------------------------------------------- auth + api

  class AuthError extends Error {}

  function readStoredToken() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const exp = Number(sessionStorage.getItem(TOKEN_EXPIRES_KEY) || 0);
    if (!token) return null;
    if (exp && Date.now() >= exp) { clearToken(); return null; }
    return token;
  }

  function storeToken(token, expiresIn) {
    sessionStorage.setItem(TOKEN_KEY, token);
    const secs = Number(expiresIn);
    if (secs > 0) sessionStorage.setItem(TOKEN_EXPIRES_KEY, String(Date.now() + secs * 1000));
    else sessionStorage.removeItem(TOKEN_EXPIRES_KEY);
  }

  function clearToken() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(TOKEN_EXPIRES_KEY);
  }

  function armExpiry() {
    clearTimeout(state.expiryTimer);
    const exp = Number(sessionStorage.getItem(TOKEN_EXPIRES_KEY) || 0);
    if (!exp) return;
    // setTimeout overflows past ~24.8 days; a token that long-lived needs no timer.
    const ms = exp - Date.now();
    if (ms < 2 ** 31 - 1) state.expiryTimer = setTimeout(() => signOut('登录已过期，请重新登录'), Math.max(0, ms));
  }

  async function problemMessage(res, fallback) {
    try {
      const body = await res.json();
      if (body && (body.detail || body.title)) return String(body.detail || body.title);
    } catch { /* not JSON: fall through */ }
    return fallback;
  }

  async function api(path, { optional = false } = {}) {
    let res;
    try {
      res = await fetch(path, {
        headers: { Accept: 'application/json', Authorization: 'Bearer ' + state.token },
        cache: 'no-store',
      });
    } catch (e) {
      if (optional) return null;
      throw new Error('无法连接服务器，请检查网络');
    }
    if (optional && !res.ok) return null;
    if (res.status === 401) throw new AuthError('登录已过期，请重新登录');
    if (res.status === 403) throw new Error(await problemMessage(res, '没有权限查看该数据'));
    if (!res.ok) throw new Error(await problemMessage(res, `服务器错误（${res.status}）`));
    return res.json();
  }

  async function login(username, password) {
    let res;
    try {
      res = await fetch('/api/auth/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username, password }),
        cache: 'no-store',
      });
    } catch {
      throw new Error('无法连接服务器，请检查网络');
    }
    if (!res.ok) {
      const fallback = res.status === 401 || res.status === 400 ? '用户名或密码错误' : `登录失败（${res.status}）`;
      throw new Error(await problemMessage(res, fallback));
    }
    const body = await res.json();
    if (!body || !body.access_token) throw new Error('登录失败：服务器未返回令牌');
    return body;
  }

  function handleError(err) {
    if (err instanceof AuthError) { signOut(err.message); return; }
    showStatus(err && err.message ? err.message : '加载失败');
    console.error(err);
  }

  function showStatus(text) {
    el.statusLine.textContent = text || '';
    el.statusLine.hidden = !text;
  }

  // ---------------------------------------------------------------- screens

  function showLogin(message) {
    el.app.hidden = true;
    el.logout.hidden = true;
    el.picker.hidden = true;
    el.loginPanel.hidden = false;
    el.loginError.textContent = message || '';
    el.password.value = '';
    (el.username.value ? el.password : el.username).focus();
  }

  async function signIn(token) {
    state.token = token;
    armExpiry();
    el.loginPanel.hidden = true;
    el.app.hidden = false;
    el.logout.hidden = false;
    ensureMap();
    startHub();
    try {
      await Promise.all([loadCommunities(), loadTiles()]);
    } catch (e) {
      handleError(e);
    }
  }

  function signOut(message) {
    clearToken();
    clearTimeout(state.expiryTimer);
    state.token = null;
    state.loadSeq++;
    stopHub();
    clearCommunity();
    state.communities = [];
    state.community = null;
    el.select.replaceChildren();
    el.ticker.replaceChildren();
    showStatus('');
    showLogin(message);
  }

  // ---------------------------------------------------------------- communities

  async function loadCommunities() {
    const seq = ++state.loadSeq;
    const list = await api('/api/communities');
    if (seq !== state.loadSeq) return;
    state.communities = Array.isArray(list) ? list.filter((c) => c && c.definition && c.definition.code) : [];

    el.select.replaceChildren(...state.communities.map((c) => {
      const o = document.createElement('option');
      o.value = c.definition.code;
      o.textContent = c.definition.township ? `${c.definition.township} · ${c.definition.name}` : c.definition.name;
      return o;
    }));
    el.picker.hidden = state.communities.length <= 1;

    if (state.communities.length === 0) {
      clearCommunity();
      el.communityName.textContent = '暂无可查看的社区';
      return;
    }
    const remembered = sessionStorage.getItem(COMMUNITY_KEY);
    const pick = state.communities.find((c) => c.definition.code === remembered) || state.communities[0];
    el.select.value = pick.definition.code;
    await selectCommunity(pick.definition.code);
  }

  async function selectCommunity(code) {
    const community = state.communities.find((c) => c.definition.code === code);
    if (!community) return;
    const seq = ++state.loadSeq;
    sessionStorage.setItem(COMMUNITY_KEY, code);
    state.community = community;
    clearCommunity();
    renderCommunity(community, []);
    showStatus('');

    const cells = await api(`/api/communities/${encodeURIComponent(code)}/cells`);
    if (seq !== state.loadSeq) return;
    const list = Array.isArray(cells) ? cells.filter((c) => c && c.definition && c.definition.code) : [];
    renderCommunity(community, list);
    drawCells(list, community);
    joinCommunity();
  }

  function renderCommunity(c, cells) {
    const d = c.definition;
    el.communityName.textContent = d.name || d.code;
    el.communityMeta.textContent = [d.township, d.kind, d.code].filter(Boolean).join(' · ');
    const service = [];
    if (d.serviceCentreAddress) service.push('服务中心：' + d.serviceCentreAddress);
    if (d.serviceCentreHours) service.push('办公时间：' + d.serviceCentreHours);
    const created = parseUtc(c.createdUtc);
    if (created) service.push('建档日期：' + fmtDate(created));
    el.communityService.textContent = service.join('　');

    // Cell count falls back to the community's own list until the cells have loaded.
    el.cells.textContent = String(cells.length || (c.cellCodes || []).length);
    el.households.textContent = String(cells.reduce((n, x) => n + (Number(x.householdCount) || 0), 0));
    el.members.textContent = String(Number(c.memberCount) || 0);
  }

  // ---------------------------------------------------------------- map

  function ensureMap() {
    if (state.map) { state.map.invalidateSize(); return; }
    state.map = L.map(el.map, {
      // Attribution only matters when third-party tiles are shown; see loadTiles.
      attributionControl: false,
      zoomSnap: 0.25,
      minZoom: 3,
      maxZoom: 19,
    }).setView([30.71, 120.43], 14);
    state.cellLayer = L.featureGroup().addTo(state.map);
    state.map.on('zoomend', updateLabelVisibility);
    // A wall screen gets resized (or rotated) unattended: keep the whole community in view unless someone took over.
    state.map.on('dragstart', () => { state.autoFit = false; });
    state.map.on('zoomstart', () => { if (!state.fitting) state.autoFit = false; });
    state.map.on('resize', () => { if (state.autoFit) fitToCells(state.community); });
    state.map.on('click', () => selectCell(null));
    updateLabelVisibility();
  }

  function updateLabelVisibility() {
    el.map.classList.toggle('labels-hidden', state.map.getZoom() < LABEL_MIN_ZOOM);
  }

  async function loadTiles() {
    // Tiles are an operator opt-in (e.g. an intranet tile server); failure means "no tiles".
    if (state.tilesChecked) return;
    state.tilesChecked = true;
    const cfg = await api('/api/dashboard/config', { optional: true }).catch(() => null);
    const url = cfg && typeof cfg.tileUrl === 'string' ? cfg.tileUrl.trim() : '';
    if (!url || !state.map) return;
    const attribution = typeof cfg.tileAttribution === 'string' ? cfg.tileAttribution : '';
    state.tileLayer = L.tileLayer(url, { maxZoom: 19, attribution: escapeHtml(attribution) }).addTo(state.map);
    if (attribution) L.control.attribution({ prefix: false }).addTo(state.map);
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch]));
  }

  function normStatus(s) {
    const v = typeof s === 'string' ? s.trim().toLowerCase() : '';
    return STATUSES.includes(v) ? v : 'normal';
  }

  function toLatLngs(boundary) {
    // The API speaks {lng, lat}; Leaflet wants [lat, lng]. Drop the closing vertex — Leaflet closes rings itself.
    const pts = (Array.isArray(boundary) ? boundary : [])
      .filter((p) => p && Number.isFinite(+p.lat) && Number.isFinite(+p.lng))
      .map((p) => [+p.lat, +p.lng]);
    if (pts.length > 1) {
      const a = pts[0], b = pts[pts.length - 1];
      if (a[0] === b[0] && a[1] === b[1]) pts.pop();
    }
    return pts;
  }

  function clearCommunity() {
    if (state.cellLayer) state.cellLayer.clearLayers();
    state.cells.clear();
    state.selectedCell = null;
    renderDetail();
    updateLegendCounts();
  }

  function drawCells(cells, community) {
    state.cellLayer.clearLayers();
    state.cells.clear();

    for (const view of cells) {
      const code = view.definition.code;
      const status = normStatus(view.status);
      const entry = { view, layer: null, status };
      state.cells.set(code, entry);

      const latlngs = toLatLngs(view.definition.boundary);
      if (latlngs.length < 3) continue; // a cell without a usable boundary still counts, just isn't drawn

      const layer = L.polygon(latlngs, { className: 'cell', weight: 2 });
      // Tooltip content as a node, never an HTML string: names come from data entry.
      const label = document.createElement('span');
      label.textContent = view.definition.name || code;
      layer.bindTooltip(label, { permanent: true, direction: 'center', className: 'cell-label', interactive: false });
      layer.on('click', (e) => { L.DomEvent.stopPropagation(e); selectCell(code); });
      layer.addTo(state.cellLayer);

      const path = layer.getElement();
      if (path) {
        path.setAttribute('data-cell-code', code);
        path.setAttribute('data-status', status);
      }
      entry.layer = layer;
    }

    updateLegendCounts();
    fitToCells(community);
  }

  function fitToCells(community) {
    state.fitting = true;
    state.autoFit = true;
    const bounds = state.cellLayer.getBounds();
    if (bounds.isValid()) {
      state.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18, animate: false });
    } else {
      const c = community && community.definition.centre;
      if (c && Number.isFinite(+c.lat) && Number.isFinite(+c.lng)) state.map.setView([+c.lat, +c.lng], 15, { animate: false });
    }
    state.fitting = false;
    updateLabelVisibility();
  }

  function setCellStatus(code, status) {
    const entry = state.cells.get(code);
    if (!entry) return false;
    entry.status = normStatus(status);
    const path = entry.layer && entry.layer.getElement();
    if (path) path.setAttribute('data-status', entry.status);
    updateLegendCounts();
    if (state.selectedCell === code) renderDetail();
    return true;
  }

  function flashCell(code) {
    const entry = state.cells.get(code);
    const path = entry && entry.layer && entry.layer.getElement();
    if (!path) return;
    path.classList.remove('flash');
    void path.getBoundingClientRect(); // restart the animation when events arrive back to back
    path.classList.add('flash');
    setTimeout(() => path.classList.remove('flash'), 2200);
  }

  function updateLegendCounts() {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    for (const e of state.cells.values()) counts[e.status]++;
    for (const b of el.legend.querySelectorAll('[data-count]')) b.textContent = String(counts[b.dataset.count] || 0);
  }

  // ---------------------------------------------------------------- drill-down

  function selectCell(code) {
    const prev = state.selectedCell && state.cells.get(state.selectedCell);
    const prevPath = prev && prev.layer && prev.layer.getElement();
    if (prevPath) prevPath.classList.remove('selected');

    state.selectedCell = code && state.cells.has(code) ? code : null;
    const cur = state.selectedCell && state.cells.get(state.selectedCell);
    const path = cur && cur.layer && cur.layer.getElement();
    if (path) {
      path.classList.add('selected');
      cur.layer.bringToFront();
    }
    renderDetail();
  }

  function renderDetail() {
    const entry = state.selectedCell && state.cells.get(state.selectedCell);
    if (!entry) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = '点击地图中的网格查看详情';
      el.detail.replaceChildren(p);
      delete el.detail.dataset.cellCode;
      return;
    }
    const { view, status } = entry;
    const d = view.definition;
    el.detail.dataset.cellCode = d.code;

    const title = document.createElement('h4');
    title.className = 'cell-title';
    title.append(d.name || d.code, ' ', badge(status));

    const dl = document.createElement('dl');
    const row = (k, v) => {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd');
      if (v instanceof Node) dd.append(v); else dd.textContent = v;
      dl.append(dt, dd);
    };
    row('网格编码', d.code);

    const workers = Array.isArray(d.gridWorkers) ? d.gridWorkers : [];
    if (workers.length) {
      const ul = document.createElement('ul');
      ul.className = 'workers';
      for (const w of workers) {
        const li = document.createElement('li');
        li.textContent = (w && (w.displayName || w.username)) || '—';
        ul.append(li);
      }
      row('网格员', ul);
    } else {
      row('网格员', '未配置');
    }
    row('住户数', String(Number(view.householdCount) || 0));
    // Only the count of placed party members: the IDs themselves stay off screen.
    row('已落格党员', String(Array.isArray(view.memberIds) ? view.memberIds.length : 0));
    const created = parseUtc(view.createdUtc);
    if (created) row('建档日期', fmtDate(created));

    el.detail.replaceChildren(title, dl);
  }

  function badge(status) {
    const b = document.createElement('span');
    b.className = 'badge';
    b.dataset.status = status;
    b.textContent = STATUS_LABEL[status] || status;
    return b;
  }

  // ---------------------------------------------------------------- live hub

  function setLive(s) {
    el.live.dataset.state = s;
    el.live.querySelector('.live-text').textContent = { live: '实时', reconnecting: '重连中', offline: '离线' }[s];
  }

  function startHub() {
    if (state.hub || !state.token) return;
    // The map must work without the live channel (script blocked, hub down): stay 离线 then.
    if (!window.signalR) { setLive('offline'); return; }

    const hub = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/command', { accessTokenFactory: () => state.token })
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    state.hub = hub;

    hub.on('cellStatus', (msg) => {
      if (!msg || !msg.cellCode) return;
      setCellStatus(String(msg.cellCode), msg.status);
    });
    hub.on('event', (msg) => { if (msg) addEvent(msg); });

    hub.onreconnecting(() => setLive('reconnecting'));
    hub.onreconnected(() => {
      setLive('live');
      state.hubRetryDelay = 5000;
      // Group membership does not survive a new connection id.
      state.joinedCode = null;
      joinCommunity();
    });
    hub.onclose(() => {
      setLive('offline');
      state.joinedCode = null;
      // Automatic reconnect gives up after a few tries; a wall screen must keep trying.
      scheduleHubRetry();
    });

    connectHub(hub);
  }

  async function connectHub(hub) {
    setLive('reconnecting');
    try {
      await hub.start();
      if (hub !== state.hub) return;
      setLive('live');
      state.hubRetryDelay = 5000;
      joinCommunity();
    } catch (e) {
      if (hub !== state.hub) return;
      setLive('offline');
      scheduleHubRetry();
    }
  }

  function scheduleHubRetry() {
    const hub = state.hub;
    if (!hub || !state.token) return;
    clearTimeout(state.hubRetryTimer);
    const delay = state.hubRetryDelay;
    state.hubRetryDelay = Math.min(delay * 2, 60000);
    state.hubRetryTimer = setTimeout(() => {
      if (hub === state.hub && hub.state === signalR.HubConnectionState.Disconnected) connectHub(hub);
    }, delay);
  }

  function stopHub() {
    clearTimeout(state.hubRetryTimer);
    const hub = state.hub;
    state.hub = null;
    state.joinedCode = null;
    state.hubRetryDelay = 5000;
    setLive('offline');
    if (hub) hub.stop().catch(() => {});
  }

  async function joinCommunity() {
    const hub = state.hub;
    const code = state.community && state.community.definition.code;
    if (!hub || !code || hub.state !== signalR.HubConnectionState.Connected) return;
    if (state.joinedCode === code) return;
    const previous = state.joinedCode;
    state.joinedCode = code;
    if (previous) {
      // Best effort: if the hub has no LeaveCommunity, events of the old community are filtered in addEvent.
      hub.invoke('LeaveCommunity', previous).catch(() => {});
    }
    try {
      await hub.invoke('JoinCommunity', code);
    } catch (e) {
      if (state.joinedCode === code) state.joinedCode = null;
      console.warn('JoinCommunity failed', e);
    }
  }

  function addEvent(msg) {
    const cellCode = msg.cellCode ? String(msg.cellCode) : '';
    const entry = cellCode ? state.cells.get(cellCode) : null;
    // A cell code we do not know belongs to a community no longer on screen.
    if (cellCode && !entry && state.cells.size > 0) return;

    const li = document.createElement('li');
    li.className = 'fresh';
    const at = parseUtc(msg.atUtc) || new Date();
    const time = document.createElement('time');
    time.dateTime = at.toISOString();
    time.textContent = fmtTime(at);

    const body = document.createElement('div');
    body.className = 'ev-body';
    const kindRaw = msg.kind ? String(msg.kind) : '';
    if (kindRaw) {
      const k = document.createElement('span');
      k.className = 'ev-kind';
      k.textContent = KIND_LABEL[kindRaw.toLowerCase()] || kindRaw;
      body.append(k);
    }
    if (entry) {
      const c = document.createElement('span');
      c.className = 'ev-cell';
      c.textContent = entry.view.definition.name || cellCode;
      body.append(c);
      li.classList.add('clickable');
      li.title = '在地图上定位该网格';
      li.dataset.cellCode = cellCode;
      li.addEventListener('click', () => focusCell(cellCode));
    }
    body.append(msg.text ? String(msg.text) : '');
    li.append(time, body);

    el.ticker.prepend(li);
    while (el.ticker.children.length > MAX_EVENTS) el.ticker.lastElementChild.remove();
    if (entry) flashCell(cellCode);
  }

  function focusCell(code) {
    const entry = state.cells.get(code);
    if (entry && entry.layer) {
      state.autoFit = false;
      state.map.fitBounds(entry.layer.getBounds(), { padding: [60, 60], maxZoom: 18 });
    }
    selectCell(code);
  }

  // ---------------------------------------------------------------- wiring

  el.loginForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const username = el.username.value.trim();
    const password = el.password.value;
    if (!username || !password) {
      el.loginError.textContent = '请输入用户名和密码';
      return;
    }
    const button = el.loginForm.querySelector('button[type="submit"]');
    button.disabled = true;
    el.loginError.textContent = '';
    try {
      const body = await login(username, password);
      storeToken(body.access_token, body.expires_in);
      el.password.value = '';
      await signIn(body.access_token);
    } catch (e) {
      el.loginError.textContent = e.message || '登录失败';
    } finally {
      button.disabled = false;
    }
  });

  el.logout.addEventListener('click', () => signOut(''));

  el.select.addEventListener('change', () => {
    selectCommunity(el.select.value).catch(handleError);
  });

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.selectedCell) selectCell(null);
  });

  tickClock();
  setInterval(tickClock, 1000);

  const stored = readStoredToken();
  if (stored) signIn(stored);
  else showLogin('');
})();
