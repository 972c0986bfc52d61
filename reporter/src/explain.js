// What the reporter says when IHF refuses something, or cannot be read: in the console, for the developer.

import { payload } from "./batches.js";

const UNREADABLE_RETRY_MS = 300000; // a beacon's events are sent again only if still unacknowledged by then

export function explainRefusal(r, status, body) {
  const message = body && (body.detail || body.message || body.error);
  const code = body && body.code;
  const extra = code === "origin_not_allowed"
    ? ` Add ${location.origin} to the hub's allowed origins (its "API keys and integrations" page).`
    : "";
  r.warnOnce(`status:${status}:${code}`, `IHF refused a batch (${status}${code ? ` ${code}` : ""}): ` +
    `${typeof message === "string" ? message : JSON.stringify(body)}; its events are dropped.${extra}`);
}

export function explainRejected(r, event, item) {
  if (!r.config.debug) return;
  const element = event && r.findElement(event.widget_id);
  const hub = element ? element.getAttribute("data-ihf-hub") : null;
  console.warn(`[ihf] IHF refused a ${event ? event.event_type : ""} event of widget ` +
    `${event ? event.widget_id : "?"}${hub ? ` (data-ihf-hub="${hub}")` : ""}: ${(item.errors || []).join("; ")}`);
}

/** The hub requires the person's consent and the page sent events without it: they wait, in memory only, for
 * consent(true). Said even without debug mode: the page reports nothing until its code changes. */
export function consentRefused(r, events) {
  for (const e of events) r.inFlight.delete(e.id);
  r.granted = false;
  if (r.store) r.store.clear(); // nothing kept in storage before consent
  if (r.warned.has("hub-consent")) return;
  r.warned.add("hub-consent");
  console.warn(`[ihf] IHF refused ${events.length} event(s): this hub reports nothing without the person's ` +
    "consent. Call reporter.consent(true) once they agree; until then nothing is sent, and events wait in " +
    `memory only. Configure consent: "required" (data-ihf-consent="required") so that the reporter waits ` +
    "from the start instead of trying first.");
}

// A refusal IHF sends without CORS headers (a bad key, an origin the hub does not allow) reaches the page
// as a network error, like an outage or a keep-alive request over the browser's quota. Two requests tell
// them apart: an empty batch without keep-alive (read: the failure was passing), then an opaque one (gets
// through: IHF answers, unreadably). Then retrying every few seconds cannot help: slow down, and say why
// (even without debug).
export function probe(r, detail) {
  const url = `${r.config.endpoint}/interaction-events`;
  const request = { method: "POST", credentials: "omit", headers: { "Content-Type": "text/plain;charset=UTF-8" } };
  fetch(url, { ...request, body: payload(r.config.key, [], r.consented) }).then(
    () => {
      r.counts.failures = 0; // a failure again will be looked at again
      r.debug(`a request failed (${detail}), the next got through: events are sent again.`);
    },
    () => fetch(url, { ...request, mode: "no-cors", body: "{}" }).then(() => {
      r.retryAt = Date.now() + UNREADABLE_RETRY_MS;
      console.warn(`[ihf] IHF at ${r.config.endpoint} answers, but not so that this page may read it: ` +
        `the key is not valid, or the hub does not allow this page's origin (${location.origin}). Add the ` +
        `origin on the hub's "API keys and integrations" page. ${r.queue.length} event(s) are kept; ` +
        `the next try is in ${UNREADABLE_RETRY_MS / 60000} minutes.`);
    }, () => r.debug(`IHF is unreachable (${detail}): events are kept and sent again.`)),
  );
}
