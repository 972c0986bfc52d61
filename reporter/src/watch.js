// Finding widgets, in the document and in open shadow roots, as they come and go, and seeing them viewed.
//
// A view (docs/adapters.md, "What a view is"): a widget id is viewed once per page view, the first time an
// element carrying it has at least half of its area on screen, or covers at least half of the viewport (an
// element taller than twice the viewport can show no more than half of itself). An id that changes in place
// is a new widget to view; a widget remounted with the same id in the same page view is not viewed again;
// a route change starts a new page view, so widgets that persist across it are viewed again.

import { widgetIdOf } from "./text.js";

const THRESHOLDS = Array.from({ length: 21 }, (_, i) => i / 20);
const ATTRIBUTE = "data-ihf-widget";

export function isViewed(entry, viewportHeight) {
  if (!entry.isIntersecting) return false;
  if (entry.intersectionRatio >= 0.5) return true;
  const height = entry.rootBounds ? entry.rootBounds.height : viewportHeight;
  return height > 0 && entry.intersectionRect.height >= height / 2;
}

/** The innermost element with a widget id on an event's path, across shadow roots. */
export function widgetOfEvent(event) {
  const path = event.composedPath ? event.composedPath() : [];
  for (const node of path) {
    if (node.nodeType === 1 && node.hasAttribute(ATTRIBUTE)) return node;
  }
  return path.length ? null : widgetOf(event.target);
}

/** The innermost element with a widget id around `node`, leaving shadow roots through their hosts. */
export function widgetOf(node) {
  while (node) {
    if (node.nodeType === 1 && node.hasAttribute(ATTRIBUTE)) return node;
    node = node.parentNode || node.host || null;
  }
  return null;
}

export class Watcher {
  /** hooks: viewed(element, entry), shadowRoot(root) for each open shadow root found, found(element). */
  constructor(hooks) {
    this.hooks = hooks;
    this.elements = new Set();
    this.roots = new WeakSet();
    this.viewedIds = new Set();
    this.observers = [];
    this.intersections =
      typeof IntersectionObserver === "function"
        ? new IntersectionObserver((entries) => this.intersected(entries), { threshold: THRESHOLDS })
        : null;
    this.mutations = typeof MutationObserver === "function" ? (records) => this.mutated(records) : null;
  }

  start() {
    this.observeRoot(document.documentElement);
    this.scan(document.documentElement);
  }

  stop() {
    if (this.intersections) this.intersections.disconnect();
    this.observers.forEach((o) => o.disconnect());
    this.observers = [];
    this.elements.clear();
  }

  observeRoot(root) {
    if (!this.mutations) return;
    const observer = new MutationObserver(this.mutations);
    observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: [ATTRIBUTE] });
    this.observers.push(observer);
  }

  /** Watch an open shadow root: its mutations, and what's in it. */
  addShadowRoot(root) {
    if (!root || this.roots.has(root)) return;
    this.roots.add(root);
    this.observeRoot(root);
    this.hooks.shadowRoot(root);
    this.scan(root);
  }

  scan(root) {
    if (root.nodeType === 1) {
      if (root.hasAttribute(ATTRIBUTE)) this.track(root);
      if (root.shadowRoot) this.addShadowRoot(root.shadowRoot);
    }
    if (!root.querySelectorAll) return;
    for (const element of root.querySelectorAll("*")) {
      if (element.hasAttribute(ATTRIBUTE)) this.track(element);
      if (element.shadowRoot) this.addShadowRoot(element.shadowRoot);
    }
  }

  forget(root) {
    if (root.nodeType !== 1) return;
    this.untrack(root);
    for (const element of root.querySelectorAll(`[${ATTRIBUTE}]`)) this.untrack(element);
  }

  track(element) {
    if (this.elements.has(element)) return;
    this.elements.add(element);
    this.hooks.found(element);
    if (this.intersections) this.intersections.observe(element);
  }

  untrack(element) {
    if (!this.elements.delete(element)) return;
    if (this.intersections) this.intersections.unobserve(element);
  }

  /** Look again at an element now (observe() reports its current intersection at once). */
  recheck(element) {
    if (!this.intersections) return;
    this.intersections.unobserve(element);
    this.intersections.observe(element);
  }

  mutated(records) {
    for (const record of records) {
      if (record.type === "attributes") {
        const element = record.target;
        if (element.hasAttribute(ATTRIBUTE)) {
          if (this.elements.has(element)) this.recheck(element);
          else if (element.isConnected) this.track(element);
        } else {
          this.untrack(element);
        }
        continue;
      }
      for (const node of record.removedNodes) {
        if (!node.isConnected) this.forget(node);
      }
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && node.isConnected) this.scan(node);
      }
    }
  }

  intersected(entries) {
    for (const entry of entries) {
      const element = entry.target;
      const id = widgetIdOf(element);
      if (!id || this.viewedIds.has(id) || !isViewed(entry, window.innerHeight)) continue;
      this.viewedIds.add(id);
      this.hooks.viewed(element, entry);
    }
  }

  /** A new page view: every widget may be viewed again. */
  newPageView() {
    this.viewedIds = new Set();
    for (const element of this.elements) {
      if (element.isConnected) this.recheck(element);
      else this.untrack(element);
    }
  }
}
