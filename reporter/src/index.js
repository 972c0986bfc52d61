// The ES module entry: `import { init } from "@ihf/reporter"`.

import { createReporter, DEFAULTS, getReporter } from "./core.js";

export { DEFAULTS };

/** Start the page's reporter (or reconfigure the one already running) and return it. */
export function init(options = {}) {
  if (typeof window === "undefined") return null; // server-side rendering: nothing to watch
  return createReporter(options).api;
}

/** The page's reporter, or null before init(). */
export function reporter() {
  const r = getReporter();
  return r ? r.api : null;
}

/** The envelope attributes for a widget; none for a missing id (never data-ihf-widget="undefined"). */
export function envelope({ id, hub, viewContext, version } = {}) {
  if (!id) return {};
  const attributes = { "data-ihf-widget": String(id) };
  if (hub) attributes["data-ihf-hub"] = String(hub);
  const context = viewContext || (typeof location === "undefined" ? "" : location.pathname);
  if (context) attributes["data-ihf-view-context"] = String(context);
  if (version) attributes["data-ihf-version"] = String(version);
  return attributes;
}
