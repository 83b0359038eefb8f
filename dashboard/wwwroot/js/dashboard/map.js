// The community's cells on a Leaflet map (loaded as a classic script, window.L), coloured by
// status, with the legend that counts and filters them. Per cell the map keeps whichever status it
// received is newer, so a snapshot and the deltas racing it may arrive in any order.
import { byId, h } from '../dom.js';
import { CELL_STATUS } from '../labels.js';

const STATUSES = ['normal', 'attention', 'overdue', 'escalated'];
// Below this zoom a whole township is in view and permanent labels overlap.
const LABEL_MIN_ZOOM = 14;

const node = byId('map');
const legend = byId('map-legend');
const cells = new Map();      // cellCode -> { view, layer, status, at }
const hidden = new Set();     // statuses the legend filters out
let map = null;
let layerGroup = null;
let community = null;
let selected = null;
let autoFit = true;           // refit on resize until the operator pans or zooms by hand
let fitting = false;
let tilesShown = false;
let onSelect = () => {};
let onStatusChanged = () => {};

const pathOf = (entry) => entry && entry.layer && entry.layer.getElement();

function normStatus(s) {
  const v = typeof s === 'string' ? s.trim().toLowerCase() : '';
  return STATUSES.includes(v) ? v : 'normal';
}

function updateLabelVisibility() {
  node.classList.toggle('labels-hidden', map.getZoom() < LABEL_MIN_ZOOM);
}

/** Creates the map once (its container must be visible); later calls only let it measure itself again. */
export function showMap(handlers) {
  ({ onSelect, onStatusChanged } = handlers);
  if (map) { map.invalidateSize(); return; }
  map = L.map(node, {
    // Attribution only matters when third-party tiles are shown; see showTiles.
    attributionControl: false,
    zoomSnap: 0.25,
    minZoom: 3,
    maxZoom: 19,
  }).setView([30.71, 120.43], 14);
  layerGroup = L.featureGroup().addTo(map);
  map.on('zoomend', updateLabelVisibility);
  // A wall screen gets resized (or rotated) unattended: keep the whole community in view unless someone took over.
  map.on('dragstart', () => { autoFit = false; });
  map.on('zoomstart', () => { if (!fitting) autoFit = false; });
  map.on('resize', () => { if (autoFit) fit(); });
  map.on('click', () => onSelect(null));
  updateLabelVisibility();
  legend.replaceChildren(...STATUSES.map((status) => {
    const b = h('button', { type: 'button', className: 'legend-item', dataset: { status } },
      h('i'), CELL_STATUS[status] + ' ', h('b', { dataset: { count: status }, textContent: '0' }));
    b.setAttribute('aria-pressed', 'true');
    b.addEventListener('click', () => toggleStatus(status));
    return b;
  }));
}

export const resizeMap = () => { if (map) map.invalidateSize(); };

/** Tiles are an operator opt-in (e.g. 天地图 or an intranet tile server); without a URL the cells lie on a plain background. */
export function showTiles(cfg) {
  const url = cfg && typeof cfg.tileUrl === 'string' ? cfg.tileUrl.trim() : '';
  if (tilesShown || !url || !map) return;
  tilesShown = true;
  const attribution = typeof cfg.tileAttribution === 'string' ? cfg.tileAttribution : '';
  const options = { maxZoom: 19, attribution: escapeHtml(attribution) };
  if (cfg.tileSubdomains) options.subdomains = String(cfg.tileSubdomains);
  L.tileLayer(url, options).addTo(map);
  node.classList.add('has-tiles');
  if (attribution) L.control.attribution({ prefix: false }).addTo(map);
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch]));
}

/** The API speaks {lng, lat}; Leaflet wants [lat, lng]. The closing vertex goes: Leaflet closes rings itself. */
function toLatLngs(boundary) {
  const pts = (Array.isArray(boundary) ? boundary : [])
    .filter((p) => p && Number.isFinite(+p.lat) && Number.isFinite(+p.lng))
    .map((p) => [+p.lat, +p.lng]);
  if (pts.length > 1) {
    const a = pts[0], b = pts[pts.length - 1];
    if (a[0] === b[0] && a[1] === b[1]) pts.pop();
  }
  return pts;
}

export function clearCells() {
  if (layerGroup) layerGroup.clearLayers();
  cells.clear();
  selected = null;
  updateLegendCounts();
}

export function drawCells(list, of) {
  community = of;
  clearCells();
  for (const view of list) {
    const code = view.definition.code;
    const status = normStatus(view.status);
    // The list's colour is older than anything the hub sends after it.
    const entry = { view, layer: null, status, at: -Infinity };
    cells.set(code, entry);

    const latlngs = toLatLngs(view.definition.boundary);
    if (latlngs.length < 3) continue; // a cell without a usable boundary still counts, just isn't drawn

    const layer = L.polygon(latlngs, { className: 'cell', weight: 2 });
    const label = document.createElement('span');
    label.textContent = view.definition.name || code;
    layer.bindTooltip(label, { permanent: true, direction: 'center', className: 'cell-label', interactive: false });
    layer.on('click', (e) => { L.DomEvent.stopPropagation(e); onSelect(code); });
    layer.addTo(layerGroup);
    entry.layer = layer;
    const path = pathOf(entry);
    if (path) {
      path.setAttribute('data-cell-code', code);
      path.setAttribute('data-status', status);
      path.classList.toggle('dimmed', hidden.has(status));
    }
  }
  node.dataset.cellCount = String(cells.size);
  updateLegendCounts();
  fit();
}

function fit() {
  fitting = true;
  autoFit = true;
  const bounds = layerGroup.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18, animate: false });
  } else {
    const c = community && community.definition.centre;
    if (c && Number.isFinite(+c.lat) && Number.isFinite(+c.lng)) map.setView([+c.lat, +c.lng], 15, { animate: false });
  }
  fitting = false;
  updateLabelVisibility();
}

/** The cell's view and status as the map shows them, or undefined for a cell not on it. */
export const cellOf = (code) => cells.get(code);

export const cellName = (code) => {
  const entry = cells.get(code);
  return entry ? (entry.view.definition.name || code) : null;
};

/** Applies a cell colour unless the map already shows a newer one; false for an unknown cell or an older colour. */
export function setCellStatus(code, status, at) {
  const entry = cells.get(code);
  if (!entry || at < entry.at) return false;
  entry.at = at;
  const next = normStatus(status);
  if (next === entry.status) return true;
  entry.status = next;
  const path = pathOf(entry);
  if (path) {
    path.setAttribute('data-status', next);
    path.classList.toggle('dimmed', hidden.has(next));
  }
  updateLegendCounts();
  onStatusChanged(code);
  return true;
}

export function flashCell(code) {
  const path = pathOf(cells.get(code));
  if (!path) return;
  path.classList.remove('flash');
  void path.getBoundingClientRect(); // restart the animation when events arrive back to back
  path.classList.add('flash');
  setTimeout(() => path.classList.remove('flash'), 2200);
}

/** Zooms to a cell (from the ticker): someone took over, so no more automatic fitting. */
export function zoomToCell(code) {
  const entry = cells.get(code);
  if (!entry || !entry.layer) return;
  autoFit = false;
  map.fitBounds(entry.layer.getBounds(), { padding: [60, 60], maxZoom: 18 });
}

/** Outlines the selected cell; null clears the outline. Answers the code if the map has that cell. */
export function markSelected(code) {
  const previous = pathOf(cells.get(selected));
  if (previous) previous.classList.remove('selected');
  selected = code && cells.has(code) ? code : null;
  const entry = selected && cells.get(selected);
  const path = pathOf(entry);
  if (path) {
    path.classList.add('selected');
    entry.layer.bringToFront();
  }
  return selected;
}

function updateLegendCounts() {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const e of cells.values()) counts[e.status]++;
  for (const b of legend.querySelectorAll('[data-count]')) b.textContent = String(counts[b.dataset.count] || 0);
}

function toggleStatus(status) {
  if (hidden.has(status)) hidden.delete(status); else hidden.add(status);
  for (const b of legend.querySelectorAll('.legend-item')) b.setAttribute('aria-pressed', String(!hidden.has(b.dataset.status)));
  for (const e of cells.values()) {
    const path = pathOf(e);
    if (path) path.classList.toggle('dimmed', hidden.has(e.status));
  }
}
