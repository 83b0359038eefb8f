// Every Chinese name a page shows for one of Grid's codes, in one place: a status or an action
// is called the same on the wall screen, the phone and the scheduler's desk.
// Names follow the closed loop of digital city management (信息收集 → 案卷建立 → 任务派遣 → 任务处理 →
// 处理结果反馈 → 核查结案).

/** An issue's place in the closed loop. */
export const ISSUE_STATUS = Object.freeze({
  reported: '待受理',
  accepted: '已立案',
  rejected: '不予立案',
  // Dispatched to someone who has yet to start: what the assignee's inbox and the desk both need to see.
  dispatched: '待接单',
  in_progress: '处置中',
  resolved: '待核查',
  closed: '已结案',
});

/** One name per step taken on an issue: the button that does it and the history line that records it. */
export const ISSUE_ACTION = Object.freeze({
  report: '上报',
  accept: '立案',
  reject: '不予立案',
  dispatch: '派遣',
  start: '开始处置',
  resolve: '办结',
  verify: '核查',
  reopen: '重新办理',
  rate: '评价',
  whistle: '吹哨',
  organ_report: '部门报到',
  escalate: '超期督办',
  resolve_on_spot: '就地解决',
});

/** Who raised an issue. */
export const ISSUE_SOURCE = Object.freeze({ grid_worker: '网格员上报', member: '党员上报', resident: '群众反映' });

/** before (on report) or after (on resolve). */
export const PHOTO_KIND = Object.freeze({ before: '处置前', after: '处置后' });

/** Who an issue is dispatched to. */
export const ASSIGNEE_KIND = Object.freeze({ grid_worker: '网格员', member: '党员', organ: '部门' });

/** GB/T 30428: a category is a city component or an event. */
export const CATEGORY_KIND = Object.freeze({ component: '部件', event: '事件' });

/** A cell's colour on the map. */
export const CELL_STATUS = Object.freeze({ normal: '正常', attention: '关注', overdue: '超期', escalated: '督办' });

/** The ticker's event kinds; the server may add kinds, which are then shown as sent. */
export const EVENT_KIND = Object.freeze({
  issue: '诉求', escalation: '督办', whistle: '吹哨', assignment: '任务', sign_in: '到岗', skipped: '略过',
});

export const ROLE = Object.freeze({
  admin: '管理员', committee: '社区党委', scheduler: '活动组织者', grid_worker: '网格员', member: '党员',
});

export const ACTIVITY_STATUS = Object.freeze({ planned: '计划中', closed: '已结束', cancelled: '已取消' });

export const ACTIVITY_KIND = Object.freeze({
  red_saturday: '红色星期六', branch_meeting: '支部党员大会', party_lesson: '党课', other: '其他',
});

/** A member's place in one activity, from expected to attended. */
export const ATTENDANCE = Object.freeze({
  expected: '未签到', signed_up: '已报名', attended: '已签到', attended_remotely: '远程签到', on_leave: '请假', absent: '缺席',
});

/** Which Saturday of the month a schedule keeps. */
export const SATURDAY = Object.freeze({ first: '第一个', second: '第二个', third: '第三个', fourth: '第四个', last: '最后一个' });

/** The live connection's state, for the dot in the top bar. */
export const LIVE_STATE = Object.freeze({ live: '实时', reconnecting: '重连中', offline: '离线' });

/** Request fields by their JSON names, for field-by-field problem messages. */
export const FIELD = Object.freeze({
  username: '用户名', password: '密码', cellCode: '网格', categoryCode: '类别', title: '标题', description: '描述',
  reporterName: '反映人姓名', reporterPhone: '反映人电话', location: '位置', note: '处置情况', resolveOnSpot: '就地解决',
  kind: '类别', name: '名称', place: '地点', defaultTheme: '默认主题', cron: 'cron 规则', saturday: '日期规则',
  startTime: '开始时间', durationMinutes: '时长', reminderLeadMinutes: '提前提醒', branches: '参加支部', posts: '岗位',
  code: '编码', id: '编号', assignee: '承办人', photo: '照片', body: '请求内容',
});

/** A label for a code, or the code itself when the server has one this page does not know yet. */
export const label = (table, code) => (code != null && Object.hasOwn(table, code) ? table[code] : (code ?? ''));
