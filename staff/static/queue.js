// The queue, live: asks the JSON API for the waiting conversations every 2 seconds and redraws the table, urgent
// first then longest waiting; new arrivals are announced politely. Without JavaScript the server-rendered table
// is the same, and reloading the page brings it up to date.
(function () {
  'use strict';
  var C = window.StaffConsole;
  var root = document.getElementById('queue');
  if (!root || !C) return;
  var POLL_MS = 2000;
  var csrf = root.getAttribute('data-csrf');
  var canTake = root.getAttribute('data-can-take') === 'yes';
  var councils = JSON.parse(root.getAttribute('data-councils') || '{}');
  var channels = JSON.parse(root.getAttribute('data-channels') || '{}');
  var rows = document.getElementById('queue-rows');
  var table = document.getElementById('queue-table');
  var empty = document.getElementById('queue-empty');
  var count = document.getElementById('queue-count');
  var announcer = document.getElementById('queue-announcer');
  var seen = {};
  Array.prototype.forEach.call(rows.querySelectorAll('tr[data-id]'), function (row) {
    seen[row.getAttribute('data-id')] = true;
  });

  function ordered(handovers) {
    return handovers.slice().sort(function (a, b) {
      var urgentA = a.priority === 'urgent' || a.urgent ? 0 : 1;
      var urgentB = b.priority === 'urgent' || b.urgent ? 0 : 1;
      if (urgentA !== urgentB) return urgentA - urgentB;
      return Date.parse(a.waiting_since) - Date.parse(b.waiting_since);
    });
  }

  function url(template, id) {
    // The server renders each address for conversation 0; this one's number goes in its place.
    return root.getAttribute(template).replace(/\/0(\/|$)/, '/' + encodeURIComponent(id) + '$1');
  }

  function actionCell(handover) {
    var cell = C.element('td', { 'class': 'govuk-table__cell' });
    var hidden = C.element('span', { 'class': 'govuk-visually-hidden', text: ' conversation ' + handover.id });
    if (canTake) {
      var form = C.element('form', { method: 'post', action: url('data-take-action', handover.id), 'class': 'cs-inline-form' }, [
        C.element('input', { type: 'hidden', name: 'csrf_token', value: csrf }),
        C.element('button', { type: 'submit', 'class': 'govuk-button govuk-!-margin-bottom-0' }, ['Take', hidden])
      ]);
      cell.appendChild(form);
    } else {
      cell.appendChild(C.element('a', { 'class': 'govuk-link', href: url('data-conversation', handover.id) }, ['View', hidden]));
    }
    return cell;
  }

  function row(handover, now) {
    function cell(content, attributes) {
      var node = C.element('td', Object.assign({ 'class': 'govuk-table__cell' }, attributes || {}));
      node.appendChild(typeof content === 'string' ? document.createTextNode(content) : content);
      return node;
    }
    var tr = C.element('tr', { 'class': 'govuk-table__row', 'data-id': String(handover.id) });
    tr.appendChild(cell(C.priorityTag(handover)));
    tr.appendChild(cell(C.waited(handover.waiting_since, now), { 'data-waiting-since': handover.waiting_since }));
    tr.appendChild(cell(channels[handover.channel] || handover.channel || '–'));
    tr.appendChild(cell(councils[handover.council] || handover.council || '–'));
    tr.appendChild(cell(handover.reason || '–'));
    tr.appendChild(cell(C.presenceTag(handover)));
    tr.appendChild(actionCell(handover));
    return tr;
  }

  var drawn = '';

  function refreshWaitingTimes(now) {
    Array.prototype.forEach.call(rows.querySelectorAll('td[data-waiting-since]'), function (cell) {
      var text = C.waited(cell.getAttribute('data-waiting-since'), now);
      if (cell.textContent !== text) cell.textContent = text;
    });
  }

  function draw(handovers) {
    var now = Date.now();
    // Redraw only when the list changed, so someone reading the table with a screen reader keeps their place.
    var shape = JSON.stringify(ordered(handovers).map(function (h) {
      return [h.id, h.priority, h.urgent, h.channel, h.council, h.reason, h.resident_present, h.waiting_since];
    }));
    if (shape === drawn) {
      refreshWaitingTimes(now);
      return;
    }
    drawn = shape;
    var focused = document.activeElement;
    var focusedId = focused && rows.contains(focused) ? focused.closest('tr').getAttribute('data-id') : null;
    var fresh = [];
    var fragment = document.createDocumentFragment();
    ordered(handovers).forEach(function (handover) {
      if (!seen[handover.id]) fresh.push(handover);
      seen[handover.id] = true;
      fragment.appendChild(row(handover, now));
    });
    rows.replaceChildren(fragment);
    count.textContent = String(handovers.length);
    table.hidden = handovers.length === 0;
    empty.hidden = handovers.length !== 0;
    if (focusedId) {
      // Keep keyboard focus on the same conversation's button after the redraw.
      var again = rows.querySelector('tr[data-id="' + focusedId + '"] button, tr[data-id="' + focusedId + '"] a');
      // Their conversation was taken meanwhile: focus goes to the table, not lost to the top of the page.
      if (again) {
        again.focus();
      } else if (!table.hidden) {
        table.focus();
      } else {
        empty.setAttribute('tabindex', '-1');
        empty.focus();
      }
    }
    if (fresh.length) {
      var first = fresh[0];
      var what = fresh.length === 1
        ? 'New conversation waiting' + (first.priority === 'urgent' ? ', urgent' : '') + ': ' +
          (councils[first.council] || first.council || '') + ', ' + (channels[first.channel] || first.channel) +
          (first.reason ? ', ' + first.reason : '') + '.'
        : fresh.length + ' new conversations waiting.';
      C.announce(announcer, what);
    }
  }

  function poll() {
    C.api(root.getAttribute('data-api'), csrf, { poll: true }).then(function (result) {
      if (result.ok && result.data && Array.isArray(result.data.handovers)) draw(result.data.handovers);
    }).catch(function () { /* the next poll tries again; the page still shows the last list */ })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  C.showLiveParts();
  window.setTimeout(poll, POLL_MS);
})();
