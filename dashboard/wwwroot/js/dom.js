// Building the pages' markup from data. Text always goes in as text, never as HTML: names and
// titles come from data entry.

export const byId = (id) => document.getElementById(id);

/** h('li', { className: 'x', dataset: { id } }, 'text', child): an element with properties and children. */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export const option = (value, text) => h('option', { value, textContent: text });

/** Shows a one-line message in a status paragraph; empty hides it. */
export function say(node, text) {
  node.textContent = text || '';
  node.hidden = !text;
}

/** A button at work: disabled, saying what it does meanwhile; idle() gives its own text back. */
export function busy(button, text) {
  button.disabled = true;
  button.dataset.text = button.dataset.text || button.textContent;
  button.textContent = text;
}

export function idle(button) {
  button.disabled = false;
  if (button.dataset.text) button.textContent = button.dataset.text;
}

/** Definition rows (dt, dd) appended to a dl; a value may be text or a node. */
export function row(dl, term, value) {
  const dd = h('dd');
  if (value instanceof Node) dd.append(value); else dd.textContent = value;
  dl.append(h('dt', { textContent: term }), dd);
  return dd;
}
