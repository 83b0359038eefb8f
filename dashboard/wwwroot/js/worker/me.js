// Who is signed in on the phone, the names of cells, and the issue categories. A cell is shown by
// its name, never its code: a view that lists cells asks for their names first (cellNames) and
// renders once it has them.
import { AuthError, get, seg } from '../api.js';

let me = null;
let categories = [];
const names = new Map(); // cellCode -> Promise of its name

export const whoAmI = () => me;
export const myCategories = () => categories;
export const myCells = () => (me && Array.isArray(me.cellCodes) ? me.cellCodes : []);

export async function loadMe() {
  const [who, cats] = await Promise.all([get('/api/me'), get('/api/categories')]);
  me = who;
  categories = Array.isArray(cats) ? cats : [];
  await cellNames(myCells());
  return me;
}

export function forgetMe() {
  me = null;
  categories = [];
  names.clear();
}

/** Name by code for the given cells, fetched once each; a cell that cannot be read keeps its code. */
export async function cellNames(codes) {
  for (const code of codes) {
    if (!code || names.has(code)) continue;
    const name = get(`/api/cells/${seg(code)}`).then((view) => (view && view.definition && view.definition.name) || code, (e) => {
      names.delete(code);
      if (e instanceof AuthError) throw e;
      return code;
    });
    names.set(code, name);
  }
  const pairs = await Promise.all(codes.filter(Boolean).map(async (code) => [code, await (names.get(code) || code)]));
  return new Map(pairs);
}

/** The login's own name with （我）, for history lines; other logins as they are. */
export const actorName = (username) =>
  (me && username === me.username ? `${me.displayName || username}（我）` : username) || '';

/** Whether the issue is assigned to the signed-in worker (or member). */
export function isMine(issue) {
  const a = issue && issue.assignee;
  if (!a || !me) return false;
  return (a.kind === 'grid_worker' && a.id === me.username) || (a.kind === 'member' && a.id === me.memberId);
}
