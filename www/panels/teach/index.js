// The teaching panels (loaded when their placeholder nears the window): the live formula, the temperature
// explorer, the gradient view, the dark-knowledge matrix, the architecture and its payoff, and save & load. Each
// panel is a view of the store, drawn by the animation loop when what it reads changes; while training, the
// panels off screen wait (../../loop.js). A change of language rebuilds them.

import { store } from '../../store.js';
import { h } from '../../lib/dom.js';
import { createFormulaPanel } from './formula.js';
import { createTemperaturePanel } from './temperature.js';
import { createGradientsPanel } from './gradients.js';
import { createDarkPanel } from './dark.js';
import { createArchitecturePanel, installAutoMeasure } from './architecture.js';
import { addPngButtons, createSaveLoadPanel } from './saveload.js';

/** The panels in page order: their name (their view is `teach-<name>`), whether they wait while off screen, and their builder. */
const PANELS = [
  ['formula', false, createFormulaPanel],
  ['temperature', true, createTemperaturePanel],
  ['gradients', true, createGradientsPanel],
  ['dark', true, createDarkPanel],
  ['architecture', true, createArchitecturePanel],
  ['runfile', false, createSaveLoadPanel],
];
const RESIZE_DELAY_MS = 150; // the charts are redrawn once the window has stopped changing size this long

/** Adds teach.css once, next to the page's styles (a <link> element: allowed by a strict CSP, unlike inline styles). */
function injectStylesheet() {
  if (document.querySelector('link[data-teach-css]')) return;
  const link = h('link', { rel: 'stylesheet', href: new URL('../../teach.css', import.meta.url).href, dataset: { teachCss: '' } });
  document.head.append(link);
}

/** Builds the panels inside `root` (the page's panel, which has its own heading) and declares their views. */
export function installTeachingPanels(root) {
  injectStylesheet();
  // inside a page panel that has its own heading, the panels are sections of it (h3, no card of their own);
  // in a bare container they are cards (h2) like the rest of the page
  const layout = { nested: root.classList.contains('panel'), headingTag: root.querySelector('h1, h2') ? 'h3' : 'h2' };
  const wrapper = h('div', { className: layout.nested ? 'teach teach-nested' : 'teach' });
  root.hidden = false;
  root.append(wrapper);
  const visible = store.get('teachVisible');
  const observer = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver((seen) => {
      for (const entry of seen) {
        const name = entry.target.dataset.teachPanel;
        if (entry.isIntersecting) visible.add(name);
        else visible.delete(name);
      }
      store.touch('teachVisible'); // a panel waiting to be drawn is drawn once it comes into view
    }, { rootMargin: '150px 0px' })
    : null;

  store.view('teach-build', {
    group: 'sync',
    deps: ['language'],
    draw() {
      observer?.disconnect();
      visible.clear();
      const built = PANELS.map(([name, waits, create]) => {
        const panel = create(layout, wrapper);
        panel.section.dataset.teachPanel = name;
        if (observer) observer.observe(panel.section);
        else visible.add(name);
        return { name, waits, panel };
      });
      wrapper.replaceChildren(...built.map((b) => b.panel.section));
      for (const { name, waits, panel } of built) {
        store.view(`teach-${name}`, { ...panel.view, group: 'teach', panel: waits ? name : null });
      }
      addPngButtons(wrapper);
    },
  });
  installAutoMeasure();
  window.addEventListener('resize', () => {
    store.timer('teach-resize', RESIZE_DELAY_MS, () => store.set({ teachLayout: store.get('teachLayout') + 1 }), { quiet: true });
  });
}
