// The reporter's listeners: clicks, keys, long presses, submits, errors, page hide, route changes.

import { uuid } from "./text.js";
import { widgetOfEvent } from "./watch.js";

/** Set the reporter's handlers (r.onClick, …), each wrapped by `safe` so that none throws into the page. */
export function bindHandlers(r, safe) {
  r.brokenSeen = new WeakSet();
  r.press = null;
  r.suppressClick = null;
  r.onClick = safe((event) => {
    const element = widgetOfEvent(event);
    if (!element) return;
    if (r.suppressClick && r.suppressClick.element === element && Date.now() < r.suppressClick.until) {
      r.suppressClick = null;
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (event.altKey) {
      // Annotating is not using: the host's own handlers must not run (Alt+click on "Pay now" must not pay).
      event.preventDefault();
      event.stopImmediatePropagation();
      r.annotate(element);
      return;
    }
    r.lastUsed = element;
    const origin = event.composedPath ? event.composedPath()[0] : event.target;
    r.record(element, "clicked", { tag: ((origin && origin.tagName) || "").toLowerCase() });
  });
  r.onKey = safe((event) => {
    if (!(event.altKey && event.shiftKey && event.code === "KeyA")) return;
    const element = widgetOfEvent(event);
    if (!element) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    r.annotate(element);
  });
  r.onPointerDown = safe((event) => {
    if (event.pointerType !== "touch") return;
    const element = widgetOfEvent(event);
    if (!element) return;
    const press = { element, x: event.clientX, y: event.clientY };
    press.timer = setTimeout(() => {
      r.press = null;
      r.suppressClick = { element, until: Date.now() + 2000 };
      r.annotate(element);
    }, r.config.longPressMs);
    r.press = press;
  });
  r.onPointerMove = safe((event) => {
    const p = r.press;
    if (p && Math.hypot(event.clientX - p.x, event.clientY - p.y) > 10) r.cancelPress();
  });
  r.cancelPress = safe(() => {
    if (r.press) clearTimeout(r.press.timer);
    r.press = null;
  });
  // A listener on a shadow root and one on the document may both hear an event: it counts once.
  const heard = new WeakSet();
  const first = (event) => !heard.has(event) && heard.add(event);
  r.onSubmit = safe((event) => {
    if (!first(event)) return;
    const form = event.composedPath ? event.composedPath()[0] : event.target;
    if (form && form.hasAttribute && form.hasAttribute("data-ihf-ui")) return;
    const element = widgetOfEvent(event);
    if (!element) return;
    r.lastUsed = element;
    r.record(element, "submitted", {});
  });
  r.onResourceError = safe((event) => {
    if (!first(event)) return;
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (!target || target.nodeType !== 1 || r.brokenSeen.has(target)) return;
    const element = widgetOfEvent(event);
    if (!element) return;
    r.brokenSeen.add(target);
    r.record(element, "error", { kind: "resource", tag: (target.tagName || "").toLowerCase() });
  });
  r.onScriptError = safe((event) => {
      r.reportError(event.error || event.message || "Script error", { kind: "script" });
  });
  r.onRejection = safe((event) => {
    r.reportError(event.reason, { kind: "rejection" });
  });
  r.onHide = safe(() => r.beacon());
  r.onVisibility = safe(() => {
    if (document.visibilityState === "hidden") r.beacon();
  });
  r.onOnline = safe(() => {
    r.backoff = 0;
    r.retryAt = 0;
    r.flush();
  });
  r.onRoute = safe(() => {
    const href = location.href.split("#")[0];
    if (href === r.href || !r.config.routes) return;
    r.href = href;
    r.pageView = uuid();
    r.debug(`route changed to ${location.pathname}: a new page view.`);
    r.watcher.newPageView();
  });
}

export function patchHistory(changed) {
  for (const name of ["pushState", "replaceState"]) {
    const original = history[name];
    if (original.ihfPatched) continue;
    const patched = function (...args) {
      const result = original.apply(this, args);
      changed();
      return result;
    };
    patched.ihfPatched = true;
    history[name] = patched;
  }
}

// A custom element defined after the reporter ran attaches its shadow root with no mutation the page's
// observers could see: hear of every open shadow root as it is attached.
export function patchAttachShadow(found) {
  const proto = Element.prototype;
  const original = proto.attachShadow;
  if (!original || original.ihfPatched) return;
  const patched = function (init) {
    const root = original.call(this, init);
    if (init && init.mode === "open") queueMicrotask(() => found(root));
    return root;
  };
  patched.ihfPatched = true;
  proto.attachShadow = patched;
}
