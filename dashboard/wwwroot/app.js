// Grid 指挥中心 — static dashboard served by the .NET node.
// Plain ES2020, no build step: the host serves this file as-is.
//
// Live data: on joining a community the hub sends a snapshot (every cell's colour and the
// counters), then deltas (cellStatus, counters, event). Each carries atUtc; per cell and for the
// counters the page keeps whichever it received is newer, so a snapshot and the deltas racing it
// may arrive in any order. The client joins again after every reconnect, and so gets a new snapshot.
'use strict';

(() => {
  const COMMUNITY_KEY = 'grid.community';
  const CST = 'Asia/Shanghai';
  const MAX_EVENTS = 50;
  const MAX_MEMBER_CARDS = 12;
  const STATUSES = ['normal', 'attention', 'overdue', 'escalated'];
  const STATUS_LABEL = { normal: '正常', attention: '关注', overdue: '超期', escalated: '督办' };
  const ISSUE_STATUS_LABEL = {
    reported: '待受理', accepted: '已立案', rejected: '不予立案', dispatched: '已派遣',
    in_progress: '处置中', resolved: '待核查', closed: '已结案',
  };
  // Event kinds are open-ended on the server; unknown kinds are shown as sent.
  const KIND_LABEL = {
    issue: '诉求', escalation: '督办', whistle: '吹哨', assignment: '任务', sign_in: '到岗', skipped: '略过',
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
    orleans: $('orleans-link'), fullscreen: $('fullscreen'),
    filterCategory: $('filter-category'), filterStatus: $('filter-status'),
    kpiOpen: $('counter-open'), kpiOverdue: $('counter-overdue'), kpiClosedToday: $('counter-closed-today'),
    kpiOnTime: $('counter-on-time'), kpiOnTimeDetail: $('counter-on-time-detail'), kpiOnDuty: $('counter-on-duty'),
    kpiRed: $('counter-red-saturday'), kpiRedDetail: $('counter-red-saturday-detail'),
  };

  const state = {
    token: null,
    me: null,
    expiryTimer: 0,
    communities: [],
    community: null,          // selected community view
    joinedCode: null,         // community group the hub connection is in
    cells: new Map(),         // cellCode -> { view, layer, status, at }
    countersAt: -Infinity,    // atUtc (ms) of the counters on screen
    selectedCell: null,
    detailSeq: 0,             // discards drill-down answers for a cell no longer selected
    detailTimer: 0,
    memberCards: new Map(),   // memberId -> card (public: name, branch; never a phone)
    categories: [],
    hiddenStatuses: new Set(),
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
  const fmtDateTime = (d) => d.toLocaleString('zh-CN', { timeZone: CST, hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

  function parseUtc(s) {
    if (!s) return null;
    // .NET may omit the zone designator on DateTime; the API contract says UTC.
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + 'Z');
    return Number.isNaN(d.getTime()) ? null : d;
  }

  function atMs(s) {
    const d = parseUtc(s);
    return d ? d.getTime() : -Infinity;
  }

  function tickClock() {
    el.clock.textContent = '北京时间 ' + fmtTime(new Date());
  }

  // ---------------------------------------------------------------- auth + api

  class AuthError extends Error {}

  function armExpiry() {
    clearTimeout(state.expiryTimer);
    state.expiryTimer = GridSession.onExpiry(() => signOut('登录已过期，请重新登录'));
  }

  async function problemMessage(res, fallback) {
    try {
      const body = await res.json();
      if (body && (body.detail || body.title)) return String(body.detail || body.title);
    } catch { /* not JSON: fall through */ }
    return fallback;
  }

  async function api(path, { optional = false, method = 'GET' } = {}) {
    let res;
    try {
      res = await fetch(path, {
        method,
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
    return res.status === 204 ? null : res.json();
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
    el.orleans.hidden = true;
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
      await Promise.all([loadMe(), loadCategories(), loadCommunities(), loadTiles()]);
    } catch (e) {
      handleError(e);
    }
  }

  function signOut(message) {
    // The Orleans dashboard cookie goes with the sign-in that opened it (best effort).
    if (state.token && state.me && state.me.role === 'admin') api('/api/dashboard/orleans-session', { method: 'DELETE', optional: true });
    GridSession.clear();
    clearTimeout(state.expiryTimer);
    state.token = null;
    state.me = null;
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

  async function loadMe() {
    const me = await api('/api/me', { optional: true });
    state.me = me;
    el.orleans.hidden = !(me && me.role === 'admin');
  }

  async function openOrleans() {
    // A page navigation cannot carry the bearer token: exchange it for the Orleans dashboard's own short-lived cookie.
    const tab = window.open('about:blank', '_blank');
    try {
      const session = await api('/api/dashboard/orleans-session', { method: 'POST' });
      const url = (session && session.url) || '/orleans/';
      if (tab) { tab.opener = null; tab.location.href = url; } else window.location.href = url;
    } catch (e) {
      if (tab) tab.close();
      handleError(e);
    }
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

  // ---------------------------------------------------------------- counters

  function clearCounters() {
    state.countersAt = -Infinity;
    for (const b of [el.kpiOpen, el.kpiOverdue, el.kpiClosedToday, el.kpiOnTime, el.kpiOnDuty, el.kpiRed]) b.textContent = '—';
    el.kpiOnTimeDetail.textContent = '';
    el.kpiRedDetail.textContent = '';
    el.kpiOverdue.closest('.kpi').classList.remove('alarm');
  }

  const pct = (rate) => (Math.round(rate * 1000) / 10).toFixed(1) + '%';

  function applyCounters(c) {
    if (!c || !state.community || c.communityCode !== state.community.definition.code) return;
    const at = atMs(c.atUtc);
    if (at < state.countersAt) return; // an older state than the one on screen
    state.countersAt = at;
    setKpi(el.kpiOpen, String(Number(c.open) || 0));
    setKpi(el.kpiOverdue, String(Number(c.overdue) || 0));
    el.kpiOverdue.closest('.kpi').classList.toggle('alarm', Number(c.overdue) > 0);
    setKpi(el.kpiClosedToday, String(Number(c.closedToday) || 0));
    if (typeof c.onTimeRate === 'number') {
      setKpi(el.kpiOnTime, pct(c.onTimeRate));
      el.kpiOnTimeDetail.textContent = `${c.closedOnTimeThisMonth}/${c.closedThisMonth} 件`;
    } else {
      setKpi(el.kpiOnTime, '—');
      el.kpiOnTimeDetail.textContent = '本月尚无结案';
    }
    setKpi(el.kpiOnDuty, String(Number(c.membersOnDuty) || 0));
    const red = c.redSaturday;
    if (red && typeof red.rate === 'number') {
      setKpi(el.kpiRed, pct(red.rate));
      el.kpiRedDetail.textContent = `${red.attended}/${red.expected} 人`;
    } else {
      setKpi(el.kpiRed, '—');
      el.kpiRedDetail.textContent = '暂无活动数据';
    }
  }

  function setKpi(node, text) {
    if (node.textContent === text) return;
    node.textContent = text;
    node.classList.remove('bump');
    void node.offsetWidth; // restart the highlight when values change back to back
    node.classList.add('bump');
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
    // Tiles are an operator opt-in (e.g. 天地图 or an intranet tile server); failure means "no tiles".
    if (state.tilesChecked) return;
    state.tilesChecked = true;
    const cfg = await api('/api/dashboard/config', { optional: true }).catch(() => null);
    const url = cfg && typeof cfg.tileUrl === 'string' ? cfg.tileUrl.trim() : '';
    if (!url || !state.map) return;
    const attribution = typeof cfg.tileAttribution === 'string' ? cfg.tileAttribution : '';
    const options = { maxZoom: 19, attribution: escapeHtml(attribution) };
    if (cfg.tileSubdomains) options.subdomains = String(cfg.tileSubdomains);
    state.tileLayer = L.tileLayer(url, options).addTo(state.map);
    el.map.classList.add('has-tiles');
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
    state.detailSeq++;
    clearCounters();
    renderDetail();
    updateLegendCounts();
  }

  function drawCells(cells, community) {
    state.cellLayer.clearLayers();
    state.cells.clear();

    for (const view of cells) {
      const code = view.definition.code;
      const status = normStatus(view.status);
      // The list's colour is older than anything the hub sends after it.
      const entry = { view, layer: null, status, at: -Infinity };
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
        path.classList.toggle('dimmed', state.hiddenStatuses.has(status));
      }
      entry.layer = layer;
    }

    el.map.dataset.cellCount = String(state.cells.size);
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

  /** Applies a cell colour unless the page already shows a newer one. */
  function setCellStatus(code, status, at) {
    const entry = state.cells.get(code);
    if (!entry) return false;
    if (at < entry.at) return false;
    entry.at = at;
    const next = normStatus(status);
    if (next === entry.status) return true;
    entry.status = next;
    const path = entry.layer && entry.layer.getElement();
    if (path) {
      path.setAttribute('data-status', entry.status);
      path.classList.toggle('dimmed', state.hiddenStatuses.has(entry.status));
    }
    updateLegendCounts();
    if (state.selectedCell === code) refreshDetailSoon();
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

  function toggleStatusFilter(status) {
    if (state.hiddenStatuses.has(status)) state.hiddenStatuses.delete(status);
    else state.hiddenStatuses.add(status);
    for (const b of el.legend.querySelectorAll('.legend-item')) b.setAttribute('aria-pressed', String(!state.hiddenStatuses.has(b.dataset.status)));
    for (const e of state.cells.values()) {
      const path = e.layer && e.layer.getElement();
      if (path) path.classList.toggle('dimmed', state.hiddenStatuses.has(e.status));
    }
  }

  // ---------------------------------------------------------------- filters

  async function loadCategories() {
    const list = await api('/api/categories', { optional: true });
    state.categories = Array.isArray(list) ? list : [];
    const classes = state.categories.filter((c) => !c.parentCode);
    const options = [new Option('全部类别', '')];
    for (const k of classes) {
      options.push(new Option(`${k.code} ${k.name}`, k.code));
      for (const sub of state.categories.filter((c) => c.parentCode === k.code)) {
        options.push(new Option(`　${sub.code} ${sub.name}`, sub.code));
      }
    }
    el.filterCategory.replaceChildren(...options);
  }

  function matchesCategory(issue) {
    const wanted = el.filterCategory.value;
    if (!wanted) return true;
    const code = String(issue.categoryCode || '');
    return code === wanted || code.startsWith(wanted + '.');
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
    if (state.selectedCell) loadDetail(state.selectedCell).catch(handleError);
  }

  function refreshDetailSoon() {
    clearTimeout(state.detailTimer);
    const code = state.selectedCell;
    if (!code) return;
    state.detailTimer = setTimeout(() => { if (state.selectedCell === code) loadDetail(code).catch(handleError); }, 400);
  }

  /** Fresh cell view, its issues (as filtered) and the public cards of the members placed there. */
  async function loadDetail(code) {
    const seq = ++state.detailSeq;
    const status = el.filterStatus.value;
    const [view, issues] = await Promise.all([
      api(`/api/cells/${encodeURIComponent(code)}`),
      api(`/api/cells/${encodeURIComponent(code)}/issues${status ? '?status=' + encodeURIComponent(status) : ''}`),
    ]);
    if (seq !== state.detailSeq || state.selectedCell !== code) return;
    const entry = state.cells.get(code);
    if (!entry) return;
    entry.view = view || entry.view;
    entry.issues = issues && Array.isArray(issues.items) ? issues.items : [];
    const ids = Array.isArray(entry.view.memberIds) ? entry.view.memberIds.slice(0, MAX_MEMBER_CARDS) : [];
    await Promise.all(ids.filter((id) => !state.memberCards.has(id)).map(async (id) => {
      const card = await api(`/api/members/${encodeURIComponent(id)}/card`, { optional: true });
      if (card) state.memberCards.set(id, card);
    }));
    if (seq !== state.detailSeq || state.selectedCell !== code) return;
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
    row('网格员', workers.length ? chips(workers.map((w) => (w && (w.displayName || w.username)) || '—')) : '未配置');
    row('住户数', String(Number(view.householdCount) || 0));
    // Party members placed here: names from their public cards (亮身份), never a phone.
    const memberIds = Array.isArray(view.memberIds) ? view.memberIds : [];
    if (memberIds.length) {
      const names = memberIds.slice(0, MAX_MEMBER_CARDS).map((id) => state.memberCards.get(id)).filter(Boolean).map((c) => c.name);
      const list = chips(names);
      if (memberIds.length > names.length) list.append(Object.assign(document.createElement('li'), { className: 'more', textContent: names.length ? `等 ${memberIds.length} 人` : `${memberIds.length} 人` }));
      row('落格党员', list);
    } else {
      row('落格党员', '无');
    }
    row('在办诉求', String(Number(view.openIssueCount) || 0));

    const parts = [title, dl];
    if (entry.issues) parts.push(issueList(entry.issues));
    el.detail.replaceChildren(...parts);
  }

  function chips(texts) {
    const ul = document.createElement('ul');
    ul.className = 'workers';
    for (const t of texts) {
      const li = document.createElement('li');
      li.textContent = t;
      ul.append(li);
    }
    return ul;
  }

  function issueList(all) {
    const wrap = document.createElement('div');
    wrap.className = 'issue-list';
    const items = all.filter(matchesCategory);
    const head = document.createElement('p');
    head.className = 'muted small';
    const statusText = el.filterStatus.value ? ISSUE_STATUS_LABEL[el.filterStatus.value] : '在办';
    head.textContent = `${statusText}诉求 ${items.length} 件` + (el.filterCategory.value ? '（已按类别筛选）' : '');
    wrap.append(head);
    const ol = document.createElement('ol');
    ol.id = 'cell-issues';
    const now = Date.now();
    for (const i of items) {
      const li = document.createElement('li');
      li.dataset.issueId = i.id;
      li.dataset.status = i.status;
      const t = document.createElement('span');
      t.className = 'issue-title';
      t.textContent = i.title;
      const meta = document.createElement('span');
      meta.className = 'issue-meta';
      const deadline = parseUtc(i.deadlineUtc);
      const late = (deadline && deadline.getTime() <= now && ['dispatched', 'in_progress'].includes(i.status)) || i.escalationLevel > 0;
      meta.textContent = [i.categoryName, ISSUE_STATUS_LABEL[i.status] || i.status, deadline ? '时限 ' + fmtDateTime(deadline) : ''].filter(Boolean).join(' · ');
      if (late) li.classList.add('late');
      li.append(t, meta);
      ol.append(li);
    }
    wrap.append(ol);
    return wrap;
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

  const inCommunity = (msg) => msg && state.community && msg.communityCode === state.community.definition.code;

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

    hub.on('snapshot', (msg) => {
      if (!inCommunity(msg)) return;
      const at = atMs(msg.atUtc);
      for (const c of Array.isArray(msg.cells) ? msg.cells : []) setCellStatus(String(c.cellCode), c.status, at);
      applyCounters(msg.counters);
      el.app.dataset.snapshotAt = msg.atUtc;
    });
    // Live messages arrive in batches (one frame per flush of the node's fan-out), in order.
    const live = {
      cellStatus: (msg) => {
        if (!inCommunity(msg) || !msg.cellCode) return;
        if (setCellStatus(String(msg.cellCode), msg.status, atMs(msg.atUtc))) flashCell(String(msg.cellCode));
      },
      counters: (msg) => { if (inCommunity(msg)) applyCounters(msg); },
      event: (msg) => { if (inCommunity(msg)) addEvent(msg); },
    };
    hub.on('batch', (items) => {
      for (const item of Array.isArray(items) ? items : []) {
        const handle = Object.hasOwn(live, item.method) ? live[item.method] : null;
        if (handle) handle(item.message);
      }
    });

    hub.onreconnecting(() => setLive('reconnecting'));
    hub.onreconnected(() => {
      setLive('live');
      state.hubRetryDelay = 5000;
      // Group membership does not survive a new connection id; joining again brings a fresh snapshot.
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
    if (previous) hub.invoke('LeaveCommunity', previous).catch(() => {});
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

    const li = document.createElement('li');
    li.className = 'fresh';
    const kindRaw = msg.kind ? String(msg.kind) : '';
    li.dataset.kind = kindRaw;
    if (msg.issueId) li.dataset.issueId = String(msg.issueId);
    const at = parseUtc(msg.atUtc) || new Date();
    const time = document.createElement('time');
    time.dateTime = at.toISOString();
    time.textContent = fmtTime(at);

    const body = document.createElement('div');
    body.className = 'ev-body';
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
    if (cellCode && cellCode === state.selectedCell) refreshDetailSoon();
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
      GridSession.store(body.access_token, body.expires_in);
      el.password.value = '';
      await signIn(body.access_token);
    } catch (e) {
      el.loginError.textContent = e.message || '登录失败';
    } finally {
      button.disabled = false;
    }
  });

  el.logout.addEventListener('click', () => signOut(''));
  el.orleans.addEventListener('click', () => openOrleans());
  el.fullscreen.addEventListener('click', () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else document.documentElement.requestFullscreen().catch(() => {});
  });
  document.addEventListener('fullscreenchange', () => {
    el.fullscreen.textContent = document.fullscreenElement ? '退出全屏' : '全屏';
    if (state.map) state.map.invalidateSize();
  });

  el.select.addEventListener('change', () => {
    selectCommunity(el.select.value).catch(handleError);
  });
  el.filterCategory.addEventListener('change', () => renderDetail());
  el.filterStatus.addEventListener('change', () => { if (state.selectedCell) loadDetail(state.selectedCell).catch(handleError); });
  document.getElementById('filters').addEventListener('submit', (e) => e.preventDefault());
  for (const b of el.legend.querySelectorAll('.legend-item')) {
    b.addEventListener('click', () => toggleStatusFilter(b.dataset.status));
  }

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.selectedCell) selectCell(null);
  });

  tickClock();
  setInterval(tickClock, 1000);

  const stored = GridSession.read();
  if (stored) signIn(stored);
  else showLogin('');
})();
