// Building DOM nodes. Strings always become text nodes: nothing here ever parses HTML, so text from a user, a
// file or a link can never become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An element: h('p', {className, id, text, dataset: {...}, attrs: {...}, on: {click: fn}, ...props}, child, ...).
 * `attrs` are set as attributes, `on` adds listeners, any other key is set as a property (htmlFor, hidden, type…).
 * Children are nodes or strings (null, undefined and false are skipped; arrays are flattened).
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'attrs') setAttributes(node, value);
    else if (key === 'on') for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
    else node[key] = value;
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/** Sets attributes; `true` is an empty attribute, and false, null and undefined leave it out. */
export function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
}

/** An SVG element with attributes and, optionally, its text. */
export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attrs);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The element with id `id` (null when the page has none). */
export const byId = (id) => document.getElementById(id);

/** Sets the `--p` custom property (a fraction 0..1) that the tables' bar cells draw. */
export function setBar(cell, value) {
  cell.style.setProperty('--p', String(Math.max(0, Math.min(1, Number(value) || 0))));
}
