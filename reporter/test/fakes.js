// A fake IHF for the unit tests (the browser tests in tests/browser/ use the real one), and the browser
// features happy-dom lacks: IntersectionObserver and sendBeacon with Chrome's 64 KiB keep-alive quota.
import { afterEach, beforeEach, vi } from "vitest";
import { init } from "../src/index.js";

export const ENDPOINT = "https://ihf.test/api/v1";
export const KEY = "ihf_ingest_test";
export const WIDGET = "3f6c2a9e-5b1d-4c1e-9a55-1f0e3b2c7d90";
export const OTHER = "0b9d6f2e-3c1a-4e55-9a5e-6f7c1d2b8e41";

/** Elements' visible share (ratio) and visible height in px, as tests set them. */
export const screen = new Map();

class FakeIntersectionObserver {
  static all = new Set();

  constructor(callback) {
    this.callback = callback;
    this.targets = new Set();
    FakeIntersectionObserver.all.add(this);
  }

  observe(el) {
    this.targets.add(el);
    queueMicrotask(() => this.targets.has(el) && this.report(el));
  }

  unobserve(el) {
    this.targets.delete(el);
  }

  disconnect() {
    this.targets.clear();
    FakeIntersectionObserver.all.delete(this);
  }

  report(el) {
    const { ratio = 0, height = 0 } = screen.get(el) || {};
    this.callback([
      { target: el, isIntersecting: ratio > 0, intersectionRatio: ratio, intersectionRect: { height },
        rootBounds: { height: 1000 } },
    ]);
  }
}

/** Put `el` on screen (or off it) and tell the observers, as a scroll would. */
export async function show(el, ratio = 1, height = 100) {
  screen.set(el, { ratio, height });
  for (const observer of FakeIntersectionObserver.all) if (observer.targets.has(el)) observer.report(el);
  await settle();
}

export async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** The fake server: stores events by id (once each), answers as IHF does. */
export function fakeServer() {
  const server = { stored: new Map(), requests: [], beacons: [], answer: null, inFlightBytes: 0 };
  server.fetch = vi.fn(async (url, init) => {
    const body = JSON.parse(init.body);
    server.requests.push({ url, body });
    if (server.answer) return server.answer(body, init);
    let accepted = 0;
    for (const e of body.events || [body]) {
      if (!server.stored.has(e.id)) accepted++;
      server.stored.set(e.id, e);
    }
    return new Response(JSON.stringify({ accepted, duplicates: 0, rejected: [] }), { status: 200 });
  });
  server.sendBeacon = vi.fn((url, blob) => {
    // Chrome's quota: at most 64 KiB of keep-alive bodies in flight for the page.
    if (server.inFlightBytes + blob.size > 65536) return false;
    server.inFlightBytes += blob.size;
    server.beacons.push(blob);
    return true;
  });
  return server;
}

export function byType(server, widget, type) {
  return [...server.stored.values()].filter((e) => e.widget_id === widget && e.event_type === type);
}

export function widget(id = WIDGET, tag = "button", attrs = {}) {
  const el = document.createElement(tag);
  el.setAttribute("data-ihf-widget", id);
  el.setAttribute("data-ihf-hub", "checkout");
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.textContent = "Pay now";
  document.body.appendChild(el);
  return el;
}

export let server;
export let reporter;

export function useReporter(options = {}) {
  beforeEach(async () => {
    localStorage.clear();
    sessionStorage.clear();
    screen.clear();
    document.body.innerHTML = "";
    server = fakeServer();
    vi.stubGlobal("fetch", server.fetch);
    vi.stubGlobal("IntersectionObserver", FakeIntersectionObserver);
    Object.defineProperty(navigator, "sendBeacon", { value: server.sendBeacon, configurable: true });
    reporter = init({ endpoint: ENDPOINT, key: KEY, flushMs: 60000, ...options });
    await settle();
  });
  afterEach(() => {
    reporter.destroy();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });
}
