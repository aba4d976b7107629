/*!
 * Council chat: the Chorley and South Ribble councils' web chat widget. Plain JavaScript, no framework.
 *
 * Add it to a page with one settings object and one script tag:
 *
 *   <script>window.CouncilChat = {council: "chorley", serverUrl: "https://chat.example.gov.uk"};</script>
 *   <script src="/webchat/src/council-chat.js" defer></script>
 *
 * Settings (all but `council` and `serverUrl` optional):
 *   council       "chorley" | "south_ribble" (also "southribble", "south-ribble")
 *   serverUrl     the Rasa server with the webchat channel (connectors/webchat.py)
 *   socketPath    "/socket.io"
 *   socketioSrc   where socket.io.min.js is served; default ../vendor/socket.io.min.js next to this file
 *                 (webchat/serve.py serves it from node_modules). If window.io exists it is used as it is.
 *   language      "en"; sent to the assistant as customData.language
 *   strings       any of the texts in STRINGS below, to reword or translate the widget
 *   open          true to open the panel on load
 *
 * It speaks Rasa's socket.io protocol (session_request / session_confirm / user_uttered / bot_uttered) with the
 * connector's additions: a client message_id and the server's acknowledgement, so a message typed while offline is
 * sent once when the connection returns, and never twice. Nothing from the assistant or the resident is ever put
 * into the page as HTML: text goes in with textContent; links (http and https only) and **bold** are built as
 * elements.
 */
(function () {
  "use strict";

  if (window.__councilChatLoaded) return;
  window.__councilChatLoaded = true;

  var SCRIPT = document.currentScript;
  var SETTINGS = window.CouncilChat || {};

  // Each council's name, colours and contact routes (from councils/*.yml). Colours meet AA contrast with white.
  // Each council's name, colours and contact routes come from councils/<id>.yml: webchat/serve.py puts them in
  // window.CouncilChatCouncils ahead of this file, so no council fact is written into the widget's code.
  var COUNCILS = window.CouncilChatCouncils || {};

  var STRINGS = {
    launcher: "Ask {shortName} Council's assistant",
    title: "{name} assistant",
    automated: "An automated assistant, not a person. Don't share bank or card details.",
    close: "Close chat",
    closeShort: "Close",
    human: "Talk to a person",
    humanMessage: "Talk to a person",
    otherWays: "Other ways to contact us: phone {phone} ({phoneHours}) or the",
    contactPage: "contact us page",
    restart: "Restart",
    more: "More options",
    restarted: "You started a new conversation.",
    save: "Save transcript",
    logLabel: "Conversation with the assistant",
    inputLabel: "Your message",
    inputHint: "Type your question, then press Enter to send. Shift and Enter starts a new line.",
    send: "Send",
    you: "You",
    assistant: "Assistant",
    youSaid: "You said:",
    assistantSaid: "Assistant said:",
    // A member of customer services writing in the chat (a handover, docs/handover.md): named, in words.
    staffLabel: "{staff}, customer services",
    staffUnnamed: "A member of staff",
    typing: "The assistant is typing",
    suggestions: "Suggested replies",
    newTab: "(opens in a new tab)",
    connecting: "Connecting to the assistant…",
    offline: "You're offline or we can't reach the assistant. We'll send your messages as soon as the connection is back.",
    reconnected: "Connected again.",
    waiting: "Waiting to send",
    transcriptHeader: "Conversation with the {name} automated assistant",
    transcriptSaved: "Saved",
    tooLong: "Your message is too long: please keep it under {limit} characters.",
    cardRemoved: "[card number removed]",
    errors: {
      invalid_payload: "Sorry, that message couldn't be read. Please try typing it again.",
      invalid_message: "Sorry, that message couldn't be read. Please try typing it again.",
      invalid_message_id: "Sorry, that message couldn't be read. Please try typing it again.",
      empty_message: "Your message was empty. Please type your question.",
      message_too_long: "Your message is too long. Please make it shorter and send it again.",
      too_many_messages: "You're sending messages faster than I can answer. Please wait a moment, then send it again.",
      invalid_session: "Your conversation had expired, so we started a new one. Please send your message again.",
      session_mismatch: "Your conversation had changed in another tab. Please send your message again.",
      no_session: "We were still connecting. Please send your message again.",
      server_error: "Sorry, something went wrong on our side and your message wasn't answered. Please try again.",
      unknown: "Sorry, something went wrong. Please try again."
    }
  };

  function councilFor(value) {
    var key = String(value || "").toLowerCase().replace(/[\s-]+/g, "_");
    if (key === "southribble") key = "south_ribble";
    return COUNCILS[key] || COUNCILS.chorley || {
      id: key || "council", name: "the council", shortName: "the council", primary: "#0b0c0c",
      primaryDark: "#000000", accent: "#f3f2f1", phone: "", phoneHours: "", contactUrl: ""
    };
  }

  var COUNCIL = councilFor(SETTINGS.council);
  var S = mergeStrings(STRINGS, SETTINGS.strings || {});
  var LANGUAGE = SETTINGS.language || document.documentElement.getAttribute("lang") || "en";
  var SERVER_URL = SETTINGS.serverUrl || "http://127.0.0.1:5005";
  var MAX_LENGTH = SETTINGS.maxMessageLength || 2000;
  var STORE_KEY = "council-chat:v1:" + COUNCIL.id + ":" + SERVER_URL;
  var MAX_LOG = 200;
  var ROUTE = randomHex(16);

  function mergeStrings(base, extra) {
    var out = {};
    Object.keys(base).forEach(function (k) { out[k] = base[k]; });
    Object.keys(extra).forEach(function (k) {
      if (k === "errors" && typeof extra[k] === "object") out[k] = mergeStrings(base.errors, extra[k]);
      else if (typeof extra[k] === "string") out[k] = extra[k];
    });
    return out;
  }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      var v = (values || COUNCIL)[name];
      return v === undefined ? whole : String(v);
    });
  }

  // -- card numbers: never kept in the log, in localStorage or in a saved transcript ----------------------------
  //
  // The same rule as the server's (connectors/card_numbers.py): after Unicode NFKC normalisation (which turns
  // full-width digits into 0-9), digit groups joined by short runs (1 to 3 characters) of separators form one run,
  // and any stretch of whole groups holding 13 to 19 digits that passes the Luhn check is a card number.
  // Separators: any white space (spaces, no-break spaces, tabs, new lines), zero-width spaces, dots, commas,
  // slashes, hyphens, underscores and the dashes (en, em, minus...).

  var CARD_SEPARATOR = "[\\s.,/\\\\_\\-\\u2010-\\u2015\\u2212\\u200b-\\u200d\\u2060\\ufeff]";
  var DIGIT_RUN = new RegExp("\\d+(?:" + CARD_SEPARATOR + "{1,3}\\d+)*", "g");

  function luhnValid(digits) {
    var total = 0;
    for (var i = 0; i < digits.length; i++) {
      var value = Number(digits.charAt(digits.length - 1 - i)) * (i % 2 ? 2 : 1);
      total += value > 9 ? value - 9 : value;
    }
    return total % 10 === 0;
  }

  // Where the card numbers are in `text`: a list of [start, end] positions.
  function cardNumberSpans(text) {
    var spans = [];
    var run;
    DIGIT_RUN.lastIndex = 0;
    while ((run = DIGIT_RUN.exec(text)) !== null) {
      var groups = [];
      var group;
      var GROUP = /\d+/g;
      while ((group = GROUP.exec(run[0])) !== null) {
        groups.push({ digits: group[0], start: run.index + group.index, end: run.index + GROUP.lastIndex });
      }
      for (var first = 0; first < groups.length; first++) {
        var digits = "";
        for (var last = first; last < groups.length; last++) {
          digits += groups[last].digits;
          if (digits.length > 19) break;
          if (digits.length >= 13 && luhnValid(digits)) spans.push([groups[first].start, groups[last].end]);
        }
      }
    }
    return spans.sort(function (a, b) { return a[0] - b[0]; });
  }

  function normalised(text) {
    return String.prototype.normalize ? String(text).normalize("NFKC") : String(text);
  }

  // `text` with each card number replaced by a note; returned unchanged (not even normalised) when it has none.
  function withoutCardNumbers(text) {
    var normal = normalised(text);
    var spans = cardNumberSpans(normal);
    if (!spans.length) return text;
    var out = "";
    var done = 0;
    spans.forEach(function (span) {
      if (span[1] <= done) return;  // inside a number already removed
      if (span[0] >= done) out += normal.slice(done, span[0]) + S.cardRemoved;
      done = span[1];  // an overlapping stretch only makes the removed part longer
    });
    return out + normal.slice(done);
  }

  // A card number typed across two messages ("4242 4242" then "4242 4242"): neither half is one on its own. If the
  // end of the previous message and the start of this one make one, both parts are removed. Returns the two texts
  // to keep, or null when they don't make a card number together.
  function withoutSplitCardNumber(previous, current) {
    var before = normalised(previous);
    var after = normalised(current);
    var joined = before + "\n" + after;
    var crossing = cardNumberSpans(joined).filter(function (span) {
      return span[0] < before.length && span[1] > before.length + 1;
    });
    if (!crossing.length) return null;
    var start = Math.min.apply(null, crossing.map(function (span) { return span[0]; }));
    var end = Math.max.apply(null, crossing.map(function (span) { return span[1]; }));
    return [
      withoutCardNumbers(before.slice(0, start)) + S.cardRemoved,
      S.cardRemoved + withoutCardNumbers(after.slice(end - before.length - 1))
    ];
  }

  // -- stored state: the session id, the visible log, and messages not yet acknowledged -------------------------

  function load() {
    try {
      var raw = window.localStorage.getItem(STORE_KEY);
      var data = raw ? JSON.parse(raw) : null;
      if (data && typeof data === "object") {
        var log = Array.isArray(data.log) ? data.log : [];
        var outbox = Array.isArray(data.outbox) ? data.outbox : [];
        // Kept by an older version of the widget, which stored card numbers too: removed now.
        log.concat(outbox).forEach(function (m) {
          if (m && typeof m.text === "string" && m.from !== "bot") m.text = withoutCardNumbers(m.text);
        });
        return {
          sessionId: typeof data.sessionId === "string" ? data.sessionId : null,
          log: log,
          outbox: outbox,
          open: !!data.open
        };
      }
    } catch (e) { /* storage blocked or corrupt: start afresh */ }
    return { sessionId: null, log: [], outbox: [], open: false };
  }

  var state = load();

  function save() {
    try {
      if (state.log.length > MAX_LOG) state.log = state.log.slice(-MAX_LOG);
      window.localStorage.setItem(STORE_KEY, JSON.stringify({
        sessionId: state.sessionId,
        log: state.log,
        // A message waiting to be sent is sent as typed (the server removes a card number and tells the resident how
        // to pay safely), but only ever stored without card numbers: after a reload it goes as stored.
        outbox: state.outbox.map(function (m) {
          return { id: m.id, text: m.kept || withoutCardNumbers(m.text), hidden: !!m.hidden };
        }),
        open: state.open
      }));
    } catch (e) { /* private browsing or full: the chat still works on this page */ }
  }

  function randomHex(size) {
    var bytes = new Uint8Array(size);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += ("0" + bytes[i].toString(16)).slice(-2);
    return out;
  }

  function newMessageId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    var out = "m";
    for (var i = 0; i < bytes.length; i++) out += ("0" + bytes[i].toString(16)).slice(-2);
    return out;
  }

  // -- DOM helpers ------------------------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "text") node.textContent = value;
        else if (name === "className") node.className = value;
        else node.setAttribute(name, value === true ? "" : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function safeUrl(raw) {
    try {
      var url = new URL(raw, window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // Links [text](http...), bare http(s) addresses and **bold**, everything else as text. Never innerHTML.
  var INLINE = /\[([^\]\n]{1,300})\]\((https?:\/\/[^\s()<>]{1,2000})\)|\*\*([^*\n]{1,500})\*\*|(https?:\/\/[^\s<>()"]*[^\s<>()".,;:!?'])/g;

  function appendInline(parent, text) {
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[3] !== undefined) {
        parent.appendChild(el("strong", { text: match[3] }));
      } else {
        var label = match[1] !== undefined ? match[1] : match[4];
        var href = safeUrl(match[1] !== undefined ? match[2] : match[4]);
        if (href) {
          var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" });
          appendBold(link, label);
          link.appendChild(el("span", { className: "cc-vh", text: " " + S.newTab }));
          parent.appendChild(link);
        } else {
          parent.appendChild(document.createTextNode(match[0]));
        }
      }
      last = INLINE.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function appendBold(parent, text) {
    var parts = String(text).split(/\*\*([^*\n]+)\*\*/);
    parts.forEach(function (part, i) {
      if (!part) return;
      parent.appendChild(i % 2 ? el("strong", { text: part }) : document.createTextNode(part));
    });
  }

  function renderText(container, text) {
    String(text).split(/\n{2,}/).forEach(function (paragraph) {
      var p = el("p");
      paragraph.split("\n").forEach(function (line, i) {
        if (i) p.appendChild(el("br"));
        appendInline(p, line);
      });
      container.appendChild(p);
    });
  }

  function plainText(text) {  // for the transcript and the live region: links as "text (address)", no asterisks
    return String(text)
      .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s()<>]+)\)/g, "$1 ($2)")
      .replace(/\*\*([^*\n]+)\*\*/g, "$1");
  }

  // -- the widget's DOM, in a shadow root so no style crosses in either direction ---------------------------------

  var otherWays, host, root, chatRoot, launcher, panel, logEl, liveEl, statusEl, typingEl, repliesEl, form, input, sendButton, hintEl;
  var PANEL_WIDTH_REM = 24;
  // Where the chat takes the whole screen: up to 768 CSS pixels wide (phones, and a laptop at 200% zoom) or 480 high.
  var SMALL_SCREEN = "(max-width: 48em), (max-height: 30em)";

  function css() {
    var c = COUNCIL;
    return [
      ":host { all: initial; }",
      ":host, .cc-root { font-family: Arial, Helvetica, sans-serif; font-size: 1rem; line-height: 1.4; color: #0b0c0c; }",
      "*, *::before, *::after { box-sizing: border-box; }",
      ".cc-vh { position: absolute !important; width: 1px !important; height: 1px !important; margin: -1px !important;",
      "  padding: 0 !important; overflow: hidden !important; clip: rect(0 0 0 0) !important; white-space: nowrap !important; border: 0 !important; }",
      "button, textarea, a { font: inherit; }",
      "button { cursor: pointer; min-width: 44px; min-height: 44px; border-radius: 4px; }",
      ":focus { outline: none; }",
      ":focus-visible, a:focus { outline: 3px solid #ffdd00; outline-offset: 0; box-shadow: 0 0 0 6px #0b0c0c; }",
      "textarea:focus { outline: 3px solid #ffdd00; outline-offset: 0; box-shadow: inset 0 0 0 2px #0b0c0c, 0 0 0 6px #0b0c0c; }",
      ".cc-launcher { position: fixed; right: 1rem; bottom: 1rem; z-index: 2147483000; display: inline-flex; align-items: center;",
      "  gap: .5rem; max-width: calc(100vw - 2rem); padding: .625rem 1rem; border: 2px solid #fff; border-radius: 1.5rem;",
      "  background: " + c.primary + "; color: #fff; font-weight: bold; box-shadow: 0 2px 6px rgba(0,0,0,.35); text-align: left; }",
      ".cc-launcher:hover { background: " + c.primaryDark + "; }",
      ".cc-launcher svg { flex: none; width: 1.5rem; height: 1.5rem; fill: currentColor; }",
      ".cc-panel { position: fixed; z-index: 2147483001; right: 0; top: 0; bottom: 4.5rem; width: " + PANEL_WIDTH_REM + "rem;",
      "  max-width: 100vw; display: flex; flex-direction: column; background: #fff; border: 2px solid " + c.primaryDark + ";",
      "  border-right: 0; box-shadow: -2px 0 8px rgba(0,0,0,.25); }",
      ".cc-panel[hidden] { display: none; }",
      ".cc-panel > * { flex: none; }",
      ".cc-panel { overflow-y: auto; }",
      ".cc-header { background: " + c.primary + "; color: #fff; padding: .5rem .5rem .5rem .75rem; }",
      ".cc-titlebar { display: flex; align-items: flex-start; gap: .5rem; }",
      ".cc-title { flex: 1; margin: 0; font-size: 1.125rem; line-height: 1.3; padding-top: .5rem; }",
      ".cc-automated { margin: .25rem 0 0; font-size: .9375rem; }",
      ".cc-close { flex: none; background: transparent; color: #fff; border: 2px solid #fff; padding: 0 .5rem; font-weight: bold; }",
      ".cc-close:hover { background: " + c.primaryDark + "; }",
      ".cc-tools { display: flex; flex-wrap: wrap; gap: .375rem; padding: .5rem .75rem; background: " + c.accent + ";",
      "  border-bottom: 1px solid #b1b4b6; }",
      ".cc-tool { background: #fff; color: " + c.primaryDark + "; border: 2px solid " + c.primary + "; padding: .25rem .625rem;",
      "  min-height: 2.5rem; font-size: .9375rem; font-weight: bold; }",
      ".cc-tool:hover { background: " + c.accent + "; text-decoration: underline; }",
      ".cc-tool-human { background: " + c.primary + "; color: #fff; }",
      ".cc-tool-human:hover { background: " + c.primaryDark + "; color: #fff; }",
      ".cc-other { margin: 0 0 .75rem; padding: .375rem .625rem; font-size: .9375rem; background: " + c.accent + "; border-left: 4px solid " + c.primary + "; }",
      ".cc-other a, .cc-msg a { color: " + c.primaryDark + "; text-decoration: underline; }",
      ".cc-other a { display: inline-block; min-height: 24px; padding: .125rem 0; }",
      ".cc-status { margin: 0; padding: .25rem .75rem; background: #fff4d6; border-bottom: 1px solid #b1b4b6; font-size: .875rem; }",
      ".cc-status:empty { display: none; }",
      ".cc-panel > .cc-log { flex: 1 1 auto; min-height: 3rem; overflow-y: auto; overflow-x: hidden; padding: .75rem; background: #fff; }",
      ".cc-msg { max-width: 90%; margin: 0 0 .625rem; padding: .5rem .75rem; border-radius: .75rem; overflow-wrap: anywhere; }",
      ".cc-msg p { margin: 0 0 .5rem; } .cc-msg p:last-child { margin-bottom: 0; }",
      ".cc-msg a { display: inline; }",
      ".cc-bot { background: #f3f2f1; border: 1px solid #b1b4b6; border-bottom-left-radius: 0; }",
      ".cc-user { margin-left: auto; background: " + c.primary + "; color: #fff; border-bottom-right-radius: 0; }",
      ".cc-user a { color: #fff; }",
      // A person's message: a thicker left edge in the council's colour, and their name and team above it in words.
      ".cc-staff { background: #fff; border: 1px solid #b1b4b6; border-left: 4px solid " + c.primary + "; border-bottom-left-radius: 0; }",
      ".cc-who { display: block; margin: 0 0 .25rem; font-weight: 700; font-size: .875rem; }",
      ".cc-note { margin: 0 0 .625rem; font-size: .9375rem; color: #484949; text-align: center; }",
      ".cc-error { background: #fdecea; border: 2px solid #b10e1e; color: #0b0c0c; }",
      ".cc-pending { font-size: .8125rem; display: block; margin-top: .25rem; }",
      ".cc-typing { display: flex; align-items: center; gap: .5rem; padding: 0 .75rem .5rem; font-size: .9375rem; color: #484949; }",
      ".cc-typing[hidden] { display: none; }",
      ".cc-dots span { display: inline-block; width: .5rem; height: .5rem; margin-right: .1875rem; border-radius: 50%;",
      "  background: #505a5f; animation: cc-bounce 1.2s infinite ease-in-out; }",
      ".cc-dots span:nth-child(2) { animation-delay: .2s; } .cc-dots span:nth-child(3) { animation-delay: .4s; }",
      "@keyframes cc-bounce { 0%, 80%, 100% { transform: translateY(0); opacity: .5; } 40% { transform: translateY(-.25rem); opacity: 1; } }",
      ".cc-replies { display: flex; flex-wrap: wrap; gap: .375rem; padding: 0 0 .25rem; }",
      ".cc-replies:empty { display: none; }",
      ".cc-reply { background: #fff; color: " + c.primaryDark + "; border: 2px solid " + c.primary + "; border-radius: 1.25rem;",
      "  padding: .25rem .75rem; text-align: left; font-weight: bold; max-width: 100%; overflow-wrap: anywhere; }",
      ".cc-reply:hover { background: " + c.accent + "; }",
      ".cc-form { display: flex; gap: .5rem; align-items: flex-end; padding: .5rem .75rem .75rem; border-top: 1px solid #b1b4b6; }",
      ".cc-field { flex: 1; min-width: 0; }",
      ".cc-label { display: block; font-weight: bold; margin-bottom: .25rem; }",
      ".cc-hint { display: block; font-size: .8125rem; color: #484949; margin-bottom: .25rem; }",
      "textarea { display: block; width: 100%; min-height: 2.75rem; max-height: 8rem; resize: vertical; padding: .5rem;",
      "  border: 2px solid #0b0c0c; border-radius: 0; background: #fff; color: #0b0c0c; }",
      ".cc-send { flex: none; background: " + c.primary + "; color: #fff; border: 2px solid " + c.primaryDark + "; padding: 0 1rem; font-weight: bold; }",
      ".cc-send:hover { background: " + c.primaryDark + "; }",
      ".cc-close-text, .cc-more { display: none; }",
      ".cc-more-tools { display: contents; }",
      // Phones, and any screen at 200% zoom or more: the open chat takes the whole screen, like an app's screen,
      // so the conversation gets the room. It covers the page, so it is modal there (see fullScreen()).
      "@media " + SMALL_SCREEN + " {",
      "  .cc-panel { left: 0; right: 0; top: 0; bottom: auto; width: auto; max-width: none;",
      // The screen's height without the browser's bars (dvh); the widget narrows it to the part the on-screen
      // keyboard leaves, from visualViewport, where the browser doesn't (fitToKeyboard).
      "    height: 100vh; height: 100dvh; min-height: 0; max-height: none; border: 0; box-shadow: none;",
      "    overscroll-behavior: contain; }",
      "  .cc-open .cc-launcher { display: none; }",
      "  .cc-header { padding: max(.375rem, env(safe-area-inset-top)) max(.5rem, env(safe-area-inset-right)) .375rem max(.75rem, env(safe-area-inset-left)); }",
      "  .cc-titlebar { align-items: center; }",
      "  .cc-title { font-size: 1.0625rem; padding-top: 0; }",
      "  .cc-automated { margin-top: .125rem; font-size: .875rem; line-height: 1.3; }",
      "  .cc-close { display: inline-flex; align-items: center; gap: .375rem; min-height: 2.75rem; padding: 0 .625rem; }",
      "  .cc-close-text { display: inline; }",
      "  .cc-tools { padding: .375rem max(.5rem, env(safe-area-inset-right)) .375rem max(.5rem, env(safe-area-inset-left)); gap: .25rem; }",
      "  .cc-tool { font-size: .875rem; min-height: 2.25rem; padding: .125rem .5rem; }",
      "  .cc-status { padding-left: max(.75rem, env(safe-area-inset-left)); }",
      "  .cc-panel > .cc-log { padding: .5rem max(.75rem, env(safe-area-inset-right)) .5rem max(.75rem, env(safe-area-inset-left)); overscroll-behavior: contain; }",
      "  .cc-hint { display: none; }",
      "  .cc-form { padding: .375rem max(.75rem, env(safe-area-inset-right)) max(.5rem, env(safe-area-inset-bottom)) max(.75rem, env(safe-area-inset-left)); }",
      "  .cc-label { font-size: .9375rem; margin-bottom: .125rem; }",
      // One line that grows as the resident types (where the browser can), instead of two empty lines
      "  textarea { field-sizing: content; min-height: 2.75rem; max-height: 6.5rem; resize: none; }",
      "  .cc-launcher { bottom: calc(.5rem + env(safe-area-inset-bottom)); right: calc(.5rem + env(safe-area-inset-right)); max-width: calc(100vw - 1rem); }",
      "}",
      "@media (max-width: 30em) {",
      "  .cc-more { display: inline-block; }",
      "  .cc-tools:not(.cc-tools-open) .cc-more-tools { display: none; }",
      "}",
      // Short screens (a phone on its side, or 200% zoom on a laptop): less padding, so the log keeps most of it
      "@media (max-height: 30em) {",
      "  .cc-header { padding-top: max(.125rem, env(safe-area-inset-top)); padding-bottom: .25rem; }",
      "  .cc-automated { margin-top: 0; font-size: .8125rem; }",
      "  .cc-close { min-height: 2.25rem; }",
      "  .cc-tools { padding-top: .25rem; padding-bottom: .25rem; } .cc-tool { min-height: 2rem; }",
      "  .cc-launcher { padding: .375rem .75rem; }",
      "  .cc-form { padding-top: .25rem; } .cc-label { margin-bottom: 0; }",
      "  textarea { min-height: 2.5rem; }",
      "}",
      "@media (prefers-reduced-motion: reduce) { *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; } }",
      "@media (forced-colors: active) { .cc-launcher, .cc-panel, .cc-msg, button { border: 2px solid CanvasText; } }"
    ].join("\n");
  }

  var CHAT_ICON = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";

  function build() {
    host = el("div", { id: "council-chat", "data-council": COUNCIL.id });
    root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    root.appendChild(el("style", { text: css() }));

    var wrap = el("div", { className: "cc-root", lang: LANGUAGE });

    launcher = el("button", {
      type: "button", className: "cc-launcher", "aria-expanded": "false", "aria-controls": "cc-panel"
    });
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", CHAT_ICON);
    svg.appendChild(path);
    launcher.appendChild(svg);
    launcher.appendChild(el("span", { text: fill(S.launcher) }));
    launcher.addEventListener("click", function (event) { setOpen(!state.open, true, tapped(event)); });

    var titleId = "cc-title";
    panel = el("div", {
      id: "cc-panel", className: "cc-panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": titleId, "aria-describedby": "cc-automated", hidden: true, tabindex: "-1"
    });

    // A word as well as the cross where the chat fills the screen (CSS shows it there): the only way back to the page
    var close = el("button", { type: "button", className: "cc-close", "aria-label": S.close, title: S.close }, [
      el("span", { "aria-hidden": "true", text: "\u2715" }), el("span", { className: "cc-close-text", text: S.closeShort })
    ]);
    close.addEventListener("click", function () { setOpen(false, true); });
    var header = el("div", { className: "cc-header" }, [
      el("div", { className: "cc-titlebar" }, [el("h2", { id: titleId, className: "cc-title", text: fill(S.title) }), close]),
      el("p", { id: "cc-automated", className: "cc-automated", text: S.automated })
    ]);

    var human = el("button", { type: "button", className: "cc-tool cc-tool-human", text: S.human });
    human.addEventListener("click", function (event) { send("/request_human", S.humanMessage); focusAfterChoice(tapped(event)); });
    var saveButton = el("button", { type: "button", className: "cc-tool", text: S.save });
    saveButton.addEventListener("click", saveTranscript);
    var restartButton = el("button", { type: "button", className: "cc-tool", text: S.restart });
    restartButton.addEventListener("click", restart);
    // On a narrow phone the two tools used least wait behind "More options", so the toolbar is one row; elsewhere that
    // button is hidden and the tools show as they are (CSS).
    var moreButton = el("button", {
      type: "button", className: "cc-tool cc-more", "aria-expanded": "false", "aria-controls": "cc-more-tools", text: S.more
    });
    var tools = el("div", { className: "cc-tools", role: "group", "aria-label": "Chat options" }, [
      human, moreButton, el("div", { id: "cc-more-tools", className: "cc-more-tools" }, [saveButton, restartButton])
    ]);
    moreButton.addEventListener("click", function () {
      var opening = moreButton.getAttribute("aria-expanded") !== "true";
      moreButton.setAttribute("aria-expanded", opening ? "true" : "false");
      tools.className = "cc-tools" + (opening ? " cc-tools-open" : "");
    });

    var other = el("p", { className: "cc-other" }, [fill(S.otherWays) + " "]);
    var contactHref = safeUrl(COUNCIL.contactUrl);
    if (contactHref) {
      var contactLink = el("a", { href: contactHref, target: "_blank", rel: "noopener noreferrer" }, [S.contactPage]);
      contactLink.appendChild(el("span", { className: "cc-vh", text: " " + S.newTab }));
      other.appendChild(contactLink);
      other.appendChild(document.createTextNode("."));
    }

    statusEl = el("p", { className: "cc-status", role: "status" });
    logEl = el("div", {
      className: "cc-log", role: "log", "aria-live": "off", "aria-label": S.logLabel, tabindex: "0"
    });
    // Only the newest message from the assistant goes in here, once: screen readers announce it politely.
    liveEl = el("div", { className: "cc-vh", "aria-live": "polite", "aria-atomic": "true" });
    typingEl = el("div", { className: "cc-typing", hidden: true }, [
      el("span", { className: "cc-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
      el("span", { text: S.typing })
    ]);
    repliesEl = el("div", { className: "cc-replies", role: "group", "aria-label": S.suggestions });

    input = el("textarea", {
      id: "cc-input", name: "message", rows: "2", maxlength: String(MAX_LENGTH), autocomplete: "off",
      "aria-describedby": "cc-hint"
    });
    hintEl = el("span", { id: "cc-hint", className: "cc-hint", text: S.inputHint });
    sendButton = el("button", { type: "submit", className: "cc-send", text: S.send });
    form = el("form", { className: "cc-form", novalidate: true }, [
      el("div", { className: "cc-field" }, [el("label", { "for": "cc-input", className: "cc-label", text: S.inputLabel }), hintEl, input]),
      sendButton
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitInput();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });

    panel.appendChild(header);
    panel.appendChild(tools);
    panel.appendChild(statusEl);
    panel.appendChild(logEl);
    panel.appendChild(typingEl);
    panel.appendChild(form);
    panel.appendChild(liveEl);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" || event.key === "Esc") {
        event.preventDefault();
        setOpen(false, true);
      } else if (event.key === "Tab") {
        keepTabInside(event);
      }
    });
    launcher.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && state.open) setOpen(false, true);
    });

    wrap.appendChild(launcher);
    wrap.appendChild(panel);
    root.appendChild(wrap);
    chatRoot = wrap;
    document.body.appendChild(host);

    otherWays = other;
    logEl.appendChild(otherWays);
    logEl.appendChild(repliesEl);  // the suggested replies follow the newest message, inside the log
    state.log.forEach(function (entry) { renderEntry(entry); });
    var lastEntry = state.log[state.log.length - 1];
    if (lastEntry && lastEntry.from === "bot" && lastEntry.replies) showReplies(lastEntry.replies);
    state.outbox.forEach(function (m) { markPending(m.id, true); });
    scrollLog();
    keepLogEndInSight();
  }

  // When the log gets shorter (the keyboard comes up, a status line appears, the message box grows) a resident who was
  // reading the newest message still sees it; one who had scrolled back up stays where they were.
  // Whether the resident was at the end is judged against the log's height before a resize: a scroll event that the
  // browser delivers after the log has shrunk (before the observer below runs, in the same frame) would otherwise
  // find the end out of sight and take the resident for someone who had scrolled back up.
  function keepLogEndInSight() {
    var atEnd = true;
    var seenHeight = logEl.clientHeight;
    logEl.addEventListener("scroll", function () {
      atEnd = logEl.scrollHeight - logEl.scrollTop - seenHeight < 24;
    });
    if (window.ResizeObserver) new window.ResizeObserver(function () {
      if (atEnd) scrollLog();
      seenHeight = logEl.clientHeight;
    }).observe(logEl);
  }

  // -- keeping the page's focused element visible ---------------------------------------------------------------

  var PAGE_PAD = "data-council-chat-padded";
  var savedPadding = null;

  function layoutPage() {
    var docEl = document.documentElement;
    var body = document.body;
    if (savedPadding === null) {
      savedPadding = { right: body.style.paddingRight, bottom: body.style.paddingBottom, scroll: docEl.style.scrollPaddingBottom };
    }
    var launcherSpace = launcher.getBoundingClientRect().height + 24;
    var bottom = launcherSpace;
    var right = 0;
    if (state.open && !fullScreen()) {  // a full-screen chat covers the page: no room to make beside it
      var rect = panel.getBoundingClientRect();
      if (rect.width >= window.innerWidth - 2) bottom = window.innerHeight - rect.top + 8;  // bottom sheet
      else right = rect.width;  // side dock
    }
    body.style.paddingBottom = Math.ceil(bottom) + "px";
    body.style.paddingRight = right ? Math.ceil(right) + "px" : savedPadding.right;
    docEl.style.scrollPaddingBottom = Math.ceil(bottom) + "px";
    body.setAttribute(PAGE_PAD, state.open ? "open" : "closed");
  }

  function coveredBy(rect, cover) {
    return rect.right > cover.left && rect.left < cover.right && rect.bottom > cover.top && rect.top < cover.bottom;
  }

  var pullingFocusBack = false;

  function keepFocusVisible(event) {
    var target = event.target;
    if (!target || target === host || !target.getBoundingClientRect) return;
    if (state.open && fullScreen()) {
      // Nothing on the page behind a full-screen chat can be seen: focus there goes back to the chat. (The flag keeps
      // a page's own focus trap and this one from passing focus back and forth for ever.)
      if (!pullingFocusBack) {
        pullingFocusBack = true;
        panel.focus({ preventScroll: true });
        pullingFocusBack = false;
      }
      return;
    }
    var rect = target.getBoundingClientRect();
    var covers = [launcher.getBoundingClientRect()];
    if (state.open) covers.push(panel.getBoundingClientRect());
    for (var i = 0; i < covers.length; i++) {
      if (coveredBy(rect, covers[i])) {
        var shift = rect.bottom - covers[i].top + 16;
        if (shift > 0) window.scrollBy(0, shift);
        return;
      }
    }
  }

  // -- the whole screen on phones ---------------------------------------------------------------------------------
  //
  // On a small screen (SMALL_SCREEN: a phone, or a computer at 200% zoom) the open chat covers the page, so there it is
  // a modal dialog: the launcher is hidden (the panel's Close button takes its place and gives focus back to it), Tab
  // goes round inside the panel, and focus can't wander onto the page nobody can see. On a wider screen the panel sits
  // beside the page as before, not modal.

  var smallScreen = window.matchMedia ? window.matchMedia(SMALL_SCREEN) : null;
  // A finger, not a mouse: focusing the message box there brings up the on-screen keyboard over half the conversation.
  var touchScreen = window.matchMedia ? window.matchMedia("(pointer: coarse)") : null;

  function fullScreen() {
    return !!(smallScreen && smallScreen.matches);
  }

  // A click from a finger on a full-screen chat (a click from the keyboard has no detail, a tap or a mouse click does)
  function tapped(event) {
    return !!(event && event.detail > 0) && fullScreen() && !!(touchScreen && touchScreen.matches);
  }

  function applyScreenMode() {
    var modal = fullScreen();
    panel.setAttribute("aria-modal", modal ? "true" : "false");
    if (modal) panel.setAttribute("tabindex", "-1");  // so the dialog itself can take focus (focusOnOpen)
    else panel.removeAttribute("tabindex");
    chatRoot.className = "cc-root" + (state.open ? " cc-open" : "");
    fitToKeyboard();
    layoutPage();
  }

  // The on-screen keyboard: Safari, and Chrome since version 108, shrink only the visual viewport for it, not the
  // layout viewport that 100dvh and position: fixed follow, so a full-screen panel would keep its message box under
  // the keyboard. The panel is fitted to the visual viewport instead. Not while pinch-zoomed (scale above 1): that
  // is the resident looking closer, and the panel stays the size of the screen.
  function fitToKeyboard() {
    var view = window.visualViewport;
    if (state.open && fullScreen() && view && Math.abs(view.scale - 1) < 0.01) {
      panel.style.top = Math.max(0, Math.round(view.offsetTop)) + "px";
      panel.style.height = Math.round(view.height) + "px";
    } else {
      panel.style.top = "";
      panel.style.height = "";
    }
  }

  function activeInChat() {
    return root.activeElement !== undefined ? root.activeElement : document.activeElement;
  }

  function keepTabInside(event) {
    if (!fullScreen()) return;
    var inside = Array.prototype.filter.call(panel.querySelectorAll('button, textarea, a[href], [tabindex="0"]'), function (node) {
      return !node.disabled && node.getClientRects().length > 0;
    });
    if (!inside.length) return;
    var active = activeInChat();
    if (event.shiftKey && (active === inside[0] || active === panel)) {
      event.preventDefault();
      inside[inside.length - 1].focus();
    } else if (!event.shiftKey && active === inside[inside.length - 1]) {
      event.preventDefault();
      inside[0].focus();
    }
  }

  // Tapped open on a phone, the dialog itself takes focus (a screen reader reads its name and the note that it is
  // automated), and after a tap on a suggested reply the log does: the message box would bring up the on-screen
  // keyboard unasked, over the answer. From a keyboard, or on a computer, the message box takes it, ready to type.
  function focusOnOpen(byTap) {
    if (byTap) panel.focus({ preventScroll: true });
    else input.focus();
  }

  function focusAfterChoice(byTap) {
    if (byTap) logEl.focus({ preventScroll: true });
    else input.focus();
  }

  // -- opening and closing ------------------------------------------------------------------------------------

  function setOpen(open, moveFocus, byTap) {
    state.open = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    applyScreenMode();
    save();
    if (open) {
      connect();
      scrollLog();
      if (moveFocus) focusOnOpen(byTap);
      if (!state.log.length && !state.outbox.length) send("/greet", null, true);
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  // -- the conversation's log ---------------------------------------------------------------------------------

  function renderEntry(entry) {
    if (entry.from === "note") {
      logEl.insertBefore(el("p", { className: "cc-note", text: entry.text }), repliesEl);
      return null;
    }
    if (entry.from === "staff") {  // a person, not the assistant: their name and team, visible and read out
      var staffBubble = el("div", { className: "cc-msg cc-staff", "data-from": "staff" });
      staffBubble.appendChild(el("span", { className: "cc-who", text: staffLabel(entry) }));
      renderText(staffBubble, entry.text);
      logEl.insertBefore(staffBubble, repliesEl);
      return staffBubble;
    }
    var bubble = el("div", {
      className: "cc-msg " + (entry.from === "user" ? "cc-user" : entry.from === "error" ? "cc-bot cc-error" : "cc-bot"),
      "data-from": entry.from
    });
    if (entry.id) bubble.setAttribute("data-message-id", entry.id);
    bubble.appendChild(el("span", { className: "cc-vh", text: entry.from === "user" ? S.youSaid + " " : S.assistantSaid + " " }));
    renderText(bubble, entry.text);
    logEl.insertBefore(bubble, repliesEl);
    return bubble;
  }

  function staffLabel(entry) {
    return fill(S.staffLabel, { staff: typeof entry.staff === "string" && entry.staff ? entry.staff : S.staffUnnamed });
  }

  function redrawEntry(entry) {
    var bubble = entry.id ? logEl.querySelector('[data-message-id="' + entry.id + '"]') : null;
    if (!bubble) return;
    var pending = !!bubble.querySelector(".cc-pending");
    bubble.textContent = "";
    bubble.appendChild(el("span", { className: "cc-vh", text: S.youSaid + " " }));
    renderText(bubble, entry.text);
    if (pending) markPending(entry.id, true);
  }

  function scrollLog() {
    logEl.scrollTop = logEl.scrollHeight;
  }

  function addEntry(entry, announce) {
    state.log.push(entry);
    save();
    renderEntry(entry);
    scrollLog();
    if (announce) {
      liveEl.textContent = "";
      liveEl.appendChild(el("p", { text: (entry.from === "staff" ? staffLabel(entry) + ": " : "") + plainText(entry.text) }));
    }
  }

  function markPending(id, pending) {
    var bubble = logEl.querySelector('[data-message-id="' + id + '"]');
    if (!bubble) return;
    var note = bubble.querySelector(".cc-pending");
    if (pending && !note) bubble.appendChild(el("span", { className: "cc-pending", text: "(" + S.waiting + ")" }));
    if (!pending && note) note.parentNode.removeChild(note);
  }

  function showReplies(replies) {
    repliesEl.textContent = "";
    (replies || []).forEach(function (reply) {
      if (!reply || typeof reply.title !== "string" || typeof reply.payload !== "string") return;
      var button = el("button", { type: "button", className: "cc-reply", text: reply.title });
      button.addEventListener("click", function (event) {
        clearReplies();
        send(reply.payload, reply.title);
        focusAfterChoice(tapped(event));
      });
      repliesEl.appendChild(button);
    });
  }

  function clearReplies() {
    repliesEl.textContent = "";
    var last = state.log[state.log.length - 1];
    if (last && last.replies) { delete last.replies; save(); }
  }

  function receive(message) {
    if (!message || typeof message !== "object") return;
    var text = typeof message.text === "string" ? message.text : "";
    var attachment = message.attachment;
    if (attachment && attachment.payload && typeof attachment.payload.src === "string" && safeUrl(attachment.payload.src)) {
      text = (text ? text + "\n" : "") + "[" + (attachment.type === "image" ? "Image" : "Attachment") + "](" + safeUrl(attachment.payload.src) + ")";
    }
    if (!text && message.custom && typeof message.custom.text === "string") text = message.custom.text;
    var buttons = message.quick_replies || message.buttons;
    var replies = Array.isArray(buttons) ? buttons.filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    }).map(function (b) { return { title: b.title, payload: b.payload }; }) : null;
    if (!text && !(replies && replies.length)) return;
    var last = state.log[state.log.length - 1];
    if (last && last.replies) delete last.replies;
    var entry = { from: "bot", text: text || "" };
    // A member of customer services (the web chat channel sends {"from": {"staff": name}}): kept in the log as theirs.
    var staff = message.from && typeof message.from.staff === "string" ? message.from.staff.trim().slice(0, 60) : "";
    if (staff) entry = { from: "staff", staff: staff, text: text || "" };
    if (replies && replies.length) entry.replies = replies;
    addEntry(entry, true);
    showReplies(replies || []);
  }

  // -- sending: an outbox of messages, sent one at a time, each removed when the server acknowledges it ---------

  var socket = null;
  var ready = false;
  var inFlight = null;
  var everConnected = false;

  function submitInput() {
    var text = input.value.replace(/^\s+|\s+$/g, "");
    if (!text) {
      input.focus();
      return;
    }
    if (text.length > MAX_LENGTH) {
      addEntry({ from: "error", text: fill(S.tooLong, { limit: MAX_LENGTH }) }, true);
      return;
    }
    input.value = "";
    clearReplies();
    send(text, keptText(text));
    input.focus();
  }

  // What may be kept of a message the resident typed (shown in the log, stored, saved in a transcript): the text
  // without card numbers. If it completes a card number begun in their previous message, that one loses its part too.
  function keptText(text) {
    var previous = null;
    for (var i = state.log.length - 1; i >= 0 && !previous; i--) if (state.log[i].from === "user") previous = state.log[i];
    var split = previous ? withoutSplitCardNumber(previous.text, text) : null;
    if (!split) return withoutCardNumbers(text);
    previous.text = split[0];
    state.outbox.forEach(function (m) { if (m.id === previous.id) m.kept = split[0]; });
    save();
    redrawEntry(previous);
    return split[1];
  }

  function send(message, shown, hidden) {
    var item = { id: newMessageId(), text: message, hidden: !!hidden };
    if (!hidden) {
      if (message !== "/greet") clearReplies();
      addEntry({ from: "user", text: shown || message, id: item.id });
    }
    state.outbox.push(item);
    save();
    if (!ready) markPending(item.id, true);
    flush();
  }

  function flush() {
    if (!ready || inFlight || !state.outbox.length || !socket || !socket.connected) return;
    var item = state.outbox[0];
    inFlight = item;
    typingEl.hidden = false;
    scrollLog();
    markPending(item.id, false);
    socket.emit("user_uttered", {
      message: item.text,
      session_id: state.sessionId,
      message_id: item.id,
      customData: { council: COUNCIL.id, page_url: window.location.href, language: LANGUAGE }
    }, function (ack) {
      if (inFlight !== item) return;  // the connection dropped meanwhile: the item is resent (the server dedupes)
      inFlight = null;
      var status = ack && ack.status;
      if (status === "error" && ack.code === "session_mismatch" || status === "error" && ack.code === "no_session") {
        // keep it: it is resent once the session is confirmed again
        ready = false;
        requestSession();
        return;
      }
      if (status === "in_progress") {
        // another of the assistant's processes has it (its connection to us dropped): ask again shortly, by when
        // it is answered (duplicate) or, if that process stopped, handled by the one we reach now
        setTimeout(flush, 3000);
        return;
      }
      state.outbox = state.outbox.filter(function (m) { return m.id !== item.id; });
      save();
      typingEl.hidden = !state.outbox.length;
      flush();
    });
  }

  function requestSession() {
    if (socket && socket.connected) socket.emit("session_request", { session_id: state.sessionId });
  }

  function setStatus(text) {
    statusEl.textContent = text || "";
  }

  function loadSocketIo(callback) {
    if (typeof window.io === "function") return callback();
    var src = SETTINGS.socketioSrc;
    if (!src) {
      var base = (SCRIPT && SCRIPT.src) || window.location.href;
      src = new URL("../vendor/socket.io.min.js", base).href;
    }
    var tag = document.createElement("script");
    tag.src = src;
    tag.async = true;
    tag.onload = callback;
    tag.onerror = function () { setStatus(S.offline); };
    document.head.appendChild(tag);
  }

  function connect() {
    if (socket || connect.loading) return;
    connect.loading = true;
    setStatus(S.connecting);
    loadSocketIo(function () {
      socket = window.io(SERVER_URL, {
        path: SETTINGS.socketPath || "/socket.io",
        // Where several Rasa processes serve the chat, nginx sends every request carrying the same `route` to the
        // same process (deploy/nginx), as long-polling needs. Random per page, never the session id: nginx logs it.
        query: { route: ROUTE },
        reconnection: true,
        reconnectionDelay: 500,
        reconnectionDelayMax: 5000
      });
      socket.on("connect", function () {
        requestSession();
      });
      socket.on("session_confirm", function (id) {
        var sessionId = typeof id === "string" ? id : id && id.session_id;
        if (!sessionId) return;
        if (state.sessionId && sessionId !== state.sessionId) {
          // the server did not know the stored session: the log stays on screen, the conversation starts afresh
          addEntry({ from: "note", text: S.restarted });
        }
        state.sessionId = sessionId;
        save();
        ready = true;
        setStatus(everConnected && statusEl.textContent === S.offline ? S.reconnected : "");
        everConnected = true;
        state.outbox.forEach(function (m) { markPending(m.id, false); });
        flush();
      });
      socket.on("bot_uttered", receive);
      socket.on("bot_error", function (error) {
        var code = error && typeof error.code === "string" ? error.code : "unknown";
        if (code === "session_mismatch" || code === "no_session") return;  // the widget asks again and resends
        var text = S.errors[code] || S.errors.unknown;
        if (code === "invalid_session") {
          state.sessionId = null;
          save();
        }
        addEntry({ from: "error", text: text }, true);
      });
      socket.on("disconnect", function () {
        ready = false;
        inFlight = null;
        if (socket.sendBuffer) socket.sendBuffer.length = 0;  // never let socket.io replay an emit: the outbox does
        typingEl.hidden = true;
        setStatus(S.offline);
        state.outbox.forEach(function (m) { markPending(m.id, true); });
      });
      socket.on("connect_error", function () {
        if (!ready) setStatus(S.offline);
      });
    });
  }

  // -- restart and transcript -----------------------------------------------------------------------------------

  function restart() {
    state.sessionId = null;
    state.log = [];
    state.outbox = [];
    inFlight = null;
    ready = false;
    save();
    logEl.textContent = "";
    logEl.appendChild(otherWays);
    logEl.appendChild(repliesEl);
    repliesEl.textContent = "";
    typingEl.hidden = true;
    liveEl.textContent = "";
    addEntry({ from: "note", text: S.restarted }, true);
    if (socket && socket.connected) {
      socket.emit("session_request", { session_id: null });
    } else {
      connect();
    }
    send("/greet", null, true);
    input.focus();
  }

  function transcript() {
    var lines = [fill(S.transcriptHeader), S.transcriptSaved + ": " + new Date().toLocaleString(LANGUAGE), ""];
    state.log.forEach(function (entry) {
      var who = entry.from === "user" ? S.you : entry.from === "note" ? "" : entry.from === "staff" ? staffLabel(entry) : S.assistant;
      lines.push((who ? who + ": " : "") + plainText(entry.text));
      lines.push("");
    });
    return lines.join("\r\n");
  }

  function saveTranscript() {
    var blob = new Blob([transcript()], { type: "text/plain;charset=utf-8" });
    var url = URL.createObjectURL(blob);
    var day = new Date().toISOString().slice(0, 10);
    var link = el("a", { href: url, download: COUNCIL.id.replace("_", "-") + "-council-chat-" + day + ".txt" });
    link.style.display = "none";
    root.appendChild(link);
    link.click();
    root.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // -- back from the payment page --------------------------------------------------------------------------------

  // The assistant gives GOV.UK Pay this page as its return_url, with ?council_chat=payment-returned and the
  // payment's one-off value (council_chat_payment). The widget then sends, hidden, the payload of that payment's
  // "I've paid" button: the assistant honours it only while that payment's step is what it last offered, and only
  // with the right value, so a link made up or kept from another payment never answers "yes" to anything. Without
  // a value nothing is sent. The marker is removed at once, so a reload or a bookmark doesn't say it again.
  var RETURN_VALUE = /^[A-Za-z0-9_-]{8,40}$/;

  function backFromPayment() {
    var marker = "council_chat=payment-returned";
    if (window.location.search.indexOf(marker) < 0) return null;
    var value = "";
    try {
      var url = new URL(window.location.href);
      value = url.searchParams.get("council_chat_payment") || "";
      url.searchParams.delete("council_chat");
      url.searchParams.delete("council_chat_payment");
      window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    } catch (e) { /* an old browser keeps the marker in the address bar, and sends nothing */ }
    return { value: RETURN_VALUE.test(value) ? value : null };
  }

  // -- start ----------------------------------------------------------------------------------------------------

  function start() {
    build();
    applyScreenMode();
    document.addEventListener("focusin", keepFocusVisible);
    window.addEventListener("resize", applyScreenMode);
    if (window.visualViewport) {
      window.visualViewport.addEventListener("resize", fitToKeyboard);
      window.visualViewport.addEventListener("scroll", fitToKeyboard);
    }
    var returned = backFromPayment();
    if (state.open || SETTINGS.open || returned) setOpen(true, false);
    else if (state.outbox.length) connect();  // messages typed before a reload still go
    // GOV.UK Pay sent the resident back here: tell the bot, which then checks the payment with Pay itself.
    if (returned && returned.value && state.sessionId) {
      send('/inform{"change":"paid-' + returned.value + '"}', null, true);
    }
    window.CouncilChat.api = {
      open: function () { setOpen(true, true); },
      close: function () { setOpen(false, true); },
      transcript: transcript,
      sessionId: function () { return state.sessionId; },
      connection: function () { return socket; },  // the socket.io socket, e.g. for tests that drop it
      // How a message's text is shown (a detached element): for tests and for checking a council's own texts.
      render: function (text) { var div = el("div"); renderText(div, text); return div; }
    };
  }

  if (!window.CouncilChat) window.CouncilChat = SETTINGS;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
