// The script-tag build (static/ihf/reporter.js): configured by the <script>'s data-ihf-* attributes, by
// window.ihfConfig set before it, or later by window.__ihfReporter.configure({...}).

import { createReporter } from "./core.js";

const ATTRIBUTES = {
  endpoint: "data-ihf-endpoint",
  key: "data-ihf-key",
  hub: "data-ihf-hub",
  debug: "data-ihf-debug",
  flushMs: "data-ihf-flush-ms",
  maxQueue: "data-ihf-max-queue",
  maxBatch: "data-ihf-max-batch",
  sampleRate: "data-ihf-sample-rate",
  consent: "data-ihf-consent",
  actorId: "data-ihf-actor-id",
  actorType: "data-ihf-actor-type",
};

function ownScript() {
  // document.currentScript is null in a module script, a bundle or a script added by other code: then the
  // script carrying the configuration is looked for instead.
  const script = document.currentScript;
  if (script && script.hasAttribute("data-ihf-key")) return script;
  return document.querySelector("script[data-ihf-key], script[data-ihf-endpoint]") || script;
}

function start() {
  const options = { ...(window.ihfConfig || {}) };
  const script = ownScript();
  if (script) {
    for (const [name, attribute] of Object.entries(ATTRIBUTES)) {
      if (script.hasAttribute(attribute)) options[name] = script.getAttribute(attribute);
    }
    // <script data-ihf-debug> means on; data-ihf-debug="false" or "0", off.
    if (script.hasAttribute(ATTRIBUTES.debug)) options.debug = !/^(false|0)$/.test(options.debug);
    if (!options.endpoint && script.src) options.endpoint = new URL("/api/v1", script.src).href;
  }
  if (!options.key) {
    console.warn(
      "[ihf] the reporter has no ingest key, so it sends nothing. Give it one: data-ihf-key on its <script>, " +
        "window.ihfConfig = {key, endpoint} before it, or __ihfReporter.configure({key, endpoint}) later.",
    );
  }
  createReporter(options);
}

try {
  start();
} catch (error) {
  console.warn("[ihf] the reporter did not start:", error);
}
