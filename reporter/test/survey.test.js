// The post-change survey and the news of one's reports, against a fake IHF (the browser tests in
// tests/browser/test_reporter_survey.py use the real one).
import { describe, expect, it, vi } from "vitest";
import { reporter, settle, useReporter, WIDGET, widget } from "./fakes.js";

useReporter({ surveyDelayMs: 0 });

const DEPLOYMENT = "0195f3c2-6a1b-7c3d-8e4f-5a6b7c8d9e0f";
const SURVEYS = {
  sampling_rate: 0.5,
  quiet_period_days: 1,
  positive_aspects: ["fast"],
  negative_aspects: ["slow"],
  dimensions: { usefulness: "Useful" },
  surveys: [{ deployment_id: DEPLOYMENT, version_ref: "v2", widget_id: WIDGET, widget_name: "Pay now" }],
};

function fakeIhf(news = []) {
  const calls = [];
  vi.stubGlobal("fetch", vi.fn(async (url, init = {}) => {
    calls.push({ url, body: init.body ? JSON.parse(init.body) : null, headers: init.headers });
    if (url.endsWith("/surveys")) return new Response(JSON.stringify(SURVEYS), { status: 200 });
    if (url.endsWith("/reports/news")) return new Response(JSON.stringify({ items: news }), { status: 200 });
    return new Response(JSON.stringify({ id: "x", duplicate: false, accepted: 0, rejected: [] }), { status: 201 });
  }));
  return calls;
}

const to = (calls, path) => calls.filter((c) => c.url.endsWith(path));

describe("the post-change survey", () => {
  it("asks a sampled user once per deployment, without taking the focus", async () => {
    const calls = fakeIhf();
    vi.spyOn(Math, "random").mockReturnValue(0.3); // in the sample (0.3 < 0.5)
    const pay = widget();
    pay.focus();
    pay.click();
    await settle();
    const box = document.getElementById("ihf-survey");
    expect(box).not.toBeNull();
    expect(document.activeElement).toBe(pay);
    expect(to(calls, "/surveys")[0].headers.Authorization).toBe("Bearer ihf_ingest_test");
    expect(to(calls, "/surveys/prompts")[0].body).toMatchObject({ deployment_id: DEPLOYMENT, widget_id: WIDGET });
    box.querySelector('input[name="overall_satisfaction"][value="5"]').click();
    box.querySelector('input[name="positive_aspects"][value="fast"]').click();
    box.querySelector("form").dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(to(calls, "/surveys/answers")[0].body).toMatchObject({
      deployment_id: DEPLOYMENT, widget_id: WIDGET, overall_satisfaction: 5, positive_aspects: ["fast"],
      negative_aspects: [], key: "ihf_ingest_test",
    });
    await new Promise((resolve) => setTimeout(resolve, 1300)); // "Thank you!", then it closes
    expect(document.getElementById("ihf-survey")).toBeNull();
    pay.click();
    await settle();
    expect(to(calls, "/surveys/prompts")).toHaveLength(1);
  });

  it("leaves out a user who is not in the sample", async () => {
    const calls = fakeIhf();
    vi.spyOn(Math, "random").mockReturnValue(0.7);
    widget().click();
    await settle();
    expect(document.getElementById("ihf-survey")).toBeNull();
    expect(to(calls, "/surveys/prompts")).toHaveLength(0);
  });

  it("closes on Escape, says it was dismissed, and asks nothing more within the quiet period", async () => {
    const calls = fakeIhf();
    vi.spyOn(Math, "random").mockReturnValue(0.1);
    const pay = widget();
    pay.click();
    await settle();
    const radio = document.querySelector("#ihf-survey input");
    radio.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    await settle();
    expect(document.getElementById("ihf-survey")).toBeNull();
    expect(to(calls, "/surveys/prompts").map((c) => Boolean(c.body.dismissed))).toEqual([false, true]);
    const state = JSON.parse(localStorage.getItem("ihf.survey"));
    state.seen = {}; // another deployment would be new: still, one a day at most
    localStorage.setItem("ihf.survey", JSON.stringify(state));
    pay.click();
    await settle();
    expect(document.getElementById("ihf-survey")).toBeNull();
  });
});

describe("news of one's reports", () => {
  it("shows in the widget's annotate form once, and can be turned off", async () => {
    localStorage.setItem("ihf.reports", JSON.stringify(["a1"]));
    const item = { annotation_id: "a1", widget_id: WIDGET, deployment: "shop 4.2", verdict: "improved", evaluation_score: 4 };
    const calls = fakeIhf([item]);
    reporter.destroy();
    const { init } = await import("../src/index.js");
    const again = init({ endpoint: "https://ihf.test/api/v1", key: "ihf_ingest_test", flushMs: 60000 });
    await settle();
    expect(to(calls, "/reports/news")[0].body.annotation_ids).toEqual(["a1"]);
    const pay = widget();
    again.annotate(pay);
    const news = document.querySelector("#ihf-annotate [data-ihf-news]");
    expect(news.textContent).toContain("Your report led to a change.");
    expect(news.textContent).toContain("shop 4.2");
    news.querySelector("button").click();
    expect(localStorage.getItem("ihf.news.optout.ihf_ingest_test")).toBe("true");
    again.annotate(pay);
    expect(document.querySelector("#ihf-annotate [data-ihf-news]")).toBeNull();
    again.destroy();
  });
});
