// Building DOM nodes, and sizing the canvases the engine draws into. Strings always become text nodes: nothing
// here ever parses HTML, so text from a user, a file or a link can never become markup.

import { store } from '../store.js';

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

/** The engine's palette as --kd-* custom properties on :root: each concept has the charts' colour everywhere. */
export function applyPalette(palette) {
  const root = document.documentElement.style;
  for (const [name, value] of Object.entries(palette)) {
    if (Array.isArray(value)) value.forEach((c, i) => root.setProperty(`--kd-${name.replace(/es$/, '')}-${i}`, c));
    else root.setProperty(`--kd-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value);
  }
}

/**
 * Sets `node`'s text unless it reads so already: an unchanged text is not written, so that the browser has nothing
 * to restyle or lay out again for it (views redrawn in every frame while training write mostly the same words). A
 * node that holds one text node has its characters changed in place: no node is removed or inserted, which would
 * restyle it and make the page's :has() rules look again.
 */
export function setText(node, text) {
  if (node.textContent === text) return;
  const only = node.firstChild;
  if (only && only === node.lastChild && only.nodeType === Node.TEXT_NODE && text !== '') only.data = text;
  else node.textContent = text;
}

/** Shows or hides `node`, writing `hidden` only when it changes (a write restyles it, and what :has() reads it). */
export function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/** Sets `node.dataset[name]` unless it holds `value` already (an attribute write restyles the element). */
export function setData(node, name, value) {
  if (node.dataset[name] !== value) node.dataset[name] = value;
}

/** The element with id `id` (null when the page has none). */
export const byId = (id) => document.getElementById(id);

/** Sets the `--p` custom property (a fraction 0..1) that the tables' bar cells draw. */
export function setBar(cell, value) {
  cell.style.setProperty('--p', String(Math.max(0, Math.min(1, Number(value) || 0))));
}

/**
 * Calls `load()` once `element` comes within a screen of the window (at once without IntersectionObserver): for
 * the parts of the page whose code is loaded only when the learner gets near them.
 */
export function whenNear(element, load) {
  if (typeof IntersectionObserver !== 'function') return void load();
  const observer = new IntersectionObserver((seen) => {
    if (!seen.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    load();
  }, { rootMargin: '100% 0px' });
  observer.observe(element);
}

// Each canvas's CSS box (kept in the store), updated by a ResizeObserver: reading it with getBoundingClientRect()
// on every redraw forced the browser to lay out the page again after each DOM change (a fifth of the time while
// training).
const boxes = () => store.get('canvasBoxes');
const resizes = typeof ResizeObserver === 'function'
  ? new ResizeObserver((seen) => {
    for (const e of seen) {
      const border = e.borderBoxSize?.[0];
      boxes().set(e.target, border ? { width: border.inlineSize, height: border.blockSize } : { width: e.contentRect.width, height: e.contentRect.height });
    }
  })
  : null;

/**
 * Sizes a canvas's pixel buffer to its CSS box × devicePixelRatio, or clears it when it has that size already.
 * Returns false when it is not displayed (nothing to draw).
 */
export function sizeCanvas(canvas) {
  let box = resizes ? boxes().get(canvas) : null;
  if (!box) {
    const rect = canvas.getBoundingClientRect();
    box = { width: rect.width, height: rect.height };
    if (resizes) {
      boxes().set(canvas, box);
      resizes.observe(canvas);
    }
  }
  if (box.width < 1 || box.height < 1) return false;
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(box.width * dpr));
  const height = Math.max(1, Math.round(box.height * dpr));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  } else {
    canvas.getContext('2d')?.clearRect(0, 0, width, height);
  }
  return true;
}
