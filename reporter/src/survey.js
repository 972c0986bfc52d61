// Post-change micro-surveys, and news of what came of this browser's reports.
//
// After a deployment of a widget has succeeded (and its hub turned its survey on), a sampled user of that
// widget is asked one small question a moment after using it. Each person is asked at most once per
// deployment and, after any survey, not again for the hub's quiet period (a day at least). The question is
// never modal: it takes no focus, a polite live region announces it, Alt+Shift+S moves to it, Escape or
// "Not now" closes it. Without localStorage nobody is asked (the limits could not hold).
//
// The annotations this browser sent are remembered (ids only); when one led to a change that was judged,
// the widget's annotate form says so, once. A person may opt out of that news per hub.

import { uuid, widgetIdOf } from "./text.js";
import { widgetOfEvent } from "./watch.js";

const STATE = "ihf.survey";
const REPORTS = "ihf.reports";
const NEWS = "ihf.news";
const MAX_REPORTS = 50;
const DAY_MS = 86400000;
const CONFIG_TTL_MS = 600000;
const BOX_STYLE =
  "position:fixed;z-index:2147483646;left:16px;bottom:16px;width:320px;max-width:calc(100vw - 32px);" +
  "max-height:calc(100vh - 32px);overflow:auto;padding:12px;background:#fff;color:#1d2430;" +
  "border:1px solid #c7ced9;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.15);" +
  "font:14px system-ui,sans-serif;box-sizing:border-box";
const HIDDEN = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap";

function local() {
  try {
    const s = globalThis.localStorage;
    s.setItem("ihf.probe", "1");
    s.removeItem("ihf.probe");
    return s;
  } catch {
    return null;
  }
}

function read(name, fallback) {
  const s = local();
  try {
    return (s && JSON.parse(s.getItem(name))) || fallback;
  } catch {
    return fallback;
  }
}

function write(name, value) {
  const s = local();
  try {
    if (s) s.setItem(name, JSON.stringify(value));
  } catch {
    // quota exceeded: forgotten, at worst someone is asked again
  }
}

function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function scale(name, low, high, label) {
  let options = '<option value="">—</option>';
  for (let i = low; i <= high; i++) options += `<option value="${i}">${i}</option>`;
  return `<label style="display:block;margin:4px 0">${escape(label)} <select name="${name}">${options}</select></label>`;
}

function tags(name, values, legend) {
  if (!values.length) return "";
  const boxes = values
    .map((v) => `<label style="margin-right:8px;display:inline-block;white-space:nowrap"><input type="checkbox" name="${name}" value="${escape(v)}"> ${escape(v)}</label>`)
    .join("");
  return `<fieldset style="border:0;padding:0;margin:6px 0"><legend>${escape(legend)}</legend>${boxes}</fieldset>`;
}

export class Surveys {
  constructor(r, safe) {
    this.r = r;
    this.config = null;
    this.loadedAt = 0;
    this.loading = null;
    this.timer = null;
    this.box = null;
    this.onUse = safe((event) => this.used(widgetOfEvent(event)));
    this.onShortcut = safe((event) => {
      if (this.box && event.altKey && event.shiftKey && event.code === "KeyS") {
        event.preventDefault();
        const first = this.box.querySelector("input");
        if (first) first.focus();
      }
    });
    window.addEventListener("click", this.onUse, true);
    document.addEventListener("submit", this.onUse, true);
    window.addEventListener("keydown", this.onShortcut, true);
    this.newsTimer = setTimeout(safe(() => this.fetchNews()), 0); // once the reporter is configured
  }

  stop() {
    window.removeEventListener("click", this.onUse, true);
    document.removeEventListener("submit", this.onUse, true);
    window.removeEventListener("keydown", this.onShortcut, true);
    clearTimeout(this.timer);
    clearTimeout(this.newsTimer);
    if (this.box) this.box.remove();
  }

  post(path, body) {
    const c = this.r.config;
    return fetch(`${c.endpoint}${path}`, {
      method: "POST", credentials: "omit", keepalive: true,
      body: JSON.stringify({ key: c.key, ...body }),
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
    });
  }

  load() {
    // Kept for a while, a failure too: a widget's clicks must not each cost a request.
    if (this.loadedAt && Date.now() - this.loadedAt < CONFIG_TTL_MS) return Promise.resolve(this.config);
    if (!this.loading) {
      const c = this.r.config;
      this.loading = fetch(`${c.endpoint}/surveys`, { credentials: "omit", headers: { Authorization: `Bearer ${c.key}` } })
        .then((response) => (response.ok ? response.json() : null))
        .then((config) => {
          this.config = config;
          this.loadedAt = Date.now();
          return config;
        })
        .catch(() => {
          this.loadedAt = Date.now();
          return null;
        })
        .finally(() => {
          this.loading = null;
        });
    }
    return this.loading;
  }

  /** Someone used `element` (a widget): ask them, a moment later, if its change is surveyed and they may be. */
  used(element) {
    const id = widgetIdOf(element);
    if (!id || this.box || this.timer || !this.r.config.surveys || !this.r.ready() || !local()) return;
    this.load().then((config) => {
      const survey = config && config.surveys.find((s) => s.widget_id === id);
      if (!survey || !this.eligible(survey, config)) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.box) this.show(survey, config);
      }, this.r.config.surveyDelayMs);
    });
  }

  eligible(survey, config) {
    const state = read(STATE, {});
    const now = Date.now();
    state.seen = state.seen || {};
    state.draws = state.draws || {};
    if (state.seen[survey.deployment_id]) return false;
    if (state.last && now - state.last < Math.max(1, config.quiet_period_days) * DAY_MS) return false;
    // One draw per deployment and browser: a person out of the sample stays out of it.
    if (!(survey.deployment_id in state.draws)) state.draws[survey.deployment_id] = Math.random();
    write(STATE, state);
    return state.draws[survey.deployment_id] < config.sampling_rate;
  }

  show(survey, config) {
    const state = read(STATE, {});
    state.last = Date.now();
    state.seen = { ...(state.seen || {}), [survey.deployment_id]: state.last };
    write(STATE, state);
    const promptId = uuid();
    const ids = { deployment_id: survey.deployment_id, widget_id: survey.widget_id };
    this.post("/surveys/prompts", { id: promptId, ...ids }).catch(() => {});
    const name = escape(survey.widget_name);
    const box = document.createElement("section");
    box.id = "ihf-survey";
    box.setAttribute("data-ihf-ui", "");
    box.setAttribute("aria-labelledby", "ihf-survey-title");
    box.style.cssText = BOX_STYLE;
    const radios = [1, 2, 3, 4, 5]
      .map((i) => `<label style="margin-right:6px"><input type="radio" name="overall_satisfaction" value="${i}"> ${i}</label>`)
      .join("");
    const dimensions = Object.entries(config.dimensions || {}).map(([n, label]) => scale(n, 1, 5, label)).join("");
    box.innerHTML =
      `<form data-ihf-ui novalidate><strong id="ihf-survey-title" style="display:block;margin-bottom:6px">` +
      `A quick question about ${name}</strong>` +
      `<fieldset style="border:0;padding:0;margin:0"><legend>Since it changed, how satisfied are you with ${name}? ` +
      `(1 not at all, 5 very)</legend>${radios}</fieldset>` +
      `<details style="margin:6px 0"><summary>Tell us more (optional)</summary>${dimensions}` +
      scale("likelihood_to_reuse", 1, 10, "How likely are you to use it again? (1–10)") +
      `<fieldset style="border:0;padding:0;margin:6px 0"><legend>Would you recommend it?</legend>` +
      `<label><input type="radio" name="would_recommend" value="true"> Yes</label> ` +
      `<label><input type="radio" name="would_recommend" value="false"> No</label></fieldset>` +
      tags("positive_aspects", config.positive_aspects || [], "What works well?") +
      tags("negative_aspects", config.negative_aspects || [], "What does not?") +
      `<label style="display:block">Anything else? <textarea name="additional_comments" rows="2" maxlength="2000" ` +
      `style="width:100%;box-sizing:border-box"></textarea></label></details>` +
      `<div><button type="submit">Send</button> <button type="button" data-ihf-close>Not now</button> ` +
      `<span data-ihf-status role="status"></span></div>` +
      `<p data-ihf-announce role="status" style="${HIDDEN}"></p></form>`;
    const form = box.querySelector("form");
    const status = box.querySelector("[data-ihf-status]");
    const close = (dismissed) => {
      const hadFocus = box.contains(document.activeElement);
      box.remove();
      this.box = null;
      if (dismissed) this.post("/surveys/prompts", { id: promptId, ...ids, dismissed: true }).catch(() => {});
      if (hadFocus && this.returnFocus && this.returnFocus.isConnected) this.returnFocus.focus();
    };
    box.addEventListener("focusin", (event) => {
      if (!box.contains(event.relatedTarget) && !this.returnFocus) this.returnFocus = event.relatedTarget;
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close(true);
    });
    box.querySelector("[data-ihf-close]").addEventListener("click", () => close(true));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = form.querySelector('input[name="overall_satisfaction"]:checked');
      if (!chosen) {
        status.textContent = "Choose 1 to 5 first.";
        return;
      }
      const answer = { id: uuid(), prompt_id: promptId, ...ids, overall_satisfaction: Number(chosen.value) };
      for (const n of [...Object.keys(config.dimensions || {}), "likelihood_to_reuse"]) {
        if (form.elements[n] && form.elements[n].value) answer[n] = Number(form.elements[n].value);
      }
      const recommend = form.querySelector('input[name="would_recommend"]:checked');
      if (recommend) answer.would_recommend = recommend.value === "true";
      for (const n of ["positive_aspects", "negative_aspects"]) {
        answer[n] = [...form.querySelectorAll(`input[name="${n}"]:checked`)].map((i) => i.value);
      }
      answer.additional_comments = form.elements.additional_comments.value;
      if (this.r.config.actorId) Object.assign(answer, { actor_id: this.r.config.actorId, actor_type: this.r.config.actorType });
      status.textContent = "Sending…";
      this.post("/surveys/answers", answer).then(
        (response) => {
          status.textContent = response.ok ? "Thank you!" : `Could not send it (${response.status}).`;
          if (response.ok) setTimeout(() => close(false), 1200);
        },
        () => {
          status.textContent = "Offline? Try again in a moment.";
        },
      );
    });
    this.returnFocus = null;
    this.box = box;
    document.body.appendChild(box);
    // Set after insertion, so that screen readers announce it (politely: the person is not interrupted).
    setTimeout(() => {
      const announce = box.querySelector("[data-ihf-announce]");
      if (announce) announce.textContent = `A quick question about ${survey.widget_name}: Alt+Shift+S to answer, Escape to close.`;
    }, 100);
  }

  // --- what came of this browser's reports ---

  optOutName() {
    return `ihf.news.optout.${this.r.config.hub || this.r.config.key.slice(0, 16)}`;
  }

  reported(annotationId) {
    if (!this.r.granted) return; // nothing is kept in storage before consent
    const ids = read(REPORTS, []).filter((id) => id !== annotationId);
    ids.push(annotationId);
    write(REPORTS, ids.slice(-MAX_REPORTS));
  }

  /** Ask IHF whether any of this browser's reports led to a judged change; keep the news for the widget's
   * annotate form (IHF tells each once). */
  fetchNews() {
    const ids = read(REPORTS, []);
    if (!ids.length || !this.r.ready() || read(this.optOutName(), false)) return;
    this.post("/reports/news", { annotation_ids: ids })
      .then((response) => (response.ok ? response.json() : null))
      .then((body) => {
        if (!body || !body.items.length) return;
        const news = read(NEWS, {});
        for (const item of body.items) news[item.widget_id] = item;
        write(NEWS, news);
      })
      .catch(() => {});
  }

  /** The news for the widget's annotate form, once: HTML for a line, and what its buttons do. */
  newsFor(widgetId) {
    const news = read(NEWS, {});
    const item = news[widgetId];
    if (!item || read(this.optOutName(), false)) return null;
    delete news[widgetId];
    write(NEWS, news);
    return {
      html:
        `<p data-ihf-news role="status" style="margin:0 0 8px;padding:6px;background:#eef6ee;border-radius:4px">` +
        `<strong>Your report led to a change.</strong> Deployment ${escape(item.deployment)} was judged ` +
        `${escape(item.verdict)} (evaluation ${Number(item.evaluation_score)}/5). ` +
        `<button type="button" data-ihf-news-optout>Don't tell me about my reports</button></p>`,
      optOut: () => {
        write(this.optOutName(), true);
        if (this.r.config.actorId) this.post("/reports/opt-out", { actor_id: this.r.config.actorId }).catch(() => {});
      },
    };
  }
}
