// Grid 网格员手机页 — the grid worker's phone page, served by the .NET node.
// Plain ES2020, no build step, no external resources: the host serves this file as-is.
'use strict';

(() => {
  // Same session keys as the dashboard (app.js), so a tab signed in there is signed in here.
  const CST = 'Asia/Shanghai';
  const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
  const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
  const OPEN_FOR_DEADLINE = ['dispatched', 'in_progress'];
  const STATUS_LABEL = {
    reported: '待受理', accepted: '已立案', rejected: '不予立案', dispatched: '待接单',
    in_progress: '处置中', resolved: '待核查', closed: '已结案',
  };
  const ACTION_LABEL = {
    report: '上报', accept: '立案', reject: '不予立案', dispatch: '派遣', start: '接单', resolve: '办结',
    verify: '核查', reopen: '重新办理', rate: '评价', whistle: '吹哨', organ_report: '部门报到',
    escalate: '督办', resolve_on_spot: '就地解决',
  };
  const PHOTO_KIND_LABEL = { before: '处置前', after: '处置后' };

  const $ = (id) => document.getElementById(id);
  const el = {
    who: $('who'), net: $('net-status'), logout: $('logout'),
    loginPanel: $('login-panel'), loginForm: $('login-form'), username: $('username'), password: $('password'),
    loginError: $('login-error'), app: $('app'), statusLine: $('status-line'),
    tabInbox: $('tab-inbox'), tabReport: $('tab-report'), inboxCount: $('inbox-count'),
    inboxView: $('inbox-view'), inbox: $('inbox'), inboxEmpty: $('inbox-empty'), inboxUpdated: $('inbox-updated'), refresh: $('refresh'),
    detail: $('issue-detail'), issueStatus: $('issue-status'), issueTitle: $('issue-title'), issueBadges: $('issue-badges'),
    issueFacts: $('issue-facts'), issueDescription: $('issue-description'), detailMessage: $('detail-message'),
    start: $('start'), resolveForm: $('resolve-form'), resolveNote: $('resolve-note'), resolvePhoto: $('resolve-photo'),
    resolve: $('resolve'), noAction: $('no-action'),
    photos: $('issue-photos'), photosEmpty: $('issue-photos-empty'), history: $('issue-history'),
    reportView: $('report-view'), reportForm: $('report-form'), reportCell: $('report-cell'), reportCategory: $('report-category'),
    reportTitle: $('report-title'), reportDescription: $('report-description'), reportName: $('report-name'),
    reportPhone: $('report-phone'), locate: $('report-locate'), location: $('report-location'), onSpot: $('on-spot'),
    onSpotBox: $('on-spot-box'), onSpotNote: $('on-spot-note'), reportPhoto: $('report-photo'),
    reportError: $('report-error'), reportSubmit: $('report-submit'), reportReset: $('report-reset'), reportResult: $('report-result'),
  };

  const state = {
    token: null,
    expiryTimer: 0,
    me: null,
    cellNames: new Map(),     // cellCode -> name
    categories: [],
    metaLoaded: null,         // promise of me + cells + categories
    inbox: [],
    inboxSeq: 0,
    issue: null,              // the issue on the detail screen
    etag: null,               // its ETag ("N"), sent back as If-Match
    issueSeq: 0,              // discards answers for an issue the user already left
    photoUrls: [],            // object URLs of the shown photos, revoked on re-render
    photoSeq: 0,              // discards photo downloads of a list no longer shown
    uploaded: new Map(),      // issueId|kind -> key of the file already uploaded (no second upload on retry)
    reportKey: null,          // Idempotency-Key of the report form as filled; kept across retries
    location: null,           // {lng, lat} from the phone, if the worker asked for it
    pendingPhoto: null,       // {issueId, file}: a before-photo still to upload for a created report
  };

  // ---------------------------------------------------------------- time (China Standard Time)

  const partsOf = (d) => Object.fromEntries(new Intl.DateTimeFormat('zh-CN', {
    timeZone: CST, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((p) => [p.type, p.value]));

  function fmtShort(d) {
    const p = partsOf(d);
    return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }

  function fmtFull(d) {
    const p = partsOf(d);
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }

  const fmtClock = (d) => d.toLocaleTimeString('zh-CN', { timeZone: CST, hour12: false });

  function parseUtc(s) {
    if (!s) return null;
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + 'Z');
    return Number.isNaN(d.getTime()) ? null : d;
  }

  function span(ms) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const mins = minutes % 60;
    if (days > 0) return `${days}天${hours}小时`;
    if (hours > 0) return `${hours}小时${mins}分`;
    return `${mins}分钟`;
  }

  /** "剩余 3小时12分" or "已超期 2小时"; null without a deadline. */
  function countdown(deadline, now = new Date()) {
    if (!deadline) return null;
    const ms = deadline - now;
    return { late: ms <= 0, text: ms <= 0 ? `已超期 ${span(ms)}` : `剩余 ${span(ms)}` };
  }

  /** Overdue as the API means it: escalated, or an open dispatched/in-progress issue past its deadline. */
  function isOverdue(item, now = new Date()) {
    if (Number(item.escalationLevel) > 0) return true;
    const deadline = parseUtc(item.deadlineUtc);
    return !!deadline && deadline <= now && OPEN_FOR_DEADLINE.includes(item.status);
  }

  // ---------------------------------------------------------------- api

  class AuthError extends Error {}
  class NetworkError extends Error {}
  class ApiError extends Error {
    constructor(status, message, problem) {
      super(message);
      this.status = status;
      this.problem = problem;
    }
  }

  function problemText(p, status) {
    if (p && typeof p === 'object') {
      if (p.detail) return String(p.detail);
      if (p.errors && typeof p.errors === 'object') {
        const all = Object.entries(p.errors).map(([k, v]) => `${k}: ${[].concat(v).join(' ')}`);
        if (all.length) return all.join('；');
      }
      if (p.title) return String(p.title);
    }
    return `服务器错误（${status}）`;
  }

  async function request(method, path, { json, body, contentType, headers = {} } = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (state.token) h.Authorization = 'Bearer ' + state.token;
    let payload = body;
    if (json !== undefined) { h['Content-Type'] = 'application/json'; payload = JSON.stringify(json); }
    else if (contentType) h['Content-Type'] = contentType;
    let res;
    try {
      res = await fetch(path, { method, headers: h, body: payload, cache: 'no-store' });
    } catch {
      throw new NetworkError('无法连接服务器，请检查网络后重试');
    }
    if (res.status === 401 && state.token) throw new AuthError('登录已过期，请重新登录');
    let data = null;
    if ((res.headers.get('Content-Type') || '').includes('json')) {
      try { data = await res.json(); } catch { data = null; }
    }
    if (!res.ok) throw new ApiError(res.status, problemText(data, res.status), data);
    return { data, etag: res.headers.get('ETag'), status: res.status };
  }

  /** RFC 4122 v4. crypto.randomUUID needs a secure context; a phone on plain http over the LAN has none. */
  function newUuid() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /**
   * The API refuses control characters in text fields, and a textarea's line breaks are
   * control characters: fold them (and tabs) into single spaces before sending.
   */
  const oneLine = (s) => String(s || '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/ {2,}/g, ' ').trim();

  function photoError(file) {
    if (file.size === 0) return '照片文件为空，请重新选择';
    if (file.size > MAX_PHOTO_BYTES) return `照片太大（${(file.size / 1048576).toFixed(1)} MB），不能超过 5 MB`;
    // An empty type (unknown to the phone) is left to the server, which checks the content anyway.
    if (file.type && !PHOTO_TYPES.includes(file.type)) return '照片须为 JPEG、PNG 或 WebP 格式';
    return null;
  }

  const fileKey = (f) => `${f.name}|${f.size}|${f.lastModified}`;

  async function uploadPhoto(issueId, kind, file) {
    const slot = `${issueId}|${kind}`;
    if (state.uploaded.get(slot) === fileKey(file)) return;
    try {
      await request('POST', `/api/issues/${encodeURIComponent(issueId)}/photos?kind=${kind}`,
        { body: file, contentType: file.type || 'application/octet-stream' });
    } catch (e) {
      if (e instanceof ApiError) {
        const why = e.status === 413 ? '照片不能超过 5 MB' : e.message;
        throw new ApiError(e.status, '照片上传失败：' + why, e.problem);
      }
      throw e;
    }
    state.uploaded.set(slot, fileKey(file));
  }

  // ---------------------------------------------------------------- auth

  function armExpiry() {
    clearTimeout(state.expiryTimer);
    state.expiryTimer = GridSession.onExpiry(() => signOut('登录已过期，请重新登录'));
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
      if (res.status === 401 || res.status === 400) throw new Error('用户名或密码错误');
      let p = null;
      try { p = await res.json(); } catch { /* not JSON */ }
      throw new Error(p && p.detail ? String(p.detail) : `登录失败（${res.status}）`);
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

  function showLogin(message) {
    el.app.hidden = true;
    el.logout.hidden = true;
    el.loginPanel.hidden = false;
    el.who.textContent = '';
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
    state.metaLoaded = loadMeta();
    route();
    try {
      await state.metaLoaded;
    } catch (e) {
      handleError(e);
    }
  }

  function signOut(message) {
    GridSession.clear();
    clearTimeout(state.expiryTimer);
    state.token = null;
    state.me = null;
    state.metaLoaded = null;
    state.inboxSeq++;
    state.issueSeq++;
    state.issue = null;
    state.etag = null;
    state.inbox = [];
    state.uploaded.clear();
    state.pendingPhoto = null;
    state.photoSeq++;
    revokePhotos();
    el.photos.replaceChildren();
    el.inbox.replaceChildren();
    resetReportForm();
    el.reportResult.hidden = true;
    el.reportForm.hidden = false;
    showStatus('');
    if (location.hash) history.replaceState(null, '', location.pathname);
    showLogin(message);
  }

  // ---------------------------------------------------------------- who I am, my cells, categories

  async function loadMeta() {
    const [me, cats] = await Promise.all([request('GET', '/api/me'), request('GET', '/api/categories')]);
    state.me = me.data;
    state.categories = Array.isArray(cats.data) ? cats.data : [];
    el.who.textContent = state.me.displayName || state.me.username;
    if (state.me.role !== 'grid_worker') showStatus('本页面供网格员使用；您的账号不是网格员，部分功能可能不可用。');
    const cells = Array.isArray(state.me.cellCodes) ? state.me.cellCodes : [];
    await Promise.all(cells.map(async (code) => {
      try {
        const { data } = await request('GET', `/api/cells/${encodeURIComponent(code)}`);
        state.cellNames.set(code, (data && data.definition && data.definition.name) || code);
      } catch (e) {
        if (e instanceof AuthError) throw e;
        state.cellNames.set(code, code);
      }
    }));
    fillReportSelects();
    // Names arrived after the first render: show them.
    if (state.inbox.length) renderInbox();
    if (state.issue) renderIssue();
  }

  const cellName = (code) => state.cellNames.get(code) || code;

  function fillReportSelects() {
    const cells = (state.me && state.me.cellCodes) || [];
    const keep = el.reportCell.value;
    el.reportCell.replaceChildren(...cells.map((code) => option(code, `${cellName(code)}（${code.slice(-3)}）`)));
    if (cells.length !== 1) el.reportCell.prepend(option('', cells.length ? '请选择网格' : '您名下没有网格'));
    el.reportCell.value = cells.includes(keep) ? keep : (cells.length === 1 ? cells[0] : '');

    const keepCat = el.reportCategory.value;
    const classes = state.categories.filter((c) => !c.parentCode);
    const subs = state.categories.filter((c) => c.parentCode);
    const groups = classes.map((cls) => {
      const g = document.createElement('optgroup');
      g.label = cls.name;
      g.append(...subs.filter((s) => s.parentCode === cls.code).map(catOption));
      return g;
    }).filter((g) => g.children.length);
    const orphans = subs.filter((s) => !classes.some((c) => c.code === s.parentCode));
    if (orphans.length) {
      const g = document.createElement('optgroup');
      g.label = '其他';
      g.append(...orphans.map(catOption));
      groups.push(g);
    }
    el.reportCategory.replaceChildren(option('', '请选择类别'), ...groups);
    if (subs.some((s) => s.code === keepCat)) el.reportCategory.value = keepCat;
  }

  function option(value, text) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  }

  const catOption = (c) => option(c.code, c.handlingHours ? `${c.name}（${c.handlingHours}小时）` : c.name);

  // ---------------------------------------------------------------- screens

  function setView(name) {
    el.inboxView.hidden = name !== 'inbox';
    el.detail.hidden = name !== 'detail';
    el.reportView.hidden = name !== 'report';
    el.tabInbox.setAttribute('aria-current', String(name === 'inbox' || name === 'detail'));
    el.tabReport.setAttribute('aria-current', String(name === 'report'));
    window.scrollTo(0, 0);
  }

  function route() {
    if (!state.token) return;
    const h = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
    if (h.startsWith('issue/')) {
      openIssue(h.slice(6));
    } else if (h === 'report') {
      setView('report');
    } else {
      setView('inbox');
      loadInbox();
    }
  }

  // ---------------------------------------------------------------- inbox

  async function loadInbox() {
    const seq = ++state.inboxSeq;
    el.refresh.disabled = true;
    el.refresh.textContent = '刷新中…';
    try {
      const { data } = await request('GET', '/api/me/inbox');
      if (seq !== state.inboxSeq) return;
      state.inbox = (data && Array.isArray(data.items)) ? data.items : [];
      renderInbox();
      el.inboxUpdated.textContent = `更新于 ${fmtClock(new Date())}（北京时间）`;
      showStatus(state.me && state.me.role !== 'grid_worker' ? el.statusLine.textContent : '');
    } catch (e) {
      if (seq === state.inboxSeq) handleError(e);
    } finally {
      if (seq === state.inboxSeq) {
        el.refresh.disabled = false;
        el.refresh.textContent = '刷新';
      }
    }
  }

  function statusBadge(status) {
    const b = document.createElement('span');
    b.className = 'status-badge';
    b.dataset.status = status;
    b.textContent = STATUS_LABEL[status] || status;
    return b;
  }

  function overdueBadge(item) {
    const b = document.createElement('span');
    b.className = 'badge badge-overdue';
    b.textContent = Number(item.escalationLevel) >= 2 ? '提级督办' : '超期';
    b.hidden = !isOverdue(item);
    return b;
  }

  function renderInbox() {
    const now = new Date();
    const items = state.inbox.map((item) => {
      const li = document.createElement('li');
      li.className = 'inbox-item';
      li.dataset.issueId = item.id;
      li.dataset.status = item.status;
      li.classList.toggle('overdue', isOverdue(item, now));

      const a = document.createElement('a');
      a.href = '#issue/' + encodeURIComponent(item.id);

      const top = document.createElement('div');
      top.className = 'item-top';
      top.append(statusBadge(item.status), overdueBadge(item));

      const title = document.createElement('div');
      title.className = 'item-title';
      title.textContent = item.title;

      const meta = document.createElement('div');
      meta.className = 'item-meta';
      meta.textContent = [item.categoryName, cellName(item.cellCode)].filter(Boolean).join(' · ');

      const deadline = document.createElement('div');
      deadline.className = 'item-deadline';
      setDeadline(deadline, item);
      a.append(top, title, meta, deadline);
      li.append(a);
      return li;
    });
    el.inbox.replaceChildren(...items);
    el.inboxEmpty.hidden = items.length > 0;
    const open = state.inbox.filter((i) => OPEN_FOR_DEADLINE.includes(i.status)).length;
    el.inboxCount.textContent = String(open);
    el.inboxCount.hidden = open === 0;
    tick();
  }

  /** A deadline counts down (see tick) only while the issue is being handled; afterwards it is just a date. */
  function setDeadline(node, item) {
    const due = parseUtc(item.deadlineUtc);
    delete node.dataset.deadline;
    if (!due) { node.textContent = '未设处置时限'; return node; }
    node.dataset.label = '截止 ' + fmtShort(due);
    if (OPEN_FOR_DEADLINE.includes(item.status)) node.dataset.deadline = due.toISOString();
    else node.textContent = node.dataset.label;
    return node;
  }

  /** Deadlines count down on screen; the overdue badge appears when one passes. */
  function tick() {
    const now = new Date();
    for (const node of document.querySelectorAll('[data-deadline]')) {
      const c = countdown(new Date(node.dataset.deadline), now);
      node.textContent = `${node.dataset.label} · ${c.text}`;
      node.classList.toggle('late', c.late);
    }
    for (const li of el.inbox.querySelectorAll('.inbox-item')) {
      const item = state.inbox.find((i) => i.id === li.dataset.issueId);
      if (!item) continue;
      const overdue = isOverdue(item, now);
      li.classList.toggle('overdue', overdue);
      const b = li.querySelector('.badge-overdue');
      if (b) b.hidden = !overdue;
    }
  }

  // ---------------------------------------------------------------- issue detail

  async function openIssue(id) {
    setView('detail');
    hideNotice();
    if (!state.issue || state.issue.id !== id) {
      state.issue = null;
      state.etag = null;
      el.resolveNote.value = '';
      clearPick(el.resolvePhoto);
      renderIssue();
      el.issueTitle.textContent = '加载中…';
    }
    try {
      await loadIssue(id);
    } catch (e) {
      if (e instanceof AuthError) { signOut(e.message); return; }
      notice(e.status === 404 ? '找不到该事件' : e.message, 'error');
      el.issueTitle.textContent = '无法加载事件';
    }
  }

  async function loadIssue(id) {
    const seq = ++state.issueSeq;
    const { data, etag } = await request('GET', `/api/issues/${encodeURIComponent(id)}`);
    if (seq !== state.issueSeq) return null;
    setIssue(data, etag);
    return data;
  }

  function setIssue(issue, etag) {
    state.issue = issue;
    state.etag = etag || `"${issue.version}"`;
    renderIssue();
  }

  const isMine = (issue) => {
    const a = issue && issue.assignee;
    if (!a || !state.me) return false;
    return (a.kind === 'grid_worker' && a.id === state.me.username) || (a.kind === 'member' && a.id === state.me.memberId);
  };

  function renderIssue() {
    const issue = state.issue;
    el.detail.dataset.issueId = issue ? issue.id : '';
    el.detail.dataset.status = issue ? issue.status : '';
    el.issueStatus.replaceChildren(...(issue ? [statusBadge(issue.status)] : []));
    el.issueTitle.textContent = issue ? issue.title : '';
    el.issueBadges.replaceChildren();
    el.issueFacts.replaceChildren();
    el.issueDescription.textContent = issue ? (issue.description || '') : '';
    el.issueDescription.hidden = !(issue && issue.description);
    el.history.replaceChildren();
    renderActions(issue);
    renderPhotos(issue);
    if (!issue) return;

    const chips = [];
    if (isOverdue(issue) || issue.overdue) chips.push(overdueBadge({ ...issue, status: issue.status }));
    if (issue.reworkCount > 0) chips.push(chip(`返工 ${issue.reworkCount} 次`));
    if (issue.reopenCount > 0) chips.push(chip(`重新办理 ${issue.reopenCount} 次`));
    if (issue.source) chips.push(chip({ grid_worker: '网格员上报', member: '党员上报', resident: '群众反映' }[issue.source] || issue.source));
    for (const c of chips) c.hidden = false;
    el.issueBadges.replaceChildren(...chips);

    const row = (k, v) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      if (v instanceof Node) dd.append(v); else dd.textContent = v;
      el.issueFacts.append(dt, dd);
      return dd;
    };
    row('编号', issue.id);
    row('网格', cellName(issue.cellCode));
    row('类别', issue.categoryName || issue.categoryCode);
    if (issue.deadlineUtc) setDeadline(row('时限', ''), issue).classList.add('deadline');
    const created = parseUtc(issue.createdUtc);
    if (created) row('上报', `${fmtFull(created)} · ${actorName(issue.reportedBy)}`);
    if (issue.assignee) row('承办', issue.assignee.name || issue.assignee.id);
    if (issue.reporterName || issue.reporterPhone) {
      const who = document.createElement('span');
      who.append(issue.reporterName || '');
      if (issue.reporterPhone) {
        if (issue.reporterName) who.append(' ');
        if (!issue.masked && /^[\d-]+$/.test(issue.reporterPhone)) {
          const tel = document.createElement('a');
          tel.href = 'tel:' + issue.reporterPhone;
          tel.textContent = issue.reporterPhone;
          who.append(tel);
        } else {
          who.append(issue.reporterPhone);
        }
      }
      row('反映人', who);
    }
    if (issue.location && Number.isFinite(+issue.location.lng)) {
      row('位置', `${(+issue.location.lng).toFixed(5)}, ${(+issue.location.lat).toFixed(5)}`);
    }

    const history = Array.isArray(issue.history) ? [...issue.history].sort((a, b) => b.seq - a.seq) : [];
    el.history.replaceChildren(...history.map((h) => {
      const li = document.createElement('li');
      li.dataset.action = h.action;
      const at = parseUtc(h.atUtc);
      const time = document.createElement('time');
      if (at) { time.dateTime = at.toISOString(); time.textContent = fmtFull(at); }
      const what = document.createElement('div');
      what.className = 'h-what';
      const act = document.createElement('b');
      act.textContent = ACTION_LABEL[h.action] || h.action;
      what.append(act, ' ', actorName(h.actor));
      if (h.toStatus && h.fromStatus !== h.toStatus) what.append(` → ${STATUS_LABEL[h.toStatus] || h.toStatus}`);
      li.append(time, what);
      if (h.note) {
        const note = document.createElement('div');
        note.className = 'h-note';
        note.textContent = h.note;
        li.append(note);
      }
      return li;
    }));
    tick();
  }

  /** History names logins; the caller's own is shown by their name. */
  const actorName = (username) =>
    (state.me && username === state.me.username ? `${state.me.displayName || username}（我）` : username) || '';

  function chip(text) {
    const b = document.createElement('span');
    b.className = 'badge badge-info';
    b.textContent = text;
    return b;
  }

  function renderActions(issue) {
    const mine = isMine(issue);
    el.start.hidden = !(issue && mine && issue.status === 'dispatched');
    el.resolveForm.hidden = !(issue && mine && issue.status === 'in_progress');
    let why = '';
    if (issue && el.start.hidden && el.resolveForm.hidden) {
      if (issue.status === 'resolved') why = '已办结，等待社区核查结案。';
      else if (issue.status === 'closed') why = '已核查结案。';
      else if (issue.status === 'rejected') why = '社区不予立案。';
      else if (!mine && issue.assignee) why = `该事件由 ${issue.assignee.name || issue.assignee.id} 办理。`;
      else if (issue.status === 'reported' || issue.status === 'accepted') why = '等待社区受理派遣。';
    }
    el.noAction.textContent = why;
    el.noAction.hidden = !why;
    el.start.closest('.actions').hidden = !issue || (el.start.hidden && el.resolveForm.hidden && !why);
  }

  function revokePhotos() {
    for (const u of state.photoUrls) URL.revokeObjectURL(u);
    state.photoUrls = [];
  }

  /** Photos need the bearer token, so they are fetched as blobs rather than linked. */
  function renderPhotos(issue) {
    const photos = issue && Array.isArray(issue.photos) ? issue.photos : [];
    const shown = new Set(Array.from(el.photos.children, (f) => f.dataset.photoId));
    const owner = issue ? issue.id : '';
    if (el.photos.dataset.issueId === owner && photos.length === shown.size && photos.every((p) => shown.has(p.id))) {
      el.photosEmpty.hidden = photos.length > 0;
      return;
    }
    revokePhotos();
    el.photos.replaceChildren();
    el.photosEmpty.hidden = photos.length > 0;
    el.photos.dataset.issueId = owner;
    const seq = ++state.photoSeq;
    for (const p of photos) {
      const fig = document.createElement('figure');
      fig.className = 'photo';
      fig.dataset.photoId = p.id;
      fig.dataset.kind = p.kind;
      const img = document.createElement('img');
      img.alt = PHOTO_KIND_LABEL[p.kind] || p.kind;
      const cap = document.createElement('figcaption');
      const at = parseUtc(p.atUtc);
      cap.textContent = `${PHOTO_KIND_LABEL[p.kind] || p.kind}${at ? ' · ' + fmtShort(at) : ''}`;
      fig.append(img, cap);
      el.photos.append(fig);
      fetch(`/api/issues/${encodeURIComponent(issue.id)}/photos/${encodeURIComponent(p.id)}`, {
        headers: { Authorization: 'Bearer ' + state.token },
      }).then((r) => (r.ok ? r.blob() : null)).then((blob) => {
        if (!blob || seq !== state.photoSeq) return;
        const url = URL.createObjectURL(blob);
        state.photoUrls.push(url);
        img.src = url;
      }).catch(() => { /* the caption still says a photo is there */ });
    }
  }

  function notice(text, kind = 'info') {
    el.detailMessage.textContent = text;
    el.detailMessage.dataset.kind = kind;
    el.detailMessage.hidden = !text;
    if (text) el.detailMessage.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  function hideNotice() { notice(''); }

  /** 409: someone else moved the issue on; 412: our version is stale. Either way: reload, then say so. */
  async function actionFailed(e, id) {
    if (e instanceof AuthError) { signOut(e.message); return; }
    if (e instanceof ApiError && (e.status === 409 || e.status === 412)) {
      const msg = e.status === 409
        ? '事件状态已变化（可能已有他人处理），已为您重新加载。'
        : '事件已被更新，您看到的不是最新版本，已为您重新加载，请确认后重试。';
      try {
        await loadIssue(id);
      } catch (e2) {
        if (e2 instanceof AuthError) { signOut(e2.message); return; }
      }
      notice(`${msg}（${e.message}）`, 'warn');
      loadInbox();
      return;
    }
    notice(e.message || '操作失败', 'error');
  }

  function busy(button, text) {
    button.disabled = true;
    button.dataset.text = button.dataset.text || button.textContent;
    button.textContent = text;
  }

  function idle(button) {
    button.disabled = false;
    if (button.dataset.text) button.textContent = button.dataset.text;
  }

  async function doStart() {
    const issue = state.issue;
    if (!issue) return;
    hideNotice();
    busy(el.start, '接单中…');
    try {
      const { data, etag } = await request('POST', `/api/issues/${encodeURIComponent(issue.id)}/start`,
        { json: {}, headers: { 'If-Match': state.etag } });
      state.issueSeq++;
      setIssue(data, etag);
      notice('已接单，请尽快处置。办结时填写处置情况。', 'ok');
      el.resolveNote.focus({ preventScroll: true });
      loadInbox();
    } catch (e) {
      await actionFailed(e, issue.id);
    } finally {
      idle(el.start);
    }
  }

  async function doResolve(ev) {
    ev.preventDefault();
    const issue = state.issue;
    if (!issue) return;
    hideNotice();
    const note = oneLine(el.resolveNote.value);
    if (!note) {
      notice('请填写处置情况', 'error');
      el.resolveNote.focus();
      return;
    }
    const file = el.resolvePhoto.files && el.resolvePhoto.files[0];
    if (file) {
      const bad = photoError(file);
      if (bad) { notice(bad, 'error'); return; }
    }
    busy(el.resolve, file ? '上传照片…' : '提交中…');
    try {
      if (file) {
        await uploadPhoto(issue.id, 'after', file);
        // A photo bumps the issue's version: take the new ETag before resolving.
        el.resolve.textContent = '提交中…';
        await loadIssue(issue.id);
        if (state.issue.status !== 'in_progress') {
          notice('照片已上传，但事件状态已变化（可能已有他人处理），请查看最新状态。', 'warn');
          return;
        }
      }
      const { data, etag } = await request('POST', `/api/issues/${encodeURIComponent(issue.id)}/resolve`,
        { json: { note }, headers: { 'If-Match': state.etag } });
      state.issueSeq++;
      el.resolveNote.value = '';
      clearPick(el.resolvePhoto);
      setIssue(data, etag);
      notice(file ? '办结成功，照片已上传。' : '办结成功。', 'ok');
      loadInbox();
    } catch (e) {
      await actionFailed(e, issue.id);
    } finally {
      idle(el.resolve);
    }
  }

  /** The chosen photo under a picker: a preview, its name and size (or why it cannot be sent), and 移除. */
  const previews = new Map(); // input id -> object URL
  function renderPick(input) {
    const f = input.files && input.files[0];
    const chosen = $(input.id + '-chosen');
    const name = $(input.id + '-name');
    const img = $(input.id + '-preview');
    if (previews.has(input.id)) { URL.revokeObjectURL(previews.get(input.id)); previews.delete(input.id); }
    img.removeAttribute('src');
    chosen.hidden = !f;
    if (!f) { name.textContent = ''; return; }
    const bad = photoError(f);
    name.textContent = bad || `${f.name}（${Math.max(1, Math.round(f.size / 1024))} KB）`;
    name.classList.toggle('form-error', !!bad);
    img.hidden = !!bad;
    if (!bad) {
      const url = URL.createObjectURL(f);
      previews.set(input.id, url);
      img.src = url;
    }
  }

  function clearPick(input) {
    input.value = '';
    renderPick(input);
  }

  // ---------------------------------------------------------------- report

  function resetReportForm() {
    el.reportForm.reset();
    el.onSpotBox.hidden = true;
    el.reportError.textContent = '';
    clearPick(el.reportPhoto);
    el.location.textContent = '未定位（可不填）';
    state.location = null;
    state.reportKey = null;
    if (state.me) fillReportSelects();
  }

  function locate() {
    if (!('geolocation' in navigator)) {
      el.location.textContent = '此设备不支持定位（可不填）';
      return;
    }
    el.location.textContent = '定位中…';
    el.locate.disabled = true;
    navigator.geolocation.getCurrentPosition((pos) => {
      el.locate.disabled = false;
      const round = (x) => Math.round(x * 1e6) / 1e6;
      state.location = { lng: round(pos.coords.longitude), lat: round(pos.coords.latitude) };
      const acc = Number.isFinite(pos.coords.accuracy) ? `，误差约 ${Math.round(pos.coords.accuracy)} 米` : '';
      el.location.textContent = `已定位 ${state.location.lng.toFixed(5)}, ${state.location.lat.toFixed(5)}${acc}`;
    }, (err) => {
      el.locate.disabled = false;
      state.location = null;
      el.location.textContent = err && err.code === 1 ? '未获定位权限，可不填' : '定位失败，可不填';
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  async function doReport(ev) {
    ev.preventDefault();
    el.reportError.textContent = '';
    const cellCode = el.reportCell.value;
    const categoryCode = el.reportCategory.value;
    const title = oneLine(el.reportTitle.value);
    const onSpot = el.onSpot.checked;
    const onSpotNote = oneLine(el.onSpotNote.value);
    const missing = [];
    if (!cellCode) missing.push('网格');
    if (!categoryCode) missing.push('类别');
    if (!title) missing.push('标题');
    if (onSpot && !onSpotNote) missing.push('就地解决的处理情况');
    if (missing.length) {
      el.reportError.textContent = '请填写：' + missing.join('、');
      return;
    }
    const file = el.reportPhoto.files && el.reportPhoto.files[0];
    if (file) {
      const bad = photoError(file);
      if (bad) { el.reportError.textContent = bad; return; }
    }

    const body = { cellCode, categoryCode, title };
    const description = oneLine(el.reportDescription.value);
    if (description) body.description = description;
    if (state.location) body.location = state.location;
    const name = oneLine(el.reportName.value);
    if (name) body.reporterName = name;
    const phone = el.reportPhone.value.replace(/\s+/g, '');
    if (phone) body.reporterPhone = phone;
    if (onSpot) body.resolveOnSpot = { note: onSpotNote };

    // One key per filled form, kept across retries: a flaky network must never create two issues.
    if (!state.reportKey) state.reportKey = newUuid();
    busy(el.reportSubmit, '提交中…');
    let issue;
    try {
      ({ data: issue } = await request('POST', '/api/issues', { json: body, headers: { 'Idempotency-Key': state.reportKey } }));
    } catch (e) {
      idle(el.reportSubmit);
      if (e instanceof AuthError) { signOut(e.message); return; }
      if (e instanceof NetworkError) {
        el.reportError.textContent = '网络异常，未确认是否提交成功。请在网络恢复后再点“提交上报”，不会重复上报。';
      } else if (e instanceof ApiError && e.status === 422 && e.problem && /Idempotency/i.test(e.problem.title || '')) {
        el.reportError.textContent = '此表单此前已以不同内容提交过，可能已生成事件，请先到待办或指挥中心核对；确需另报请点“清空重填”。';
      } else {
        el.reportError.textContent = e.message || '上报失败';
      }
      return;
    }

    state.reportKey = null;
    state.pendingPhoto = file ? { issueId: issue.id, file } : null;
    resetReportForm();
    idle(el.reportSubmit);
    el.reportResult.dataset.photo = 'none';
    showReportResult(issue);
    el.reportForm.hidden = true;
    window.scrollTo(0, 0);
    if (state.pendingPhoto) await uploadPendingPhoto(issue);
    loadInbox();
  }

  function showReportResult(issue, photoProblem) {
    const r = el.reportResult;
    r.dataset.issueId = issue.id;
    r.dataset.status = issue.status;
    const h = document.createElement('h3');
    h.textContent = issue.status === 'resolved' ? '已上报并就地解决' : '已上报';
    const p = document.createElement('p');
    p.append('编号 ', Object.assign(document.createElement('b'), { textContent: issue.id }));
    const st = document.createElement('p');
    st.append('状态 ', statusBadge(issue.status));
    const a = document.createElement('a');
    a.href = '#issue/' + encodeURIComponent(issue.id);
    a.className = 'btn btn-secondary btn-block';
    a.textContent = '查看详情';
    const again = document.createElement('button');
    again.type = 'button';
    again.id = 'report-again';
    again.className = 'btn btn-primary btn-block';
    again.textContent = '继续上报';
    again.addEventListener('click', () => {
      el.reportResult.hidden = true;
      el.reportForm.hidden = false;
      el.reportTitle.focus();
    });
    const parts = [h, p, st];
    if (r.dataset.photo === 'uploaded') parts.push(Object.assign(document.createElement('p'), { className: 'muted', textContent: '现场照片已上传' }));
    if (photoProblem) {
      const err = document.createElement('p');
      err.className = 'form-error';
      err.textContent = photoProblem;
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.id = 'report-photo-retry';
      retry.className = 'btn btn-primary btn-block';
      retry.textContent = '重试上传照片';
      retry.addEventListener('click', () => uploadPendingPhoto(issue));
      parts.push(err, retry);
    } else if (state.pendingPhoto && state.pendingPhoto.issueId === issue.id) {
      parts.push(Object.assign(document.createElement('p'), { className: 'muted', textContent: '正在上传照片…' }));
    }
    parts.push(a, again);
    r.replaceChildren(...parts);
    r.hidden = false;
  }

  async function uploadPendingPhoto(issue) {
    const pending = state.pendingPhoto;
    if (!pending || pending.issueId !== issue.id) return;
    el.reportResult.dataset.photo = 'pending';
    showReportResult(issue);
    try {
      await uploadPhoto(issue.id, 'before', pending.file);
      state.pendingPhoto = null;
      el.reportResult.dataset.photo = 'uploaded';
      showReportResult(issue);
    } catch (e) {
      if (e instanceof AuthError) { signOut(e.message); return; }
      el.reportResult.dataset.photo = 'failed';
      showReportResult(issue, `事件已上报，但${e.message || '照片上传失败'}`);
    }
  }

  // ---------------------------------------------------------------- online / offline

  function updateNet() {
    const online = navigator.onLine !== false;
    el.net.dataset.state = online ? 'online' : 'offline';
    el.net.querySelector('.net-text').textContent = online ? '在线' : '离线';
    el.net.title = online ? '网络已连接' : '网络已断开：恢复后再提交，已填内容不会丢失';
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
  el.refresh.addEventListener('click', () => loadInbox());
  el.start.addEventListener('click', doStart);
  el.resolveForm.addEventListener('submit', doResolve);
  for (const input of [el.resolvePhoto, el.reportPhoto]) {
    input.addEventListener('change', () => renderPick(input));
    $(input.id + '-clear').addEventListener('click', () => clearPick(input));
  }
  el.reportForm.addEventListener('submit', doReport);
  el.reportReset.addEventListener('click', () => resetReportForm());
  el.locate.addEventListener('click', locate);
  el.onSpot.addEventListener('change', () => {
    el.onSpotBox.hidden = !el.onSpot.checked;
    if (el.onSpot.checked) el.onSpotNote.focus();
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('online', updateNet);
  window.addEventListener('offline', updateNet);
  // Back from another app (camera, phone call): the inbox may have moved on.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.token && !el.inboxView.hidden) loadInbox();
  });

  updateNet();
  setInterval(tick, 30000);

  const stored = GridSession.read();
  if (stored) signIn(stored);
  else showLogin('');
})();
