// The navigation drawer (MainLayout), as MudDrawer's responsive variant behaves, without a
// component on every circuit: from the md breakpoint (960 px) it is docked beside the page and
// the toggle docks or hides it; below it, it starts closed, opens over the page with a backdrop,
// and closes on the backdrop, on Escape (focus back on the toggle) and once a page is chosen.
// Its state lives only here: the server renders constant classes, so Blazor never undoes it.
(() => {
  const narrow = window.matchMedia('(max-width: 959px)');
  const parts = () => {
    const layout = document.querySelector('.mud-layout');
    return layout && {
      layout,
      drawer: layout.querySelector('.mud-drawer'),
      toggle: layout.querySelector('[data-drawer-toggle]'),
      backdrop: layout.querySelector('[data-drawer-backdrop]'),
    };
  };
  // Until first toggled, a narrow screen shows it closed (MudBlazor's mud-drawer--initial).
  const isOpen = p => p.drawer.classList.contains('mud-drawer--open') && !(narrow.matches && p.drawer.classList.contains('mud-drawer--initial'));
  const show = (p, open) => {
    p.drawer.classList.remove('mud-drawer--initial');
    p.drawer.classList.toggle('mud-drawer--open', open);
    p.drawer.classList.toggle('mud-drawer--closed', !open);
    p.layout.classList.toggle('mud-drawer-open-responsive-md-left', open);
    p.layout.classList.toggle('mud-drawer-close-responsive-md-left', !open);
    p.toggle?.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (p.backdrop) {
      p.backdrop.hidden = !(open && narrow.matches);
    }
  };
  // The toggle says what a screen reader should hear from the first render on.
  const sync = () => {
    const p = parts();
    if (p?.toggle && p.toggle.getAttribute('aria-expanded') !== String(isOpen(p))) {
      p.toggle.setAttribute('aria-expanded', String(isOpen(p)));
    }
  };

  document.addEventListener('click', event => {
    const target = event.target instanceof Element ? event.target : null;
    const p = target && parts();
    if (!p) {
      return;
    }
    if (target.closest('[data-drawer-toggle]')) {
      show(p, !isOpen(p));
    } else if (target.closest('[data-drawer-backdrop]') || (narrow.matches && isOpen(p) && target.closest('.mud-drawer a[href]'))) {
      show(p, false);
    }
  });
  document.addEventListener('keydown', event => {
    const p = parts();
    if (event.key === 'Escape' && p && narrow.matches && isOpen(p)) {
      show(p, false);
      p.toggle?.focus();
    }
  });
  // Crossing the breakpoint: docked when wide, closed when narrow.
  narrow.addEventListener('change', () => {
    const p = parts();
    if (p) {
      show(p, !narrow.matches);
    }
  });
  // The layout is drawn again when the circuit starts (and on a full navigation).
  new MutationObserver(sync).observe(document.body, { childList: true });
  sync();
})();
