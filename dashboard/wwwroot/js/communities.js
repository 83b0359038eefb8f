// The communities a signed-in user may see, and the picker in the top bar (shown only when there
// is more than one). The choice is remembered for the tab, across Grid's pages.
import { get } from './api.js';
import { byId, option } from './dom.js';

const KEY = 'grid.community';
const picker = byId('community-picker');
const select = byId('community-select');

/** Loads the list, fills the picker, and answers it with the community to show first (null: none). */
export async function loadCommunities() {
  const list = await get('/api/communities');
  const communities = Array.isArray(list) ? list.filter((c) => c && c.definition && c.definition.code) : [];
  select.replaceChildren(...communities.map(({ definition: d }) =>
    option(d.code, d.township ? `${d.township} · ${d.name}` : d.name)));
  picker.hidden = communities.length <= 1;
  const remembered = sessionStorage.getItem(KEY);
  const first = communities.find((c) => c.definition.code === remembered) || communities[0] || null;
  if (first) select.value = first.definition.code;
  return { communities, first };
}

export function remember(code) {
  sessionStorage.setItem(KEY, code);
}

/** Calls onPick with the code the user chose. */
export function onPicked(onPick) {
  select.addEventListener('change', () => onPick(select.value));
}

export function clearCommunities() {
  select.replaceChildren();
  picker.hidden = true;
}
