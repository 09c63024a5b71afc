// Where the tour's popover goes: never over the thing its step points at. The step names a focus element (the
// card, the rows, the numbers its text talks about); the popover takes the corner of the window that leaves the
// focus whole and visible, and the window scrolls (as little as it can) to show the focus beside it. On a phone,
// where the popover spans the width, the focus goes above or below it.

const GAP = 12; // px between the popover, the focus and the window's edges
const MIN_HEIGHT = 160; // px: the least height of a popover squeezed beside a tall focus (its text then scrolls)

/** Do two [start, end) ranges overlap? */
const overlaps = (a0, a1, b0, b1) => a0 < b1 && b0 < a1;

/** The bottom of the sticky header (the window's usable top). */
function headerBottom() {
  const bar = document.querySelector('.topbar');
  return bar ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
}

/**
 * The popover's corners, each with its box in window coordinates; `w` and `h` its size, the window `vw` × `vh`
 * below a header ending at `top`.
 */
function corners(w, h, vw, vh, top) {
  const right = vw - GAP - w;
  const bottom = vh - GAP - h;
  const below = top + GAP;
  return [
    { name: 'bottom-right', left: right, top: bottom },
    { name: 'top-right', left: right, top: below },
    { name: 'bottom-left', left: GAP, top: bottom },
    { name: 'top-left', left: GAP, top: below },
  ].map((c) => ({ ...c, right: c.left + w, bottom: c.top + h }));
}

/**
 * Where the window must scroll (a new scrollY) so that a focus `f` (its box now, in window coordinates) is whole,
 * below the header and clear of popover box `c`; null when it cannot be.
 */
function scrollFor(f, c, vw, vh, top) {
  const bands = overlaps(f.left, f.right, c.left, c.right)
    ? [[top + GAP, c.top - GAP], [c.bottom + GAP, vh - GAP]] // above or below the popover
    : [[top + GAP, vh - GAP]]; // beside it: anywhere in the window
  const maxScroll = document.documentElement.scrollHeight - vh;
  let best = null;
  for (const [lo, hi] of bands) {
    if (f.height > hi - lo) continue;
    // the focus' new top in the window: where it is, moved just enough into the band
    const want = Math.min(Math.max(f.top, lo), hi - f.height);
    const y = Math.min(Math.max(0, window.scrollY + f.top - want), Math.max(0, maxScroll));
    const now = f.top - (y - window.scrollY);
    if (now < lo - 0.5 || now + f.height > hi + 0.5) continue; // the page cannot scroll that far
    if (!best || Math.abs(y - window.scrollY) < Math.abs(best - window.scrollY)) best = y;
  }
  return best;
}

/**
 * Places the popover `root` clear of `focus` and scrolls the window to show both (`smooth` unless the learner asked
 * for reduced motion). Without a focus the popover keeps its corner. Returns the corner taken, or null when no
 * corner fits (a focus taller than the window): then the focus is shown from its top, the popover at the bottom.
 */
export function placeTour(root, focus, { smooth = false } = {}) {
  root.style.left = '';
  root.style.top = '';
  root.style.right = '';
  root.style.bottom = '';
  root.style.maxHeight = '';
  delete root.dataset.corner;
  if (!focus || root.hidden) return null;
  const vw = document.documentElement.clientWidth;
  const vh = window.innerHeight;
  const top = headerBottom();
  // the popover never taller than the window below the header
  root.style.maxHeight = `${Math.max(MIN_HEIGHT, vh - top - 2 * GAP)}px`;
  const f = focus.getBoundingClientRect();
  const fit = () => {
    const { width: w, height: h } = root.getBoundingClientRect();
    let best = null;
    for (const c of corners(w, h, vw, vh, top)) {
      const y = scrollFor(f, c, vw, vh, top);
      if (y === null) continue;
      if (!best || Math.abs(y - window.scrollY) < Math.abs(best.y - window.scrollY) - 1) best = { ...c, y };
    }
    return best;
  };
  let choice = fit();
  // a phone, a tall focus: the popover gives up height (its text scrolls) to leave the focus whole above it
  const room = vh - top - 4 * GAP - f.height;
  if (!choice && room >= MIN_HEIGHT) {
    root.style.maxHeight = `${Math.floor(room)}px`;
    choice = fit();
  }
  const behavior = smooth ? 'smooth' : 'auto';
  if (!choice) {
    window.scrollTo({ top: window.scrollY + f.top - top - GAP, behavior });
    return null;
  }
  root.style.left = `${Math.round(choice.left)}px`;
  root.style.top = `${Math.round(choice.top)}px`;
  root.style.right = 'auto';
  root.style.bottom = 'auto';
  root.dataset.corner = choice.name;
  if (Math.abs(choice.y - window.scrollY) > 0.5) window.scrollTo({ top: choice.y, behavior });
  return choice.name;
}
