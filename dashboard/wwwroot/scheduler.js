// Grid 活动调度 — the scheduler's page: schedules, coming occurrences, reminders, sign-ups, leave and live attendance.
// Plain ES2020, no build step. Signs in like the dashboard (same session token), times shown in China Standard Time.
'use strict';

(() => {
  const COMMUNITY_KEY = 'grid.community';
  const CST = 'Asia/Shanghai';
  const STATUS = { planned: '计划中', closed: '已结束', cancelled: '已取消' };
  const ATTENDANCE = { attended: '已签到', attended_remotely: '远程签到', on_leave: '请假', absent: '缺席' };
  const SATURDAY = { first: '第一个', second: '第二个', third: '第三个', fourth: '第四个', last: '最后一个' };

  const $ = (id) => document.getElementById(id);
  const state = { token: null, role: null, communities: [], code: null, schedules: [], activities: [], selected: null, hub: null, codeTimer: 0, refreshTimer: 0 };

  const fmt = (s) => {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? '' : d.toLocaleString('zh-CN', { timeZone: CST, hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit' });
  };
  const fmtTime = (s) => new Date(s).toLocaleTimeString('zh-CN', { timeZone: CST, hour12: false, hour: '2-digit', minute: '2-digit' });
  const leadText = (m) => (m % 1440 === 0 ? `${m / 1440}天` : m % 60 === 0 ? `${m / 60}小时` : `${m}分钟`);
  const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; };
  const badge = (value, label) => { const s = document.createElement('span'); s.className = 'state'; s.dataset.state = value; s.textContent = label; return s; };

  // ------------------------------------------------------------ auth + api

  class AuthError extends Error {}

  async function problem(res, fallback) {
    try { const b = await res.json(); if (b && (b.detail || b.title)) return String(b.detail || b.title); } catch { /* not JSON */ }
    return fallback;
  }

  async function api(path, { method = 'GET', body } = {}) {
    let res;
    try {
      res = await fetch(path, {
        method, cache: 'no-store',
        headers: { Accept: 'application/json', Authorization: 'Bearer ' + state.token, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch { throw new Error('无法连接服务器，请检查网络'); }
    if (res.status === 401) throw new AuthError('登录已过期，请重新登录');
    if (!res.ok) throw new Error(await problem(res, `请求失败（${res.status}）`));
    return res.status === 204 ? null : res.json();
  }

  function status(text) { $('status-line').textContent = text || ''; $('status-line').hidden = !text; }

  function fail(err) {
    if (err instanceof AuthError) { signOut(err.message); return; }
    status(err && err.message ? err.message : '加载失败');
  }

  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('login-error').textContent = '';
    try {
      const res = await fetch('/api/auth/token', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: $('username').value.trim(), password: $('password').value }),
      });
      if (!res.ok) throw new Error(await problem(res, '用户名或密码错误'));
      const body = await res.json();
      GridSession.store(body.access_token, body.expires_in);
      await start(body.access_token);
    } catch (err) { $('login-error').textContent = err.message || '登录失败'; }
  });

  $('logout').addEventListener('click', () => signOut(''));

  function signOut(message) {
    GridSession.clear();
    state.token = null;
    if (state.hub) state.hub.stop().catch(() => {});
    state.hub = null;
    clearInterval(state.codeTimer);
    clearInterval(state.refreshTimer);
    $('app').hidden = true;
    $('logout').hidden = true;
    $('hangfire-link').hidden = true;
    $('login-panel').hidden = false;
    $('login-error').textContent = message || '';
  }

  async function start(token) {
    state.token = token;
    try {
      const me = await api('/api/me');
      state.role = me.role;
      $('login-panel').hidden = true;
      $('app').hidden = false;
      $('logout').hidden = false;
      $('hangfire-link').hidden = me.role !== 'admin';
      const list = await api('/api/communities');
      state.communities = (list || []).filter((c) => c && c.definition);
      const select = $('community-select');
      select.replaceChildren(...state.communities.map((c) => { const o = document.createElement('option'); o.value = c.definition.code; o.textContent = c.definition.name; return o; }));
      $('community-picker').hidden = state.communities.length <= 1;
      const remembered = sessionStorage.getItem(COMMUNITY_KEY);
      const pick = state.communities.find((c) => c.definition.code === remembered) || state.communities[0];
      startHub();
      if (pick) { select.value = pick.definition.code; await selectCommunity(pick.definition.code); }
      clearInterval(state.refreshTimer);
      state.refreshTimer = setInterval(() => loadActivities().catch(fail), 60000);
    } catch (err) { fail(err); }
  }

  // Hangfire's dashboard is a page of its own: the admin's token is exchanged for a short-lived cookie only it reads.
  $('hangfire-link').addEventListener('click', async (e) => {
    e.preventDefault();
    try {
      const session = await api('/api/dashboard/hangfire-session', { method: 'POST' });
      window.open(session.url, '_blank', 'noopener');
    } catch (err) { fail(err); }
  });

  $('community-select').addEventListener('change', (e) => selectCommunity(e.target.value).catch(fail));
  $('refresh').addEventListener('click', () => loadActivities().catch(fail));

  async function selectCommunity(code) {
    if (state.hub && state.code && state.hub.state === 'Connected') state.hub.invoke('LeaveCommunity', state.code).catch(() => {});
    state.code = code;
    state.selected = null;
    sessionStorage.setItem(COMMUNITY_KEY, code);
    $('activity-detail').hidden = true;
    status('');
    joinCommunity();
    await Promise.all([loadSchedules(), loadActivities()]);
  }

  // ------------------------------------------------------------ activities

  async function loadActivities() {
    if (!state.code) return;
    state.activities = await api(`/api/communities/${state.code}/activities`) || [];
    const rows = state.activities.map((a) => {
      const tr = document.createElement('tr');
      tr.dataset.id = a.id;
      tr.dataset.status = a.status;
      const c = a.counts || {};
      const title = a.theme ? `${a.title} · ${a.theme}` : a.title;
      const statusCell = document.createElement('td');
      statusCell.append(badge(a.status, STATUS[a.status] || a.status));
      tr.append(cell(fmt(a.startUtc)), cell(title), statusCell, cell(c.expected ?? '', 'num'), cell(c.signedUp ?? '', 'num'),
        cell(c.onLeave ?? '', 'num'), cell(c.signedIn ?? '', 'num'), cell(a.remindersSent, 'num'));
      if (a.id === state.selected) tr.classList.add('selected');
      tr.addEventListener('click', () => openActivity(a.id).catch(fail));
      return tr;
    });
    $('activity-rows').replaceChildren(...rows);
    $('activities-empty').hidden = rows.length > 0;
    if (state.selected) await openActivity(state.selected);
  }

  async function openActivity(id) {
    state.selected = id;
    for (const tr of $('activity-rows').children) tr.classList.toggle('selected', tr.dataset.id === id);
    const a = await api(`/api/activities/${id}`);
    $('activity-detail').hidden = false;
    $('activity-detail').dataset.activityId = id;
    $('detail-title').textContent = a.theme ? `${a.title} · ${a.theme}` : a.title;
    $('detail-meta').textContent = `${fmt(a.startUtc)} — ${fmtTime(a.endUtc)} · ${a.place || '地点待定'} · ${STATUS[a.status] || a.status}` +
      (a.signInOpen ? ' · 签到进行中' : ` · 签到 ${fmtTime(a.signInOpensUtc)} 开始`);
    const c = a.counts;
    const counts = [['应到', c.expected], ['报名', c.signedUp], ['请假', c.onLeave], ['已签到', c.signedIn], ['远程', c.remote], ['缺席', c.absent]];
    $('detail-counts').replaceChildren(...counts.map(([k, v]) => { const d = document.createElement('div'); const dt = document.createElement('dt'); dt.textContent = k; const dd = document.createElement('dd'); dd.textContent = v; d.append(dt, dd); return d; }));
    $('reminder-progress').replaceChildren(...(a.reminders || []).map((r) => {
      const li = document.createElement('li');
      const label = document.createElement('span'); label.textContent = `提前${leadText(r.leadMinutes)}`;
      const bar = document.createElement('span'); bar.className = 'bar';
      const fill = document.createElement('i'); fill.style.width = `${r.expected ? Math.round((100 * r.delivered) / r.expected) : 0}%`; bar.append(fill);
      const text = document.createElement('span'); text.textContent = `${r.delivered}/${r.expected}${r.failed ? `，失败 ${r.failed}` : ''}${r.finishedUtc ? ' ✓' : ''}`;
      li.append(label, bar, text);
      return li;
    }));
    if (!(a.reminders || []).length) { const li = document.createElement('li'); li.className = 'muted'; li.textContent = '尚未到提醒时间'; $('reminder-progress').replaceChildren(li); }
    $('people-rows').replaceChildren(...(a.people || []).map((p) => {
      const tr = document.createElement('tr');
      const st = document.createElement('td');
      const value = p.attendance || (p.reason ? 'on_leave' : p.atUtc ? 'signed_up' : 'expected');
      st.append(badge(value, ATTENDANCE[value] || (value === 'signed_up' ? '已报名' : '未签到')));
      tr.append(cell(p.name), cell(p.branch), st, cell(p.atUtc ? fmt(p.atUtc) : ''), cell(p.reason || (p.remote ? '流动党员远程签到' : '')));
      return tr;
    }));
    $('close-activity').hidden = a.status !== 'planned' || new Date(a.endUtc).getTime() > Date.now();
    clearInterval(state.codeTimer);
    $('venue-code').hidden = !a.signInOpen;
    if (a.signInOpen) {
      const showCode = async () => {
        try {
          const code = await api(`/api/activities/${id}/code`);
          $('code-value').textContent = code.code;
          $('code-until').textContent = `${fmtTime(code.validUntilUtc)} 更新`;
        } catch (err) { fail(err); }
      };
      await showCode();
      state.codeTimer = setInterval(showCode, 30000);
    }
  }

  $('close-activity').addEventListener('click', async () => {
    if (!state.selected || !confirm('结束活动后考勤即为最终结果，并按积分规则计分。确定结束？')) return;
    try { await api(`/api/activities/${state.selected}/close`, { method: 'POST' }); await loadActivities(); } catch (err) { fail(err); }
  });

  // ------------------------------------------------------------ schedules

  function ruleText(s) {
    const when = s.saturday ? `每月${SATURDAY[s.saturday]}星期六 ${s.startTime}` : `cron「${s.cron}」`;
    return `${when} · ${s.durationMinutes} 分钟 · 提前 ${(s.reminderLeadMinutes || []).map(leadText).join('、') || '不'}提醒`;
  }

  async function loadSchedules() {
    state.schedules = await api(`/api/communities/${state.code}/schedules`) || [];
    const items = state.schedules.map((s) => {
      const li = document.createElement('li');
      const b = document.createElement('b'); b.textContent = s.title;
      const rule = document.createElement('div'); rule.className = 'muted small'; rule.textContent = ruleText(s);
      const next = document.createElement('div'); next.className = 'small'; next.textContent = '下次：' + (s.nextStartsUtc || []).slice(0, 2).map(fmt).join('；');
      li.append(b, rule, next);
      li.addEventListener('click', () => editSchedule(s));
      return li;
    });
    if (!items.length) { const li = document.createElement('li'); li.className = 'muted'; li.textContent = '暂无活动计划'; items.push(li); }
    $('schedule-list').replaceChildren(...items);
  }

  const leadsToText = (leads) => (leads || []).map(leadText).join(',');
  function parseLeads(text) {
    return text.split(/[,，、\s]+/).filter(Boolean).map((t) => {
      const m = /^(\d+)\s*(天|d|小时|h|分钟|m)?$/.exec(t.trim());
      if (!m) throw new Error(`无法识别提醒时间「${t}」`);
      const n = Number(m[1]);
      return m[2] === '天' || m[2] === 'd' ? n * 1440 : m[2] === '小时' || m[2] === 'h' ? n * 60 : n;
    });
  }
  const list = (text) => text.split(/[,，、]/).map((s) => s.trim()).filter(Boolean);

  function editSchedule(s) {
    const form = $('schedule-form');
    form.hidden = false;
    $('form-title').textContent = s ? '编辑活动计划' : '新建活动计划';
    $('f-id').value = s ? s.id : 'red-saturday';
    $('f-id').readOnly = !!s;
    $('f-title').value = s ? s.title : '红色星期六主题党日';
    $('f-kind').value = s ? s.kind : 'red_saturday';
    $('f-saturday').value = s ? (s.saturday || '') : 'first';
    $('f-cron').value = s && !s.saturday ? s.cron : '';
    $('f-start').value = s ? s.startTime : '09:00';
    $('f-duration').value = s ? s.durationMinutes : 180;
    $('f-place').value = s ? s.place : '';
    $('f-theme').value = s ? s.defaultTheme : '';
    $('f-leads').value = s ? leadsToText(s.reminderLeadMinutes) : '3天,2小时';
    $('f-branches').value = s ? (s.branches || []).join(',') : '';
    $('f-placed').checked = s ? s.includePlacedMembers : false;
    $('f-posts').value = s ? (s.posts || []).join(',') : '签到引导,秩序维护';
    $('delete-schedule').hidden = !s;
    $('form-error').textContent = '';
    syncRule();
    $('f-title').focus();
  }

  function syncRule() {
    const custom = $('f-saturday').value === '';
    $('cron-row').hidden = !custom;
    $('time-row').hidden = custom;
  }

  $('f-saturday').addEventListener('change', syncRule);
  $('new-schedule').addEventListener('click', () => editSchedule(null));
  $('cancel-form').addEventListener('click', () => { $('schedule-form').hidden = true; });

  $('schedule-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('form-error').textContent = '';
    try {
      const saturday = $('f-saturday').value;
      const body = {
        title: $('f-title').value.trim(), kind: $('f-kind').value,
        durationMinutes: Number($('f-duration').value), place: $('f-place').value.trim(), defaultTheme: $('f-theme').value.trim(),
        reminderLeadMinutes: parseLeads($('f-leads').value), branches: list($('f-branches').value),
        includePlacedMembers: $('f-placed').checked, posts: list($('f-posts').value),
        ...(saturday ? { saturday, startTime: $('f-start').value } : { cron: $('f-cron').value.trim() }),
      };
      await api(`/api/communities/${state.code}/schedules/${encodeURIComponent($('f-id').value.trim())}`, { method: 'PUT', body });
      $('schedule-form').hidden = true;
      await Promise.all([loadSchedules(), loadActivities()]);
    } catch (err) {
      if (err instanceof AuthError) fail(err); else $('form-error').textContent = err.message;
    }
  });

  $('delete-schedule').addEventListener('click', async () => {
    const id = $('f-id').value.trim();
    if (!confirm(`删除活动计划「${$('f-title').value}」？尚未举行的活动将取消。`)) return;
    try {
      await api(`/api/communities/${state.code}/schedules/${encodeURIComponent(id)}`, { method: 'DELETE' });
      $('schedule-form').hidden = true;
      await Promise.all([loadSchedules(), loadActivities()]);
    } catch (err) { fail(err); }
  });

  // ------------------------------------------------------------ live

  function setLive(s) {
    const el = $('live-indicator');
    el.dataset.state = s;
    el.querySelector('.live-text').textContent = s === 'live' ? '实时' : s === 'reconnecting' ? '重连中' : '离线';
  }

  function joinCommunity() {
    if (state.hub && state.code && state.hub.state === 'Connected') state.hub.invoke('JoinCommunity', state.code).catch(() => {});
  }

  let liveTimer = 0;
  function onLive(e) {
    // Counts only arrive live; the rows and the open activity are reloaded, coalescing bursts.
    if (!e || !e.activityId || !e.activityId.startsWith(state.code || '-')) return;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => loadActivities().catch(fail), 500);
  }

  function startHub() {
    if (!window.signalR || state.hub) return;
    const hub = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/command', { accessTokenFactory: () => state.token })
      .withAutomaticReconnect()
      .build();
    // Live messages arrive in batches (one frame per flush of the node's fan-out).
    hub.on('batch', (items) => {
      for (const item of Array.isArray(items) ? items : []) {
        if (item.method === 'activity' || item.method === 'reminderProgress') onLive(item.message);
      }
    });
    hub.onreconnecting(() => setLive('reconnecting'));
    hub.onreconnected(() => { setLive('live'); joinCommunity(); });
    hub.onclose(() => setLive('offline'));
    state.hub = hub;
    hub.start().then(() => { setLive('live'); joinCommunity(); }).catch(() => setLive('offline'));
  }

  setInterval(() => { $('clock').textContent = '北京时间 ' + new Date().toLocaleTimeString('zh-CN', { timeZone: CST, hour12: false }); }, 1000);

  const token = GridSession.read();
  if (token) start(token); else signOut('');
})();
