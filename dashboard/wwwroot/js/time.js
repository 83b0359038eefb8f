// Every time Grid shows is China Standard Time, whatever zone the browser's clock is in:
// a wall screen or a phone set to UTC must still show the township's own hours.
const CST = 'Asia/Shanghai';

const parts = (d) => Object.fromEntries(new Intl.DateTimeFormat('zh-CN', {
  timeZone: CST, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  weekday: 'short', hourCycle: 'h23',
}).formatToParts(d).map((p) => [p.type, p.value]));

/** A Date from the API's UTC text; .NET may omit the zone designator on DateTime, and the contract says UTC. */
export function parseUtc(s) {
  if (!s) return null;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + 'Z');
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Milliseconds of an API time, -Infinity without one: older than anything, for "keep the newer" checks. */
export function atMs(s) {
  const d = parseUtc(s);
  return d ? d.getTime() : -Infinity;
}

const asDate = (d) => (d instanceof Date ? d : parseUtc(d));

/** 14:05:09 */
export function clock(d) {
  const p = parts(asDate(d));
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** 14:05 */
export function hourMinute(d) {
  const p = parts(asDate(d));
  return `${p.hour}:${p.minute}`;
}

/** 12-03 14:05 */
export function short(d) {
  const p = parts(asDate(d));
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** 2026-12-03 14:05 */
export function full(d) {
  const p = parts(asDate(d));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** 2026-12-03 */
export function date(d) {
  const p = parts(asDate(d));
  return `${p.year}-${p.month}-${p.day}`;
}

/** 2026-12-05 周六 09:00: when an activity is held. */
export function dayAndTime(d) {
  const p = parts(asDate(d));
  return `${p.year}-${p.month}-${p.day} ${p.weekday} ${p.hour}:${p.minute}`;
}

/** 3天2小时, 4小时12分, 7分钟: a span for countdowns. */
export function span(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days}天${hours}小时`;
  if (hours > 0) return `${hours}小时${mins}分`;
  return `${mins}分钟`;
}

/** "剩余 3小时12分" or "已超期 2小时"; null without a deadline. */
export function countdown(deadline, now = new Date()) {
  if (!deadline) return null;
  const ms = deadline - now;
  return { late: ms <= 0, text: ms <= 0 ? `已超期 ${span(ms)}` : `剩余 ${span(ms)}` };
}

/** The clock in a page's top bar: 北京时间 14:05:09, every second. */
export function runClock(node) {
  const tick = () => { node.textContent = '北京时间 ' + clock(new Date()); };
  tick();
  return setInterval(tick, 1000);
}
