/*
 * IHF reporter: reports what people do with IHF widgets on any page. No dependencies, no build step.
 *
 *   <script src="https://ihf.example.com/static/ihf/reporter.js"
 *           data-ihf-endpoint="https://ihf.example.com/api/v1"
 *           data-ihf-key="ihf_ingest_…" defer></script>
 *
 * Widgets are elements carrying the envelope attributes (contract 1.0): data-ihf-widget (the widget's id),
 * data-ihf-hub and data-ihf-view-context. The reporter sees clicks, views, form submits and errors inside
 * them, batches the events and sends them every few seconds and when the page is hidden. A batch that fails
 * (network error, 429, 5xx) is sent again later with the same event ids, so each event is stored once; one the
 * server refuses (any other 4xx) is dropped, since sending it again would get the same answer. While the
 * events cannot be sent, at most data-ihf-max-queue (1000) wait: past that the oldest are dropped, and
 * counted (__ihfReporter.dropped()). Alt+click on a widget opens a small form to annotate it. Nothing here
 * ever throws into the host page.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__ihfReporter) { return; }

  var config = {
    endpoint: (script.getAttribute("data-ihf-endpoint") || "").replace(/\/$/, ""),
    key: script.getAttribute("data-ihf-key") || "",
    flushMs: parseInt(script.getAttribute("data-ihf-flush-ms") || "5000", 10),
    maxBatch: 200,
    maxQueue: Math.max(1, parseInt(script.getAttribute("data-ihf-max-queue") || "1000", 10) || 1000)
  };
  var queue = [];        // events not yet sent
  var inFlight = null;   // the batch being sent, resent as-is until the server acknowledges it
  var dropped = 0;       // events dropped because the queue was full
  var seen = typeof WeakSet === "function" ? new WeakSet() : null;
  var viewed = typeof WeakSet === "function" ? new WeakSet() : null;
  var backoff = 0;
  var lastWidget = null, lastWidgetAt = 0;

  function safe(fn) {
    return function () {
      try { return fn.apply(this, arguments); } catch (e) { /* never break the host page */ }
    };
  }

  function uuid() {
    // A time-ordered id (version 7): the timestamp first keeps the server's index compact.
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    var ms = Date.now();
    for (var i = 5; i >= 0; i--) { bytes[i] = ms % 256; ms = Math.floor(ms / 256); }
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // Text as IHF stores it: at most `max` characters, cut between characters (never inside a surrogate
  // pair, as String.slice can), with NUL and lone surrogates, which the server refuses, replaced by U+FFFD.
  function text(value, max) {
    var s = String(value == null ? "" : value), out = "", count = 0, i, c, next;
    for (i = 0; i < s.length && count < max; i++, count++) {
      c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        next = s.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) { out += s.charAt(i) + s.charAt(i + 1); i++; continue; }
      }
      out += c === 0 || (c >= 0xd800 && c <= 0xdfff) ? "\ufffd" : s.charAt(i);
    }
    return out;
  }

  function widgetOf(node) {
    while (node && node.nodeType !== 1) { node = node.parentNode; }
    return node && node.closest ? node.closest("[data-ihf-widget]") : null;
  }

  function record(element, type, metadata) {
    if (!element) { return; }
    queue.push({
      id: uuid(),
      widget_id: element.getAttribute("data-ihf-widget"),
      event_type: type,
      occurred_at: new Date().toISOString(),
      view_context_ref: text(element.getAttribute("data-ihf-view-context") || location.pathname, 500),
      metadata: metadata || {}
    });
    trim();
    if (queue.length >= config.maxBatch) { flush(); }
  }

  // Offline for long, a page would queue without end: keep the newest events, drop the oldest.
  function trim() {
    var over = queue.length + (inFlight ? inFlight.length : 0) - config.maxQueue;
    if (over > 0) { queue.splice(0, over); dropped += over; }
  }

  function payload(events) {
    return JSON.stringify({key: config.key, events: events});
  }

  // text/plain keeps the request "simple": no preflight, and sendBeacon accepts it.
  function send(events) {
    return fetch(config.endpoint + "/interaction-events", {
      method: "POST", body: payload(events), keepalive: true, credentials: "omit",
      headers: {"Content-Type": "text/plain;charset=UTF-8"}
    });
  }

  var flush = safe(function () {
    if (inFlight || !config.endpoint || !config.key) { return; }
    if (!queue.length) { return; }
    inFlight = queue.splice(0, config.maxBatch);
    send(inFlight).then(function (response) {
      // 2xx: stored (or already stored). 4xx other than 429: the server will never take these; drop them.
      if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
        inFlight = null; backoff = 0;
        if (queue.length) { setTimeout(flush, 0); }
      } else { retryLater(); }
    }, retryLater);
  });

  function retryLater() {
    // Keep the same batch (same ids) and try again: the server stores each id once.
    backoff = Math.min(backoff ? backoff * 2 : 1000, 60000);
    var batch = inFlight;
    inFlight = null;
    if (batch) { queue = batch.concat(queue); trim(); }
    setTimeout(flush, backoff);
  }

  var onHide = safe(function () {
    var events = (inFlight || []).concat(queue);
    if (!events.length || !navigator.sendBeacon) { return; }
    var blob = new Blob([payload(events.slice(0, 1000))], {type: "text/plain;charset=UTF-8"});
    if (navigator.sendBeacon(config.endpoint + "/interaction-events", blob)) {
      // Handed to the browser; if the page comes back, resending them would be harmless (same ids).
      queue = []; inFlight = null;
    }
  });

  var observer = typeof IntersectionObserver === "function" ? new IntersectionObserver(safe(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting && !(viewed && viewed.has(entry.target))) {
        if (viewed) { viewed.add(entry.target); }
        record(entry.target, "viewed", {ratio: Math.round(entry.intersectionRatio * 100) / 100});
        observer.unobserve(entry.target);
      }
    });
  }), {threshold: 0.5}) : null;

  var watch = safe(function (root) {
    var found = [];
    if (root.nodeType === 1 && root.hasAttribute("data-ihf-widget")) { found.push(root); }
    if (root.querySelectorAll) { found = found.concat([].slice.call(root.querySelectorAll("[data-ihf-widget]"))); }
    found.forEach(function (element) {
      if (seen && seen.has(element)) { return; }
      if (seen) { seen.add(element); }
      if (observer) { observer.observe(element); }
    });
  });

  // "Annotate this widget": Alt+click opens a small form next to the widget.
  var annotate = safe(function (element) {
    var old = document.getElementById("ihf-annotate");
    if (old) { old.parentNode.removeChild(old); }
    var form = document.createElement("form");
    form.id = "ihf-annotate";
    form.setAttribute("role", "dialog");
    form.setAttribute("aria-label", "Annotate this widget");
    form.style.cssText = "position:fixed;z-index:2147483647;right:16px;bottom:16px;width:300px;padding:12px;" +
      "background:#fff;color:#1d2430;border:1px solid #c7ced9;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.15);" +
      "font:14px system-ui,sans-serif";
    form.innerHTML =
      '<strong style="display:block;margin-bottom:6px">Annotate this widget</strong>' +
      '<textarea name="body" rows="3" required style="width:100%;box-sizing:border-box" placeholder="What did you notice?"></textarea>' +
      '<select name="category" aria-label="Category"><option value="friction">Friction</option><option value="bug">Bug</option>' +
      '<option value="confusion">Confusion</option><option value="accessibility">Accessibility</option>' +
      '<option value="suggestion">Suggestion</option><option value="praise">Praise</option></select> ' +
      '<select name="severity" aria-label="Severity"><option value="low">Low</option><option value="medium" selected>Medium</option>' +
      '<option value="high">High</option><option value="critical">Critical</option></select>' +
      '<div style="margin-top:8px"><button type="submit">Send</button> <button type="button" data-ihf-close>Cancel</button> ' +
      '<span data-ihf-status role="status"></span></div>';
    var id = uuid();
    form.addEventListener("submit", safe(function (event) {
      event.preventDefault();
      var status = form.querySelector("[data-ihf-status]");
      var version = element.getAttribute("data-ihf-version");
      var body = {key: config.key, id: id, widget_id: element.getAttribute("data-ihf-widget"),
        body: text(form.elements.body.value, 5000), category: form.elements.category.value,
        severity: form.elements.severity.value, widget_state_ref: version ? text(version, 500) : null};
      status.textContent = "Sending…";
      fetch(config.endpoint + "/annotations", {method: "POST", body: JSON.stringify(body), credentials: "omit",
        headers: {"Content-Type": "text/plain;charset=UTF-8"}})
        .then(function (response) {
          status.textContent = response.ok ? "Thank you!" : "Could not send it (" + response.status + ").";
          if (response.ok) { setTimeout(function () { if (form.parentNode) { form.parentNode.removeChild(form); } }, 800); }
        }, function () { status.textContent = "Offline? Try again in a moment."; });
    }));
    form.querySelector("[data-ihf-close]").addEventListener("click", function () { form.parentNode.removeChild(form); });
    document.body.appendChild(form);
    form.elements.body.focus();
  });

  document.addEventListener("click", safe(function (event) {
    var element = widgetOf(event.target);
    if (!element) { return; }
    if (event.altKey) { event.preventDefault(); annotate(element); return; }
    lastWidget = element; lastWidgetAt = Date.now();
    record(element, "clicked", {tag: (event.target.tagName || "").toLowerCase()});
  }), true);

  document.addEventListener("submit", safe(function (event) {
    if (event.target && event.target.id === "ihf-annotate") { return; }
    record(widgetOf(event.target), "submitted", {});
  }), true);

  // Resource errors (an image that did not load) happen on the element itself.
  document.addEventListener("error", safe(function (event) {
    var element = widgetOf(event.target);
    if (element) { record(element, "error", {kind: "resource", tag: (event.target.tagName || "").toLowerCase()}); }
  }), true);

  // Script errors have no element: they are put on the widget the person used in the last two seconds.
  window.addEventListener("error", safe(function (event) {
    if (event.target !== window || !lastWidget || Date.now() - lastWidgetAt > 2000) { return; }
    record(lastWidget, "error", {kind: "script", message: text(event.message || "", 300)});
  }));

  if (typeof MutationObserver === "function") {
    new MutationObserver(safe(function (mutations) {
      mutations.forEach(function (mutation) {
        [].forEach.call(mutation.addedNodes, function (node) { if (node.nodeType === 1) { watch(node); } });
      });
    })).observe(document.documentElement, {childList: true, subtree: true});
  }

  window.addEventListener("pagehide", onHide);
  document.addEventListener("visibilitychange", safe(function () {
    if (document.visibilityState === "hidden") { onHide(); }
  }));
  window.addEventListener("online", safe(function () { backoff = 0; flush(); }));
  setInterval(flush, config.flushMs);

  var start = safe(function () { watch(document.documentElement); });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }

  window.__ihfReporter = {
    flush: flush,
    pending: function () { return queue.length + (inFlight ? inFlight.length : 0); },
    dropped: function () { return dropped; }
  };
})();
