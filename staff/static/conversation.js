// One conversation, live: asks the JSON API for it every 1.5 seconds and adds new messages to the transcript
// (a resident's new words are announced politely), keeps the status, "resident gone" and urgent flags current,
// sends the member of staff's messages (Enter sends, Shift and Enter is a new line) and inserts canned replies.
// Without JavaScript the same forms post to the server and the page shows the conversation as it is on reload.
(function () {
  'use strict';
  var C = window.StaffConsole;
  var root = document.getElementById('conversation');
  if (!root || !C) return;
  var POLL_MS = 1500;
  var csrf = root.getAttribute('data-csrf');
  var apiPath = root.getAttribute('data-api');
  var transcript = document.getElementById('transcript');
  var announcer = document.getElementById('conversation-announcer');
  var shown = parseInt(transcript.getAttribute('data-count'), 10) || 0;
  var lastStatus = null;
  var lastPresent = null;
  var timer = null;

  function speaker(message) {
    if (message.from === 'resident') return 'Resident';
    if (message.from === 'bot') return 'Assistant';
    var name = message.staff_name || message.staff || message.name;
    return name ? 'Staff (' + name + ')' : 'Staff';
  }

  function timeOf(at) {
    var moment = new Date(at);
    if (isNaN(moment.getTime())) return null;
    return C.element('time', {
      datetime: at,
      text: moment.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' })
    });
  }

  function addMessage(message) {
    var when = C.element('span', { 'class': 'cs-message__when' });
    var time = timeOf(message.at);
    if (time) when.appendChild(time);
    transcript.appendChild(C.element('li', { 'class': 'cs-message cs-message--' + message.from }, [
      C.element('span', { 'class': 'cs-message__who', text: speaker(message) }),
      when,
      C.element('p', { 'class': 'govuk-body cs-message__text', text: message.text })
    ]));
  }

  var STATUS = {
    waiting: ['Waiting', 'blue'], active: ['Active', 'green'], callback: ['Callback', 'purple'],
    closed: ['Closed', 'grey']
  };

  function update(handover) {
    var messages = handover.transcript || [];
    var residentSaid = [];
    for (var i = shown; i < messages.length; i++) {
      addMessage(messages[i]);
      if (messages[i].from === 'resident') residentSaid.push(messages[i].text);
    }
    shown = Math.max(shown, messages.length);
    var news = [];
    if (residentSaid.length) news.push('Resident says: ' + residentSaid.join(' '));

    var urgent = handover.priority === 'urgent' || handover.urgent;
    var banner = document.getElementById('urgent-banner');
    if (urgent && banner.hidden) news.push('This conversation is now marked urgent.');
    banner.hidden = !urgent;
    document.getElementById('priority-tag').replaceChildren(C.priorityTag(handover));

    var present = handover.resident_present !== false;
    if (lastPresent !== null && present !== lastPresent) {
      news.push(present ? 'The resident is back.' : 'The resident has left.');
    }
    lastPresent = present;
    document.getElementById('gone-warning').hidden = present;
    document.getElementById('presence-tag').replaceChildren(C.presenceTag(handover));

    var status = STATUS[handover.status] || [handover.status, 'grey'];
    if (lastStatus !== null && handover.status !== lastStatus) news.push('Status: ' + status[0] + '.');
    lastStatus = handover.status;
    document.getElementById('status-tag').replaceChildren(C.tag(status[0], status[1]));
    var handling = document.getElementById('handling');
    if (handling && !handling.hidden && handover.status !== 'active') {
      // Closed or given back elsewhere (a supervisor, another tab): nothing here can be sent any more.
      handling.hidden = true;
      document.getElementById('ended').hidden = false;
    }

    if (news.length) C.announce(announcer, news.join(' '));
  }

  function poll() {
    window.clearTimeout(timer);
    return C.api(apiPath, csrf, { poll: true }).then(function (result) {
      if (result.ok) update(result.data.handover || result.data);
    }).catch(function () { /* the next poll tries again */ })
      .then(function () { timer = window.setTimeout(poll, POLL_MS); });
  }

  // Sending: the form posts to the server without JavaScript; with it, the message goes through the JSON API.
  var form = document.getElementById('message-form');
  if (form) {
    var box = document.getElementById('message');
    var group = document.getElementById('message-group');
    var error = document.getElementById('message-error');
    var errorText = document.getElementById('message-error-text');
    var sending = false;

    var showError = function (text) {
      errorText.textContent = text;
      error.hidden = !text;
      group.classList.toggle('govuk-form-group--error', !!text);
      box.classList.toggle('govuk-textarea--error', !!text);
      box.setAttribute('aria-describedby', text ? 'message-hint message-error' : 'message-hint');
    };

    var send = function () {
      var text = box.value.trim();
      if (!text) {
        showError('Enter a message to send');
        box.focus();
        return;
      }
      if (sending) return;
      sending = true;
      C.api(apiPath + '/messages', csrf, { method: 'POST', body: { text: text } }).then(function (result) {
        if (result.ok) {
          box.value = '';
          showError('');
          poll();
        } else {
          showError((result.data && (result.data.message || result.data.error)) || 'The message was not sent. Try again.');
        }
      }).catch(function () {
        showError('The message was not sent: the console could not be reached. Try again.');
      }).then(function () { sending = false; });
    };

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      send();
    });
    box.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });

    // Canned replies for this council, each with a button that puts it in the message box to edit and send.
    var list = document.getElementById('canned-list');
    C.api(root.getAttribute('data-canned'), csrf).then(function (result) {
      if (!result.ok) return;
      var replies = result.data.canned_replies || result.data.replies || [];
      if (!replies.length) return;
      list.replaceChildren();
      document.getElementById('canned-replies').hidden = false;
      replies.forEach(function (reply, index) {
        // The API gives each reply as text; an object with title and text is taken too.
        var words = typeof reply === 'string' ? reply : (reply.text || '');
        var button = C.element('button', { type: 'button', 'class': 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0' }, [
          'Insert', C.element('span', { 'class': 'govuk-visually-hidden', text: ' canned reply ' + (index + 1) })
        ]);
        button.addEventListener('click', function () {
          var start = box.selectionStart || 0;
          var end = box.selectionEnd || 0;
          var before = box.value.slice(0, start);
          var joiner = before && !/\s$/.test(before) ? ' ' : '';
          box.value = before + joiner + words + box.value.slice(end);
          var caret = (before + joiner + words).length;
          box.focus();
          box.setSelectionRange(caret, caret);
        });
        list.appendChild(C.element('li', { 'class': 'cs-canned' }, [
          C.element('span', { 'class': 'cs-canned__text', text: words }), button
        ]));
      });
    }).catch(function () { /* the list the server rendered stays */ });
  }

  timer = window.setTimeout(poll, POLL_MS);
})();
