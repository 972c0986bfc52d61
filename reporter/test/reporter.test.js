import { describe, expect, it, vi } from "vitest";
import { init } from "../src/index.js";
import {
  byType, ENDPOINT, KEY, OTHER, reporter, server, settle, show, useReporter, WIDGET, widget,
} from "./fakes.js";

useReporter();

async function flushed() {
  await settle();
  reporter.flush();
  await settle();
}

describe("defect 1: Alt+click annotates and does nothing else", () => {
  it("keeps the host's click handlers from running", async () => {
    const pay = widget();
    const paid = vi.fn();
    pay.addEventListener("click", paid);
    document.addEventListener("click", paid, true);
    pay.dispatchEvent(new MouseEvent("click", { bubbles: true, composed: true, altKey: true }));
    expect(paid).not.toHaveBeenCalled();
    expect(document.getElementById("ihf-annotate")).not.toBeNull();
    await flushed();
    expect(byType(server, WIDGET, "clicked")).toHaveLength(0);
  });

  it("opens the form from the keyboard (Alt+Shift+A) on the focused widget", () => {
    const pay = widget();
    pay.focus();
    pay.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, composed: true, altKey: true, shiftKey: true, code: "KeyA" }));
    expect(document.getElementById("ihf-annotate")).not.toBeNull();
  });
});

describe("defect 2: big queues at close", () => {
  it("splits beacons under the quota, leaves the batch in flight out, keeps the rest for the next load", async () => {
    const pay = widget();
    let release;
    server.answer = () => new Promise((resolve) => (release = resolve)); // the first batch hangs in flight
    for (let i = 0; i < 500; i++) pay.click();
    await settle();
    expect(server.requests).toHaveLength(1); // 200 in flight
    const inFlight = new Set(server.requests[0].body.events.map((e) => e.id));
    window.dispatchEvent(new Event("pagehide"));
    const beaconed = [];
    for (const blob of server.beacons) {
      expect(blob.size).toBeLessThan(65536);
      beaconed.push(...JSON.parse(await blob.text()).events.map((e) => e.id));
    }
    expect(beaconed.length).toBeGreaterThan(0);
    expect(beaconed.filter((id) => inFlight.has(id))).toEqual([]); // not sent twice
    // Everything not yet acknowledged, in flight and beaconed included, is in storage with its id.
    const stored = JSON.parse(localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith("ihf.queue."))));
    expect(stored.events.map((e) => e.id)).toHaveLength(500);
    release(new Response("{}", { status: 503 }));
  });

  it("sends what a previous page left, with the same ids", async () => {
    const pay = widget();
    server.answer = () => Promise.reject(new TypeError("Failed to fetch"));
    for (let i = 0; i < 5; i++) pay.click();
    await flushed();
    reporter.destroy(); // the page goes away; a reload starts a new reporter in the same tab
    const ids = JSON.parse(localStorage.getItem(`ihf.queue.${sessionStorage.getItem("ihf.tab")}`)).events.map((e) => e.id);
    expect(ids).toHaveLength(5);
    server.answer = null;
    const again = init({ endpoint: ENDPOINT, key: KEY, flushMs: 60000 });
    await settle();
    again.flush();
    await settle();
    expect(byType(server, WIDGET, "clicked").map((e) => e.id).sort()).toEqual([...ids].sort());
  });
});

describe("defect 3: what a view is", () => {
  it("views a widget whose id changes in place, once per id", async () => {
    const el = widget();
    await show(el);
    el.setAttribute("data-ihf-widget", OTHER);
    await settle();
    await show(el, 0);
    await show(el, 1);
    await flushed();
    expect(byType(server, WIDGET, "viewed")).toHaveLength(1);
    expect(byType(server, OTHER, "viewed")).toHaveLength(1);
  });

  it("does not view a remounted widget again in the same page view", async () => {
    const first = widget();
    await show(first);
    first.remove();
    const second = widget();
    await show(second);
    await flushed();
    expect(byType(server, WIDGET, "viewed")).toHaveLength(1);
  });

  it("views an element taller than twice the viewport when it fills half of it", async () => {
    const tall = widget(WIDGET, "section");
    await show(tall, 0.3, 900); // a third of it shows, filling 900 of the 1000 px viewport
    await flushed();
    expect(byType(server, WIDGET, "viewed")).toHaveLength(1);
  });

  it("watches an envelope added to an element already there", async () => {
    const el = document.createElement("div");
    document.body.appendChild(el);
    await settle();
    el.setAttribute("data-ihf-widget", WIDGET);
    await settle();
    await show(el);
    await flushed();
    expect(byType(server, WIDGET, "viewed")).toHaveLength(1);
  });

  it("views widgets that persist across a route change again", async () => {
    const el = widget();
    await show(el);
    history.pushState({}, "", "/next-route");
    await settle();
    await flushed();
    const views = byType(server, WIDGET, "viewed");
    expect(views).toHaveLength(2);
    expect(views[0].metadata.page_view).not.toBe(views[1].metadata.page_view);
    expect(views[1].view_context_ref).toBe("/next-route");
  });
});

describe("defect 5: shadow DOM", () => {
  it("hears submits and resource errors inside a shadow root, with the envelope inside or on the host", async () => {
    const host = document.createElement("checkout-form");
    document.body.appendChild(host);
    const root = host.attachShadow({ mode: "open" });
    root.innerHTML = `<form data-ihf-widget="${WIDGET}" data-ihf-hub="checkout"><button type="button">Pay</button></form><img src="x.png">`;
    host.setAttribute("data-ihf-widget", OTHER);
    await settle();
    root.querySelector("form").dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    root.querySelector("img").dispatchEvent(new Event("error"));
    root.querySelector("button").dispatchEvent(new MouseEvent("click", { bubbles: true, composed: true }));
    await flushed();
    expect(byType(server, WIDGET, "submitted")).toHaveLength(1);
    expect(byType(server, WIDGET, "clicked")).toHaveLength(1);
    expect(byType(server, OTHER, "error")).toHaveLength(1); // the image is outside the form: the host's
  });
});

describe("defect 6: errors", () => {
  it("reports unhandled rejections and late script errors on the widget used last", async () => {
    const pay = widget();
    pay.click();
    const later = Date.now() + 60000;
    vi.spyOn(Date, "now").mockReturnValue(later);
    window.dispatchEvent(new ErrorEvent("error", { message: "boom", error: new Error("boom") }));
    const rejection = new Event("unhandledrejection");
    rejection.reason = new Error("nope");
    window.dispatchEvent(rejection);
    vi.restoreAllMocks();
    await flushed();
    expect(byType(server, WIDGET, "error").map((e) => e.metadata)).toEqual([
      { kind: "script", message: "boom" },
      { kind: "rejection", message: "nope" },
    ]);
  });
});

describe("defect 7: debug mode explains what fails", () => {
  it("names refused events, their hub, and an origin the hub does not allow", async () => {
    reporter.configure({ debug: true });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.spyOn(console, "info").mockImplementation(() => {});
    widget().click();
    server.answer = (body) =>
      new Response(JSON.stringify({ accepted: 0, duplicates: 0, rejected: [{ index: 0, errors: ["widget_id: unknown widget"] }] }), { status: 200 });
    await flushed();
    expect(reporter.rejected()).toBe(1);
    expect(warn.mock.calls.flat().join(" ")).toMatch(/refused a clicked event of widget .*data-ihf-hub="checkout".*unknown widget/);
    widget().click();
    server.answer = () => new Response(JSON.stringify({ detail: "Origin not allowed", code: "origin_not_allowed" }), { status: 403 });
    await flushed();
    expect(warn.mock.calls.flat().join(" ")).toMatch(/allowed origins/);
    expect(reporter.pending()).toBe(0); // dropped, not retried forever
  });
});

describe("defect 7: an answer the page may not read", () => {
  async function failOnce(readableRetry) {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    widget().click();
    server.answer = (body, init) => {
      if (init.mode === "no-cors") return Promise.resolve(new Response(null, { status: 200 }));
      if (readableRetry && body.events.length === 0) return Promise.resolve(new Response("{}", { status: 200 }));
      return Promise.reject(new TypeError("Failed to fetch"));
    };
    window.dispatchEvent(new Event("online")); // no back-off from the try before
    await flushed();
    return warn.mock.calls.flat().join(" ");
  }

  it("is told from a passing failure: only the unreadable answer slows the reporter down and is explained", async () => {
    expect(await failOnce(true)).toBe("");
    expect(await failOnce(false)).toMatch(/does not allow this page's origin .*next try is in 5 minutes/);
    expect(reporter.pending()).toBe(2); // kept
  });
});

describe("identity, consent, sampling", () => {
  it("sends the actor the host sets", async () => {
    reporter.setActor("0195f3c2-6a1b-7c3d-8e4f-5a6b7c8d9e0f", "customer");
    widget().click();
    await flushed();
    const [event] = byType(server, WIDGET, "clicked");
    expect([event.actor_id, event.actor_type]).toEqual(["0195f3c2-6a1b-7c3d-8e4f-5a6b7c8d9e0f", "customer"]);
  });

  it("sends and stores nothing before consent, everything after it", async () => {
    reporter.configure({ consent: "required" });
    widget().click();
    await flushed();
    window.dispatchEvent(new Event("pagehide"));
    expect(server.requests).toHaveLength(0);
    expect(server.beacons).toHaveLength(0);
    expect(Object.keys(localStorage).filter((k) => k.startsWith("ihf.queue."))).toEqual([]);
    reporter.consent(true);
    await flushed();
    expect(byType(server, WIDGET, "clicked")).toHaveLength(1);
  });

  it("takes a sample rate that is no number as 1 (a typo must not stop reporting)", async () => {
    reporter.configure({ sampleRate: "half" });
    widget().click();
    await flushed();
    expect(byType(server, WIDGET, "clicked")).toHaveLength(1);
  });

  it("records nothing once opted out, nor in an unsampled session", async () => {
    reporter.optOut();
    widget().click();
    reporter.optIn();
    reporter.configure({ sampleRate: 0 });
    widget().click();
    await flushed();
    expect(server.requests).toHaveLength(0);
  });
});
