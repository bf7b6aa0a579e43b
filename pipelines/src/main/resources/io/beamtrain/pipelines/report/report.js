// beamtrain report: sorting of the trials table and highlighting of one trial across views.
// Plain ES2015, no dependencies: the page must work offline.
(function () {
  'use strict';

  var report = document.getElementById('report');
  var table = document.getElementById('trials');
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

  function headerCells() {
    return Array.prototype.slice.call(table.tHead.rows[0].cells);
  }

  // Missing values (empty keys) always sort last; ties keep the current order.
  function sortBy(index) {
    var th = headerCells()[index];
    var current = th.getAttribute('aria-sort');
    var direction = current === 'ascending' ? 'descending'
      : current === 'descending' ? 'ascending'
      : (th.dataset.first || 'ascending');
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

  report.addEventListener('mouseover', function (event) {
    focus(trialOf(event.target));
  });
  report.addEventListener('mouseleave', function () {
    focus(null);
  });

  // A click on a line scrolls its row into view and flashes it.
  report.addEventListener('click', function (event) {
    var line = event.target instanceof Element ? event.target.closest('.curve, .pc-line') : null;
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
})();
