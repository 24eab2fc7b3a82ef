// The portal's charts in the browser. TimeSeriesChart.razor renders each chart with data-*
// attributes (its window, the left edge of its plot, its time slots, each series' formatted value
// per slot); this script reads them:
// - hovering a chart draws a crosshair at the nearest point in time on every chart of the page,
//   each with every series' value at that time;
// - dragging across a dashboard chart zooms the page into that time range, kept in the address
//   (?from=&to=, beside ?range=) so that a link shows a colleague the same thing;
// - a click without a drag opens the logs around that point, where the chart has logs;
// - opening a chart's table draws it from the same values (and keeps it open across refreshes).
// Listeners are on the document, so charts that Blazor adds or redraws need no setup, and nothing
// per mouse move reaches the server. Only elements inside .ts-overlay (which Blazor renders empty)
// are the script's own: Blazor's elements are never changed.
// A refresh redraws a chart's picture, overlay included (and a circuit's first render replaces the
// whole page): while the pointer rests on a chart, the crosshair comes back at the same point in
// time, drawn on the new data, without waiting for the pointer to move.
(() => {
  const width = 640;
  const top = 10;
  const right = 12;
  const plotHeight = 220 - top - 26;
  const dragThreshold = 6;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

  const chartOf = node => node instanceof Element ? node.closest('.ts-chart[data-n]') : null;
  const model = chart => {
    const d = chart.dataset;
    return { start: +d.start, end: +d.end, left: +d.left, t0: +d.t0, step: +d.step, n: +d.n, unit: d.unit || '' };
  };
  // Client pixels per viewBox unit, and where the picture is.
  const frame = chart => {
    const box = chart.querySelector('svg').getBoundingClientRect();
    return { box, scale: box.width / width };
  };
  const plotWidth = m => width - m.left - right;
  const xOf = (m, time) => m.left + (time - m.start) / (m.end - m.start) * plotWidth(m);
  const timeAt = (chart, clientX) => {
    const m = model(chart);
    const { box, scale } = frame(chart);
    const share = ((clientX - box.left) / scale - m.left) / plotWidth(m);
    return m.start + Math.min(1, Math.max(0, share)) * (m.end - m.start);
  };
  const slotAt = (m, time) => (m.step > 0 ? Math.round((time - m.t0) / m.step) : 0);

  const two = n => String(n).padStart(2, '0');
  const clock = (m, ms) => {
    const t = new Date(ms);
    const time = `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}`;
    return m.end - m.start > 86400000 ? `${days[t.getUTCDay()]} ${two(t.getUTCDate())} ${time}` : time;
  };
  const isoMinute = ms => new Date(ms).toISOString().slice(0, 16) + 'Z';
  const isoSecond = ms => new Date(ms).toISOString().slice(0, 19) + 'Z';

  const part = (chart, name) => {
    const overlay = chart.querySelector('.ts-overlay');
    let element = overlay.querySelector(`.${name}`);
    if (!element) {
      element = document.createElement('div');
      element.className = name;
      overlay.appendChild(element);
    }
    return element;
  };
  const hide = (chart, ...names) => {
    for (const name of names) {
      const element = chart.querySelector(`.ts-overlay > .${name}`);
      if (element) {
        element.hidden = true;
      }
    }
  };

  const readout = (chart, m, slot, time, x, scale, hovered) => {
    const tip = part(chart, 'ts-tip');
    const rows = [];
    const head = document.createElement('div');
    head.className = 'ts-tip-time';
    head.textContent = `${clock(m, time)} UTC`;
    rows.push(head);
    for (const series of chart.querySelectorAll('g[data-values]')) {
      const value = series.dataset.values.split('|')[slot];
      const row = document.createElement('div');
      row.className = 'ts-tip-row';
      const swatch = document.createElement('span');
      swatch.className = `ts-swatch ${[...series.classList].find(c => /^ts-s\d+$/.test(c)) ?? ''}`;
      const label = document.createElement('span');
      label.textContent = series.dataset.series;
      const shown = document.createElement('b');
      shown.textContent = value ? value + m.unit : 'no data';
      row.append(swatch, label, shown);
      rows.push(row);
    }
    if (hovered && chart.dataset.logs) {
      const hint = document.createElement('div');
      hint.className = 'ts-tip-hint';
      hint.textContent = chart.dataset.zoom ? 'Click: logs · drag: zoom' : 'Click: logs around this time';
      rows.push(hint);
    }
    tip.replaceChildren(...rows);
    tip.hidden = false;
    tip.style.top = `${top * scale}px`;
    // Beside the crosshair, on whichever side has room.
    const room = chart.querySelector('.ts-overlay').clientWidth;
    tip.style.left = x + 12 + tip.offsetWidth < room ? `${x + 12}px` : `${Math.max(0, x - 12 - tip.offsetWidth)}px`;
  };

  // The crosshair at one point in time on every chart of the page that shows it.
  const showAt = (time, hoveredChart) => {
    for (const chart of document.querySelectorAll('.ts-chart[data-n]')) {
      const m = model(chart);
      const slot = slotAt(m, time);
      if (!(m.n > 0) || slot < 0 || slot >= m.n || time < m.start || time > m.end) {
        hide(chart, 'ts-cross', 'ts-tip');
        continue;
      }
      const slotTime = m.t0 + slot * m.step;
      const { scale } = frame(chart);
      const x = xOf(m, slotTime) * scale;
      const cross = part(chart, 'ts-cross');
      cross.hidden = false;
      cross.style.left = `${x}px`;
      cross.style.top = `${top * scale}px`;
      cross.style.height = `${plotHeight * scale}px`;
      readout(chart, m, slot, slotTime, x, scale, chart === hoveredChart);
    }
  };
  const hideAll = () => {
    for (const chart of document.querySelectorAll('.ts-chart[data-n]')) {
      hide(chart, 'ts-cross', 'ts-tip', 'ts-select');
    }
  };

  const navigate = address => (window.Blazor?.navigateTo ? window.Blazor.navigateTo(address) : location.assign(address));

  let press = null;
  // The chart a drag started on, or, when a refresh redrew it during the drag, the chart now at the
  // point where the drag started: the drag goes on over the new drawing.
  const pressed = () => (press.chart.isConnected ? press.chart : chartOf(document.elementFromPoint(press.x, press.y)) ?? press.chart);
  let hover = null;
  let suppressClick = false;
  // The point in time the crosshair shows and where the pointer rests; null when it shows none.
  let shown = null;

  const forget = () => {
    hover = null;
    shown = null;
    hideAll();
  };

  // Draws the crosshair again after Blazor replaced or changed a chart while it was shown.
  let redrawQueued = false;
  const touchesChart = mutation => {
    const target = mutation.target;
    if (target instanceof Element && target.closest('.ts-overlay')) {
      return false; // the script's own drawing
    }
    return (target instanceof Element && target.closest('.ts-chart') !== null)
      || [...mutation.addedNodes].some(node => node instanceof Element && (node.matches('.ts-chart') || node.querySelector('.ts-chart')));
  };
  new MutationObserver(mutations => {
    if (!shown || redrawQueued || !mutations.some(touchesChart)) {
      return;
    }
    redrawQueued = true;
    requestAnimationFrame(() => {
      redrawQueued = false;
      if (!shown || press) {
        return;
      }
      const chart = chartOf(document.elementFromPoint(shown.x, shown.y));
      if (chart) {
        showAt(shown.time, chart);
      } else {
        forget(); // the page changed under the pointer: no chart there any more
      }
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  document.addEventListener('pointermove', event => {
    if (press) {
      const { x } = press;
      const chart = pressed();
      const { box } = frame(chart);
      const from = Math.max(Math.min(x, event.clientX), box.left);
      const to = Math.min(Math.max(x, event.clientX), box.right);
      if (Math.abs(event.clientX - x) > dragThreshold && chart.dataset.zoom) {
        const selection = part(chart, 'ts-select');
        const { scale } = frame(chart);
        selection.hidden = false;
        selection.style.left = `${from - box.left}px`;
        selection.style.width = `${to - from}px`;
        selection.style.top = `${top * scale}px`;
        selection.style.height = `${plotHeight * scale}px`;
      }
    }
    const chart = chartOf(event.target);
    if (chart) {
      // At most one redraw per frame, however fast the pointer moves.
      const first = !hover;
      hover = { chart, x: event.clientX, y: event.clientY };
      if (first) {
        requestAnimationFrame(() => {
          if (hover) {
            const time = timeAt(hover.chart, hover.x);
            showAt(time, hover.chart);
            shown = { time, x: hover.x, y: hover.y };
            hover = null;
          }
        });
      }
    } else if (!press) {
      forget();
    }
  }, { passive: true });

  // Leaving a chart hides the crosshair; an element Blazor removed from under the resting pointer
  // (a refresh) is not the pointer leaving.
  document.addEventListener('pointerout', event => {
    const chart = chartOf(event.target);
    if (chart && !press && event.target.isConnected && !chartOf(event.relatedTarget)) {
      forget();
    }
  }, { passive: true });

  document.addEventListener('pointerdown', event => {
    suppressClick = false;
    const chart = chartOf(event.target);
    if (event.button === 0 && chart && event.target.closest('svg') && (chart.dataset.zoom || chart.dataset.logs)) {
      press = { chart, x: event.clientX, y: event.clientY };
    }
  });

  document.addEventListener('pointerup', event => {
    if (!press) {
      return;
    }
    const { x } = press;
    const chart = pressed();
    press = null;
    hide(chart, 'ts-select');
    const m = model(chart);
    if (Math.abs(event.clientX - x) > dragThreshold) {
      suppressClick = true;
      if (!chart.dataset.zoom) {
        return;
      }
      const minute = 60000;
      const [a, b] = [timeAt(chart, x), timeAt(chart, event.clientX)].sort((p, q) => p - q);
      const from = Math.floor(a / minute) * minute;
      const to = Math.max(Math.ceil(b / minute) * minute, from + Math.max(2 * m.step, 2 * minute));
      const address = new URL(location.href);
      address.searchParams.set('from', isoMinute(from));
      address.searchParams.set('to', isoMinute(to));
      forget();
      navigate(address.pathname + address.search);
    } else if (chart.dataset.logs && m.n > 0) {
      const slot = Math.min(m.n - 1, Math.max(0, slotAt(m, timeAt(chart, event.clientX))));
      const time = m.t0 + slot * m.step;
      const period = m.step > 0 ? m.step : 60000;
      forget();
      navigate(chart.dataset.logs
        .replace('{start}', encodeURIComponent(isoSecond(time - +chart.dataset.logsMargin)))
        .replace('{end}', encodeURIComponent(isoSecond(time + period))));
    }
  });

  // A drag ends with a click on whatever is under the pointer: it is not a click.
  window.addEventListener('click', event => {
    if (suppressClick) {
      suppressClick = false;
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, { capture: true });

  document.addEventListener('keydown', event => {
    if (event.key === 'Escape' && press) {
      hide(press.chart, 'ts-select');
      press = null;
    }
  });

  // A chart's table (the "Table of this chart" disclosure) is drawn here when it is opened, from
  // the values the crosshair reads: a row per time slot, a column per series, "no data" where a
  // series has none. The region is rendered empty by Blazor, so, like .ts-overlay, its content is
  // this script's own. An open table is redrawn when its chart's data changes.
  const tableSignature = chart => {
    const d = chart.dataset;
    return [d.t0, d.step, d.n, d.start, d.end, ...[...chart.querySelectorAll('g[data-values]')].map(g => g.dataset.values)].join('\n');
  };
  const drawnTables = new WeakMap();
  const drawTable = details => {
    const chart = chartOf(details);
    const region = details.querySelector('.ts-table-wrap');
    if (!chart || !region || !details.open) {
      return;
    }
    const signature = tableSignature(chart);
    if (drawnTables.get(region) === signature) {
      return;
    }
    drawnTables.set(region, signature);
    const m = model(chart);
    const series = [...chart.querySelectorAll('g[data-values]')].map(g => ({ label: g.dataset.series, values: g.dataset.values.split('|') }));
    const cell = (tag, text, scope) => {
      const element = document.createElement(tag);
      element.textContent = text;
      if (scope) {
        element.scope = scope;
      }
      return element;
    };
    const table = document.createElement('table');
    table.className = 'ts-table';
    const caption = document.createElement('caption');
    caption.textContent = region.dataset.caption ?? '';
    const head = document.createElement('thead');
    const headRow = document.createElement('tr');
    headRow.append(cell('th', 'Time (UTC)', 'col'), ...series.map(s => cell('th', s.label, 'col')));
    head.append(headRow);
    const body = document.createElement('tbody');
    for (let slot = 0; slot < m.n; slot++) {
      const row = document.createElement('tr');
      row.append(cell('th', clock(m, m.t0 + slot * m.step), 'row'), ...series.map(s => cell('td', s.values[slot] || 'no data')));
      body.append(row);
    }
    table.append(caption, head, body);
    region.replaceChildren(table);
  };

  // A dashboard's panels are HTML that each refresh replaces whole (DashboardGridMarkup). What a
  // person had open or focused there stays so: the tables they opened stay open, and the focus
  // returns to the same control of the same panel instead of dropping to the page. Panels are
  // known by their data-testid, controls by their place among the panel's focusable elements.
  const panelOf = node => (node instanceof Element ? node.closest('.dash-grid section.panel[data-testid]') : null);
  const focusables = panel => [...panel.querySelectorAll('a[href], summary, button, [tabindex="0"]')];
  const openTables = new Set();
  let focused = null;
  document.addEventListener('toggle', event => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.classList.contains('ts-table-details')) {
      return;
    }
    drawTable(details);
    const panel = panelOf(details);
    if (panel) {
      if (details.open) {
        openTables.add(panel.dataset.testid);
      } else {
        openTables.delete(panel.dataset.testid);
      }
    }
  }, true);
  document.addEventListener('focusin', event => {
    const panel = panelOf(event.target);
    focused = panel ? { panel: panel.dataset.testid, index: focusables(panel).indexOf(event.target), element: event.target } : null;
  });
  const ownContent = node => (node instanceof Element ? node : node.parentElement)?.closest('.ts-overlay, .ts-table-wrap');
  new MutationObserver(records => {
    // The crosshair, the tip and the tables are this script's own drawing, not a redraw.
    if (records.every(record => ownContent(record.target))) {
      return;
    }
    for (const details of document.querySelectorAll('.ts-table-details[open]')) {
      drawTable(details);
    }
    for (const key of openTables) {
      const details = document.querySelector(`.dash-grid section.panel[data-testid="${key}"] .ts-table-details`);
      if (details && !details.open) {
        details.open = true;
      }
    }
    // Only when the refresh took the focused control away, not when the person moved on.
    if (focused && !focused.element.isConnected && (!document.activeElement || document.activeElement === document.body)) {
      const panel = document.querySelector(`.dash-grid section.panel[data-testid="${focused.panel}"]`);
      const target = panel && focused.index >= 0 ? focusables(panel)[focused.index] : null;
      if (target) {
        target.focus({ preventScroll: true });
      }
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-t0', 'data-n', 'data-start'] });
})();
