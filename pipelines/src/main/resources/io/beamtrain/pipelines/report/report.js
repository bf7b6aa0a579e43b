// beamtrain report: sorting of the trials table, highlighting and selecting one trial across
// views, and (for a live report) reloading itself without losing the sort, the selection or the
// scroll position. Plain ES2015, no dependencies: the page must work offline.
(function () {
  'use strict';

  var report = document.getElementById('report');
  var table = document.getElementById('trials');
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

  function headerCells() {
    return Array.prototype.slice.call(table.tHead.rows[0].cells);
  }

  // Missing values (empty keys) always sort last; ties keep the current order.
  function sortBy(index, forced) {
    var th = headerCells()[index];
    var current = th.getAttribute('aria-sort');
    var direction = forced || (current === 'ascending' ? 'descending'
      : current === 'descending' ? 'ascending'
      : (th.dataset.first || 'ascending'));
    var numeric = th.dataset.type === 'number';
    var sign = direction === 'descending' ? -1 : 1;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return { row: row, position: position, key: row.cells[index].dataset.sort };
    });
    rows.sort(function (a, b) {
      var aMissing = a.key === '';
      var bMissing = b.key === '';
      if (aMissing !== bMissing) {
        return aMissing ? 1 : -1;
      }
      var order = 0;
      if (!aMissing) {
        order = numeric ? parseFloat(a.key) - parseFloat(b.key) : collator.compare(a.key, b.key);
      }
      return order !== 0 ? sign * order : a.position - b.position;
    });
    rows.forEach(function (entry) {
      body.appendChild(entry.row);
    });
    headerCells().forEach(function (cell) {
      cell.setAttribute('aria-sort', cell === th ? direction : 'none');
    });
    state.sort = th.dataset.col + ':' + direction;
    saveState();
  }

  // The view's state lives in location.hash (#sort=<column>:<direction>&trial=<id>), so a reload,
  // a bookmark or a shared link shows the same sort and selection.
  var state = { sort: null, trial: null };
  function loadState() {
    location.hash.replace(/^#/, '').split('&').forEach(function (pair) {
      var at = pair.indexOf('=');
      if (at > 0) {
        try {
          state[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
        } catch (malformed) {
          // A hash the page did not write (a stray '%'): that part is ignored, the page still works.
        }
      }
    });
  }
  function saveState() {
    var parts = [];
    ['sort', 'trial'].forEach(function (key) {
      if (state[key]) {
        parts.push(key + '=' + encodeURIComponent(state[key]));
      }
    });
    history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
  }

  if (table) {
    headerCells().forEach(function (cell, index) {
      cell.addEventListener('click', function () {
        sortBy(index);
      });
    });
  }

  function trialOf(target) {
    var element = target instanceof Element ? target.closest('[data-trial]') : null;
    return element ? element.dataset.trial : null;
  }

  function forTrial(trial, callback) {
    document.querySelectorAll('[data-trial]').forEach(function (element) {
      callback(element, element.dataset.trial === trial);
    });
  }

  var focused = null;
  function focus(trial) {
    if (trial === focused) {
      return;
    }
    focused = trial;
    report.classList.toggle('focusing', trial !== null);
    forTrial(trial, function (element, match) {
      element.classList.toggle('focus', match);
    });
    // Bring the focused trial's lines to the front of their plot; without focus, the best's.
    var front = trial !== null ? '.curve.focus, .pc-line.focus' : '.curve.best, .pc-line.best';
    document.querySelectorAll(front).forEach(function (line) {
      line.parentNode.appendChild(line);
    });
  }

  // A selected trial (clicked) stays highlighted when the pointer leaves; click it again to clear.
  var selected = null;
  function select(trial) {
    selected = trial;
    state.trial = trial;
    forTrial(trial, function (element, match) {
      element.classList.toggle('selected', match);
    });
    focused = undefined;
    focus(trial);
    saveState();
  }

  report.addEventListener('mouseover', function (event) {
    focus(trialOf(event.target) || selected);
  });
  report.addEventListener('mouseleave', function () {
    focus(selected);
  });

  // A click on a trial anywhere selects it (or clears the selection); a click on a line or point
  // also scrolls its row into view and flashes it.
  report.addEventListener('click', function (event) {
    var clicked = trialOf(event.target);
    if (clicked !== null && !(event.target instanceof Element && event.target.closest('thead'))) {
      select(clicked === selected ? null : clicked);
    }
    var line = event.target instanceof Element
      ? event.target.closest('.curve, .pc-line, circle[data-trial], .pareto-point') : null;
    if (!line || !table) {
      return;
    }
    var trial = line.dataset.trial;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      if (row.dataset.trial === trial) {
        row.scrollIntoView({ block: 'center', behavior: 'smooth' });
        row.classList.remove('flash');
        void row.offsetWidth;
        row.classList.add('flash');
      }
    });
  });

  // Restore the state a reload (or a link) carries, then keep a live report current.
  loadState();
  if (table && state.sort) {
    var at = state.sort.lastIndexOf(':');
    var column = state.sort.slice(0, at);
    headerCells().forEach(function (cell, index) {
      if (cell.dataset.col === column) {
        sortBy(index, state.sort.slice(at + 1));
      }
    });
  }
  if (state.trial) {
    select(state.trial);
  }
  var scrollKey = 'beamtrain-scroll:' + location.pathname;
  var savedScroll = sessionStorage.getItem(scrollKey);
  if (savedScroll !== null) {
    sessionStorage.removeItem(scrollKey);
    window.scrollTo(0, parseInt(savedScroll, 10));
  }
  var refresh = document.querySelector('meta[name="beamtrain-refresh"]');
  if (refresh) {
    var seconds = Math.max(1, parseInt(refresh.content, 10) || 10);
    setTimeout(function () {
      sessionStorage.setItem(scrollKey, String(window.scrollY));
      location.reload();
    }, seconds * 1000);
  }
})();
