import { describe, expect, it } from "vitest";
import { BEACON_QUOTA, bytes, payload, split } from "../src/batches.js";
import { ADOPT_AFTER_MS, Store } from "../src/store.js";
import { text, uuid, widgetIdOf } from "../src/text.js";

function event(i, extra = "") {
  return {
    id: uuid(),
    widget_id: "3f6c2a9e-5b1d-4c1e-9a55-1f0e3b2c7d90",
    event_type: "clicked",
    occurred_at: new Date().toISOString(),
    view_context_ref: `/checkout/${i}${extra}`,
    metadata: { tag: "button" },
  };
}

describe("text", () => {
  it("cuts between characters and replaces what PostgreSQL refuses", () => {
    expect(text("x".repeat(299) + "\u{1f600} and more", 300)).toBe("x".repeat(299) + "\u{1f600}");
    expect(text("a\u0000b\ud83d", 10)).toBe("a\ufffdb\ufffd");
  });

  it("makes time-ordered version 7 ids", () => {
    const [a, b] = [uuid(), uuid()];
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });

  it("takes no widget id a framework writes for a missing value", () => {
    for (const bad of ["undefined", "null", "", "[object Object]"]) {
      const el = document.createElement("div");
      el.setAttribute("data-ihf-widget", bad);
      expect(widgetIdOf(el)).toBeNull();
    }
  });
});

describe("split (defect 2: a beacon over 64 KiB is refused)", () => {
  it("keeps every body under the byte limit, in order, each event once", () => {
    const events = Array.from({ length: 500 }, (_, i) => event(i));
    const bodies = split("ihf_ingest_x", events, 1000, 60000);
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(bytes(payload("ihf_ingest_x", body))).toBeLessThanOrEqual(60000);
    expect(bodies.flat().map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it("counts bytes, not characters", () => {
    const events = Array.from({ length: 300 }, (_, i) => event(i, "é😀".repeat(40)));
    for (const body of split("k", events, 1000, BEACON_QUOTA - 1024)) {
      expect(new TextEncoder().encode(payload("k", body)).length).toBeLessThan(BEACON_QUOTA);
    }
  });

  it("caps the count too", () => {
    expect(split("k", Array.from({ length: 450 }, (_, i) => event(i)), 200, 1e9).map((b) => b.length)).toEqual([
      200, 200, 50,
    ]);
  });
});

describe("Store (defect 2: unsent events survive a reload with the same ids)", () => {
  it("gives a reloaded tab its own events back", () => {
    localStorage.clear();
    const events = [event(1), event(2)];
    new Store("tab-a", "https://ihf/api/v1").save(events);
    expect(new Store("tab-a", "https://ihf/api/v1").load().map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it("adopts a closed tab's events, not a live tab's, nor another endpoint's", () => {
    localStorage.clear();
    const now = Date.now();
    const old = [event(1)];
    const live = [event(2)];
    new Store("closed", "https://ihf/api/v1").save(old, now - ADOPT_AFTER_MS - 1);
    new Store("live", "https://ihf/api/v1").save(live, now);
    new Store("other", "https://elsewhere/api/v1").save([event(3)], now - ADOPT_AFTER_MS - 1);
    const adopted = new Store("new", "https://ihf/api/v1").load(now);
    expect(adopted.map((e) => e.id)).toEqual(old.map((e) => e.id));
    expect(localStorage.getItem("ihf.queue.closed")).toBeNull(); // adopted once
    expect(localStorage.getItem("ihf.queue.live")).not.toBeNull();
  });
});
