// The reporter: one per page (window.__ihfReporter), configured at run time, reporting what people do
// with IHF widgets. Nothing here ever throws into the host page: every entry point is wrapped by safe().

import { openAnnotation } from "./annotate.js";
import { BEACON_QUOTA, payload, split } from "./batches.js";
import { consentRefused, explainRefusal, explainRejected, probe } from "./explain.js";
import { makeApi } from "./api.js";
import { getFlag, OPT_OUT, sessionDraw, Store, tabId } from "./store.js";
import { isUuid, text, uuid, widgetIdOf } from "./text.js";
import { bindHandlers, patchAttachShadow, patchHistory } from "./handlers.js";
import { Watcher, widgetOf } from "./watch.js";

export const DEFAULTS = {
  endpoint: "",
  key: "",
  hub: "", // the slug of the key's hub: widgets of other hubs are left out (and explained in debug mode)
  debug: false,
  flushMs: 5000,
  maxBatch: 200,
  maxQueue: 1000,
  // Under the 64 KiB keep-alive quota, leaving room for an annotation sent at the same time.
  maxBytes: 60000,
  sampleRate: 1,
  consent: "granted", // "required": nothing is sent, or kept in storage, before consent(true)
  actorId: null,
  actorType: "user",
  persist: true,
  routes: true,
  longPressMs: 600,
};
const BEACON_GRACE_MS = 10000;

function safe(fn) {
  return function (...args) {
    try {
      return fn.apply(this, args);
    } catch (error) {
      if (current && current.config.debug) console.warn("[ihf] internal error (the page is unaffected):", error);
      return undefined;
    }
  };
}

let current = null;

export function getReporter() {
  return current;
}

export function createReporter(options) {
  if (current) {
    current.configure(options);
    return current;
  }
  current = new Reporter(options);
  window.__ihfReporter = current.api;
  return current;
}

class Reporter {
  constructor(options) {
    this.config = { ...DEFAULTS };
    this.queue = []; // every event not yet acknowledged, oldest first
    this.inFlight = new Set(); // ids of events in a request not yet answered
    this.beaconed = new Map(); // id -> when it went in a beacon
    this.counts = { dropped: 0, rejected: 0, unattributed: 0, failures: 0 };
    this.backoff = 0;
    this.retryAt = 0;
    this.lastUsed = null;
    this.pageView = uuid();
    this.warned = new Set();
    this.granted = true; // events may be sent and stored
    this.consented = false; // the page said the person consented: requests say so (a hub may require it)
    this.draw = sessionDraw();
    this.optedOut = getFlag(OPT_OUT) === "1";
    this.saveTimer = null;
    this.timer = null;
    this.tab = tabId(uuid);
    this.store = null;
    this.watcher = new Watcher({
      viewed: (element, entry) =>
        this.record(element, "viewed", {
          ratio: Math.round(entry.intersectionRatio * 100) / 100,
          page_view: this.pageView,
        }),
      found: (element) => this.checkEnvelope(element),
      shadowRoot: (root) => {
        root.addEventListener("submit", this.onSubmit, true);
        root.addEventListener("error", this.onResourceError, true);
        this.findBrokenImages(root);
      },
    });
    bindHandlers(this, safe);
    this.configure(options);
    if (/[?&]ihf-debug=1\b/.test(location.search)) this.config.debug = true;
    this.api = makeApi(this, safe);
    this.start();
  }

  debug(message, ...rest) {
    if (this.config.debug) console.info(`[ihf] ${message}`, ...rest);
  }

  warnOnce(topic, message, ...rest) {
    if (!this.config.debug || this.warned.has(topic)) return;
    this.warned.add(topic);
    console.warn(`[ihf] ${message}`, ...rest);
  }

  configure(options = {}) {
    const c = this.config;
    for (const name of Object.keys(DEFAULTS)) {
      if (options[name] !== undefined && options[name] !== null && options[name] !== "") c[name] = options[name];
    }
    if ("actorId" in options) c.actorId = options.actorId || null;
    c.endpoint = String(c.endpoint).replace(/\/$/, "");
    c.flushMs = Math.max(100, Number(c.flushMs) || DEFAULTS.flushMs);
    c.maxQueue = Math.max(1, Number(c.maxQueue) || DEFAULTS.maxQueue);
    c.maxBatch = Math.min(1000, Math.max(1, Number(c.maxBatch) || DEFAULTS.maxBatch));
    c.maxBytes = Math.min(BEACON_QUOTA - 1024, Math.max(2048, Number(c.maxBytes) || DEFAULTS.maxBytes));
    const rate = Number(c.sampleRate);
    c.sampleRate = Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 1; // a typo must not stop reporting
    c.debug = c.debug === true || c.debug === "true" || c.debug === "" || c.debug === "1";
    // Consent already given stays given when the page configures again (a React effect running again).
    if (options.consent !== undefined) this.granted = options.consent !== "required" || this.consented;
    if (!c.endpoint) this.warnOnce("endpoint", "no endpoint: nothing is sent until configure({endpoint}).");
    if (!c.key) this.warnOnce("key", "no key: nothing is sent until configure({key}) with an ingest key.");
    if (c.endpoint && !this.store && c.persist) this.openStore();
    if (this.timer) this.schedule();
    this.flush();
    return this;
  }

  openStore() {
    this.store = new Store(this.tab, this.config.endpoint);
    const known = new Set(this.queue.map((e) => e.id));
    const stored = this.store.load().filter((e) => e && isUuid(e.id) && !known.has(e.id) && known.add(e.id));
    if (stored.length) {
      this.debug(`${stored.length} event(s) from before this page loaded are sent again (same ids).`);
      this.queue = stored.concat(this.queue);
      this.trim();
    }
  }

  /** Whether events may be recorded at all, and why not. */
  blocked() {
    if (this.optedOut) return "this browser opted out";
    if (!(this.draw < this.config.sampleRate)) return `this session is not in the sample (sampleRate ${this.config.sampleRate})`;
    return null;
  }

  checkEnvelope(element) {
    const id = element.getAttribute("data-ihf-widget");
    if (!widgetIdOf(element)) {
      this.warnOnce(`id:${id}`, `an element has data-ihf-widget="${id}", not a widget id (a UUID): ignored.`, element);
      return;
    }
    const hub = element.getAttribute("data-ihf-hub");
    if (!hub) this.warnOnce(`hub:${id}`, `widget ${id} has no data-ihf-hub (envelope 1.0 requires it).`, element);
    else if (this.config.hub && hub !== this.config.hub) {
      this.warnOnce(`hub:${id}`, `widget ${id} is of hub "${hub}", the key's is "${this.config.hub}": not reported.`);
    }
  }

  record(element, type, metadata) {
    const reason = this.blocked();
    if (reason) return this.warnOnce("blocked", `not reporting: ${reason}.`);
    const id = widgetIdOf(element);
    if (!id) return undefined;
    const hub = element.getAttribute("data-ihf-hub");
    if (this.config.hub && hub && hub !== this.config.hub) return undefined;
    const event = {
      id: uuid(),
      widget_id: id,
      event_type: type,
      occurred_at: new Date().toISOString(),
      view_context_ref: text(element.getAttribute("data-ihf-view-context") || location.pathname, 500),
      metadata: metadata || {},
    };
    if (this.config.actorId) {
      event.actor_id = this.config.actorId;
      event.actor_type = text(this.config.actorType || "user", 50);
    }
    this.queue.push(event);
    this.trim();
    this.save();
    if (this.queue.length - this.inFlight.size >= this.config.maxBatch) this.flush();
    return event;
  }

  // Offline for long, a page would queue without end: keep the newest events, drop the oldest not in flight.
  trim() {
    let over = this.queue.length - this.config.maxQueue;
    if (over <= 0) return;
    const kept = [];
    for (const event of this.queue) {
      if (over > 0 && !this.inFlight.has(event.id)) {
        over--;
        this.counts.dropped++;
        this.beaconed.delete(event.id);
      } else kept.push(event);
    }
    this.queue = kept;
    this.warnOnce("dropped", `the queue is full (${this.config.maxQueue}): the oldest events are dropped.`);
  }

  /** Keep the queue in localStorage (soon, or now), once consent allows keeping anything. */
  save(now) {
    if (!this.store || !this.granted) return;
    if (now) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
      this.store.save(this.queue);
    } else if (!this.saveTimer) {
      this.saveTimer = setTimeout(() => {
        this.saveTimer = null;
        if (this.granted) this.store.save(this.queue); // consent may have been refused or withdrawn since
      }, 250);
    }
  }

  /** Events that may go in a request now: not in flight, not in a recent beacon. */
  sendable(now = Date.now()) {
    return this.queue.filter((e) => {
      if (this.inFlight.has(e.id)) return false;
      const at = this.beaconed.get(e.id);
      return !(at && now - at < BEACON_GRACE_MS);
    });
  }

  ready() {
    const c = this.config;
    if (!c.endpoint || !c.key) return false;
    if (!this.granted) {
      this.warnOnce("consent", "waiting for consent(true): nothing is sent or stored before it.");
      return false;
    }
    return !this.blocked();
  }

  flush() {
    if (!this.ready() || this.inFlight.size || Date.now() < this.retryAt) return;
    const [events] = split(this.config.key, this.sendable(), this.config.maxBatch, this.config.maxBytes);
    if (!events) return;
    for (const e of events) this.inFlight.add(e.id);
    const url = `${this.config.endpoint}/interaction-events`;
    fetch(url, {
      method: "POST",
      body: payload(this.config.key, events, this.consented),
      keepalive: true,
      credentials: "omit",
      // text/plain keeps the request "simple": no preflight, and sendBeacon accepts it.
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
    })
      .then((response) => this.answered(events, response))
      .catch((error) => this.failed(events, null, error));
  }

  async answered(events, response) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    const status = response.status;
    if (status === 403 && body && body.code === "consent_required") return consentRefused(this, events);
    if (response.ok || (status >= 400 && status < 500 && status !== 429)) {
      const rejected = (body && Array.isArray(body.rejected) && body.rejected) || [];
      if (!response.ok && !rejected.length) {
        // Refused whole (a bad key, an origin the hub does not allow, …): the same batch would be again.
        this.counts.rejected += events.length;
        explainRefusal(this, status, body);
      }
      for (const item of rejected) explainRejected(this, events[item.index], item);
      this.counts.rejected += rejected.length;
      this.done(events);
      if (response.ok) {
        this.debug(`sent ${events.length} event(s): ${body ? body.accepted : "?"} stored, ` +
          `${body ? body.duplicates : "?"} already stored, ${rejected.length} refused.`);
      }
      this.backoff = 0;
      this.counts.failures = 0;
      if (this.sendable().length) setTimeout(() => this.flush(), 0);
    } else {
      this.failed(events, status, body);
    }
  }

  findElement(id) {
    for (const element of this.watcher.elements) if (widgetIdOf(element) === id) return element;
    return null;
  }

  done(events) {
    const ids = new Set(events.map((e) => e.id));
    for (const id of ids) {
      this.inFlight.delete(id);
      this.beaconed.delete(id);
    }
    this.queue = this.queue.filter((e) => !ids.has(e.id));
    this.save();
  }

  // A network error, a 429 or a 5xx: the same events (same ids) go again later; the server stores each once.
  failed(events, status, detail) {
    for (const e of events) this.inFlight.delete(e.id);
    this.counts.failures++;
    this.backoff = Math.min(this.backoff ? this.backoff * 2 : 1000, 60000);
    this.retryAt = Date.now() + this.backoff;
    setTimeout(() => this.flush(), this.backoff);
    if (status) {
      this.debug(`IHF answered ${status}: ${events.length} event(s) are sent again in ${this.backoff / 1000} s.`);
    } else if (navigator.onLine === false) {
      this.debug(`offline: ${this.queue.length} event(s) wait.`);
    } else if (this.counts.failures === 1) {
      probe(this, detail);
    }
  }

  /** The page is hidden or closed: send what waits in beacons that each fit the quota. */
  beacon() {
    this.save(true);
    if (!this.ready() || !navigator.sendBeacon) return;
    const now = Date.now();
    const url = `${this.config.endpoint}/interaction-events`;
    let sent = 0;
    for (const events of split(this.config.key, this.sendable(now), 1000, this.config.maxBytes)) {
      const blob = new Blob([payload(this.config.key, events, this.consented)], { type: "text/plain;charset=UTF-8" });
      // Past the page's keep-alive quota the browser refuses: what is left stays in storage for later.
      if (!navigator.sendBeacon(url, blob)) break;
      for (const e of events) this.beaconed.set(e.id, now);
      sent += events.length;
    }
    this.debug(`page hidden: ${sent} event(s) in beacons, ${this.queue.length - sent} kept for later.`);
  }

  attribute(element) {
    if (element && element.isConnected) return element;
    if (this.lastUsed && this.lastUsed.isConnected) return this.lastUsed;
    return null;
  }

  /** A script error or rejection: on the widget it came from, else the one the person used last. */
  reportError(error, { element = null, kind = "script" } = {}) {
    const target = this.attribute(element ? widgetOf(element) : null);
    const message = error && error.message !== undefined ? error.message : error;
    if (!target) {
      this.counts.unattributed++;
      this.debug(`an error no widget can own (none used yet): ${message}`);
      return;
    }
    this.record(target, "error", { kind, message: text(message == null ? "" : message, 300) });
  }

  findBrokenImages(root) {
    // With `defer` (or a bundle), an image can fail before the reporter listens: look for it.
    for (const image of root.querySelectorAll ? root.querySelectorAll("[data-ihf-widget] img, img[data-ihf-widget]") : []) {
      if (image.complete && image.naturalWidth === 0 && image.getAttribute("src") && !this.brokenSeen.has(image)) {
        this.brokenSeen.add(image);
        this.record(widgetOf(image), "error", { kind: "resource", tag: "img" });
      }
    }
  }

  start() {
    this.href = location.href.split("#")[0];
    window.addEventListener("click", this.onClick, true);
    window.addEventListener("keydown", this.onKey, true);
    window.addEventListener("pointerdown", this.onPointerDown, true);
    window.addEventListener("pointermove", this.onPointerMove, true);
    window.addEventListener("pointerup", this.cancelPress, true);
    window.addEventListener("pointercancel", this.cancelPress, true);
    document.addEventListener("submit", this.onSubmit, true);
    document.addEventListener("error", this.onResourceError, true);
    window.addEventListener("error", this.onScriptError);
    window.addEventListener("unhandledrejection", this.onRejection);
    window.addEventListener("pagehide", this.onHide);
    document.addEventListener("visibilitychange", this.onVisibility);
    window.addEventListener("online", this.onOnline);
    window.addEventListener("popstate", this.onRoute);
    // Patched once per page; they reach whichever reporter runs (none after destroy()).
    patchHistory(() => current && current.onRoute());
    patchAttachShadow((root) => current && current.watcher.addShadowRoot(root));
    this.schedule();
    const begin = safe(() => {
      this.watcher.start();
      this.findBrokenImages(document);
      this.flush();
    });
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
    else begin();
  }

  schedule() {
    clearInterval(this.timer);
    this.timer = setInterval(safe(() => this.flush()), this.config.flushMs);
  }

  annotate(element) {
    const widget = widgetOf(element);
    const id = widgetIdOf(widget);
    if (!id) return null;
    if (!this.granted) {
      this.warnOnce("consent-annotate", "waiting for consent(true): no annotation is taken before it.");
      return null;
    }
    const annotationId = uuid();
    return openAnnotation(widget, (fields) => {
      const version = widget.getAttribute("data-ihf-version");
      const body = {
        key: this.config.key, id: annotationId, widget_id: id, body: text(fields.body, 5000),
        // No category ("Let IHF decide") leaves it out: IHF's categoriser picks one, or `general`.
        category: fields.category || undefined, severity: fields.severity, widget_state_ref: version ? text(version, 500) : null,
      };
      if (this.config.actorId) Object.assign(body, { actor_id: this.config.actorId, actor_type: this.config.actorType });
      if (this.consented) body.consent = true;
      return fetch(`${this.config.endpoint}/annotations`, {
        method: "POST", body: JSON.stringify(body), credentials: "omit",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
      });
    });
  }

  destroy() {
    window.removeEventListener("click", this.onClick, true);
    window.removeEventListener("keydown", this.onKey, true);
    window.removeEventListener("pointerdown", this.onPointerDown, true);
    window.removeEventListener("pointermove", this.onPointerMove, true);
    window.removeEventListener("pointerup", this.cancelPress, true);
    window.removeEventListener("pointercancel", this.cancelPress, true);
    document.removeEventListener("submit", this.onSubmit, true);
    document.removeEventListener("error", this.onResourceError, true);
    window.removeEventListener("error", this.onScriptError);
    window.removeEventListener("unhandledrejection", this.onRejection);
    window.removeEventListener("pagehide", this.onHide);
    document.removeEventListener("visibilitychange", this.onVisibility);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("popstate", this.onRoute);
    clearInterval(this.timer);
    this.save(true);
    this.watcher.stop();
    if (current === this) current = null;
    delete window.__ihfReporter;
  }

  consent(granted) {
    this.granted = this.consented = Boolean(granted);
    if (granted) {
      this.debug("consent given: sending.");
      this.retryAt = 0;
      this.save();
      this.flush();
    } else {
      this.debug("consent withdrawn: nothing is sent or stored until consent(true); what waited is forgotten.");
      this.forgetQueue();
    }
  }

  forgetQueue() {
    this.queue = [];
    this.inFlight.clear();
    this.beaconed.clear();
    if (this.store) this.store.clear();
  }
}
