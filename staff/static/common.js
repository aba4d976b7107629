// What the console's live pages share: calling the JSON API with the page's session cookie and CSRF token,
// and the waiting times and labels the server-rendered pages show too.
(function () {
  'use strict';

  function api(path, csrf, options) {
    options = options || {};
    var headers = { 'Accept': 'application/json', 'X-CSRF-Token': csrf };
    // A page's own refresh, not a person opening something: the console need not audit it again.
    if (options.poll) headers['X-Staff-Poll'] = '1';
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, {
      method: options.method || 'GET',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body)
    }).then(function (response) {
      if (response.status === 401) {
        // The session ended (idle too long, or signed out elsewhere): the sign-in page says so.
        window.location.assign('/sign-in?expired=1&next=' + encodeURIComponent(window.location.pathname));
        throw new Error('signed out');
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  // "3 minutes", "1 hour 5 minutes": the same wording as the server's `waited` filter (staff/pages.py).
  function waited(since, now) {
    var start = Date.parse(since);
    if (isNaN(start)) return '–';
    var minutes = Math.max(0, Math.floor(((now || Date.now()) - start) / 60000));
    if (minutes < 1) return 'Under a minute';
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    var parts = [];
    if (hours) parts.push(hours + (hours === 1 ? ' hour' : ' hours'));
    if (rest) parts.push(rest + (rest === 1 ? ' minute' : ' minutes'));
    return parts.join(' ');
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attributes[name];
      else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function tag(text, colour) {
    return element('strong', { 'class': 'govuk-tag govuk-tag--' + colour, text: text });
  }

  function priorityTag(handover) {
    return handover.priority === 'urgent' || handover.urgent ? tag('Urgent', 'red') : tag('Normal', 'grey');
  }

  function presenceTag(handover) {
    return handover.resident_present === false ? tag('Resident gone', 'yellow') : tag('Resident present', 'green');
  }

  // Announces through a polite live region: emptied first so the same words said twice are said again.
  function announce(region, text) {
    region.textContent = '';
    window.setTimeout(function () { region.textContent = text; }, 100);
  }

  // Shows what only works with JavaScript and hides the no-JavaScript fallbacks ("Refresh the queue").
  function showLiveParts() {
    Array.prototype.forEach.call(document.querySelectorAll('.cs-js-only'), function (node) { node.hidden = false; });
    Array.prototype.forEach.call(document.querySelectorAll('.cs-no-js'), function (node) { node.hidden = true; });
  }

  window.StaffConsole = {
    api: api, waited: waited, element: element, tag: tag, priorityTag: priorityTag, presenceTag: presenceTag,
    announce: announce, showLiveParts: showLiveParts
  };
})();
