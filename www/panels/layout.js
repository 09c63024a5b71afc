// Where the settings sit. On a wide screen they are the column on the left of the playground (their place in the
// page's markup). On a narrow one (a phone, a tablet: one column) they follow the data view and the selected sample,
// before the curves: the first screen is the playground, and the settings are one scroll below it, not after every
// chart. The sidebar is moved into the main column after the play row (as a region: a complementary landmark belongs
// at the top level), and back when the window widens; the focus stays where it was.

import { byId } from '../lib/dom.js';

/** One column below this width (style.css has the same breakpoint). */
const NARROW = '(max-width: 980px)';

/** Puts the settings where the window's width wants them, now and whenever that changes. */
export function installLayout() {
  const sidebar = document.querySelector('.sidebar');
  const row = document.querySelector('.play-row');
  const main = byId('main');
  if (!sidebar || !row || !main || typeof window.matchMedia !== 'function') return;
  const narrow = window.matchMedia(NARROW);
  const place = () => {
    const focused = sidebar.contains(document.activeElement) ? document.activeElement : null;
    if (narrow.matches) {
      if (row.nextElementSibling !== sidebar) row.after(sidebar);
      sidebar.setAttribute('role', 'region');
    } else {
      if (main.previousElementSibling !== sidebar) main.before(sidebar);
      sidebar.removeAttribute('role');
    }
    if (focused && document.activeElement !== focused) focused.focus({ preventScroll: true });
  };
  place();
  narrow.addEventListener('change', place);
}
