import { describe, expect, it, vi } from "vitest";
import { byType, reporter, server, settle, useReporter, WIDGET, widget } from "./fakes.js";

useReporter();

async function flushed() {
  await settle();
  reporter.flush();
  await settle();
}

const stored = () => Object.keys(localStorage).filter((k) => k.startsWith("ihf.queue."));

describe("consent", () => {
  it("says in every request that the person consented, once they did, and only then", async () => {
    widget().click();
    await flushed();
    expect("consent" in server.requests[0].body).toBe(false);
    reporter.consent(true);
    widget().click();
    await flushed();
    expect(server.requests[1].body.consent).toBe(true);
    widget().click();
    window.dispatchEvent(new Event("pagehide"));
    expect(JSON.parse(await server.beacons[0].text()).consent).toBe(true);
  });

  it("sends annotations with the consent, and takes none before it when consent is required", async () => {
    reporter.configure({ consent: "required" });
    widget().dispatchEvent(new MouseEvent("click", { bubbles: true, composed: true, altKey: true }));
    expect(document.getElementById("ihf-annotate")).toBeNull();
    reporter.consent(true);
    const form = reporter.annotate(widget());
    form.elements.body.value = "Where is the total?";
    form.requestSubmit();
    await settle();
    const [annotation] = server.requests.filter((r) => r.url.endsWith("/annotations"));
    expect([annotation.body.body, annotation.body.consent]).toEqual(["Where is the total?", true]);
  });

  it("stops sending and forgets what waits when consent is withdrawn", async () => {
    reporter.configure({ consent: "required" });
    reporter.consent(true);
    reporter.consent(false);
    widget().click();
    await flushed();
    window.dispatchEvent(new Event("pagehide"));
    expect(server.requests).toHaveLength(0);
    expect(server.beacons).toHaveLength(0);
    expect(stored()).toEqual([]);
  });

  it("keeps consent given when the page configures the reporter again", async () => {
    reporter.configure({ consent: "required" });
    reporter.consent(true);
    reporter.configure({ consent: "required", flushMs: 60000 }); // a framework's effect running again
    widget().click();
    await flushed();
    expect(byType(server, WIDGET, "clicked")).toHaveLength(1);
  });

  it("waits for consent when the hub requires it, keeps the events in memory only, and says why", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    server.answer = () =>
      new Response(JSON.stringify({ detail: "consent: this hub reports nothing without the person's consent",
        code: "consent_required", errors: [{ field: "consent", code: "consent_required", message: "…" }] }),
      { status: 403 });
    const pay = widget();
    pay.click();
    pay.click();
    await flushed();
    expect(server.requests).toHaveLength(1);
    expect(warn.mock.calls.flat().join(" ")).toMatch(/reports nothing without the person's consent.*consent\(true\)/);
    expect(reporter.pending()).toBe(2); // not dropped: they wait for consent
    expect(stored()).toEqual([]); // in memory only
    pay.click();
    await flushed();
    window.dispatchEvent(new Event("pagehide"));
    expect(server.requests).toHaveLength(1); // nothing more sent before consent
    expect(server.beacons).toHaveLength(0);
    server.answer = null;
    reporter.consent(true);
    await flushed();
    expect(byType(server, WIDGET, "clicked")).toHaveLength(3);
    expect(server.requests.at(-1).body.consent).toBe(true);
    expect(reporter.pending()).toBe(0);
  });
});
