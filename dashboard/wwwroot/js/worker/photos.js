// Photos from the phone: the picker under a form (preview, name and size, or why it cannot be
// sent), the checks the server would make, and uploading a photo to an issue once.
import { ApiError, request, seg } from '../api.js';
import { byId } from '../dom.js';

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
const previews = new Map();  // input id -> object URL of its preview
const uploaded = new Map();  // issueId|kind -> the file already uploaded there, so a retry sends it no second time

export function photoError(file) {
  if (file.size === 0) return '照片文件为空，请重新选择';
  if (file.size > MAX_PHOTO_BYTES) return `照片太大（${(file.size / 1048576).toFixed(1)} MB），不能超过 5 MB`;
  // An empty type (unknown to the phone) is left to the server, which checks the content anyway.
  if (file.type && !PHOTO_TYPES.includes(file.type)) return '照片须为 JPEG、PNG 或 WebP 格式';
  return null;
}

/** The file chosen in a picker, or null. */
export const chosen = (input) => (input.files && input.files[0]) || null;

const fileKey = (f) => `${f.name}|${f.size}|${f.lastModified}`;

export async function uploadPhoto(issueId, kind, file) {
  const slot = `${issueId}|${kind}`;
  if (uploaded.get(slot) === fileKey(file)) return;
  try {
    await request(`/api/issues/${seg(issueId)}/photos?kind=${kind}`, { method: 'POST', body: file, contentType: file.type || 'application/octet-stream' });
  } catch (e) {
    if (e instanceof ApiError) e.message = '照片上传失败：' + (e.status === 413 ? '照片不能超过 5 MB' : e.message);
    throw e;
  }
  uploaded.set(slot, fileKey(file));
}

export const forgetUploads = () => uploaded.clear();

/** Wires a picker (#x with #x-chosen, #x-name, #x-preview, #x-clear). */
export function initPicker(input) {
  input.addEventListener('change', () => renderPick(input));
  byId(input.id + '-clear').addEventListener('click', () => clearPick(input));
}

function renderPick(input) {
  const f = chosen(input);
  const box = byId(input.id + '-chosen');
  const name = byId(input.id + '-name');
  const img = byId(input.id + '-preview');
  if (previews.has(input.id)) { URL.revokeObjectURL(previews.get(input.id)); previews.delete(input.id); }
  img.removeAttribute('src');
  box.hidden = !f;
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

export function clearPick(input) {
  input.value = '';
  renderPick(input);
}
