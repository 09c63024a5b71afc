// Canvas sizing for the engine's drawings: each canvas's pixel buffer follows its CSS box × devicePixelRatio.

import { store } from '../store.js';

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
