// Vue adapter: the v-ihf directive and a plugin that also reports the errors Vue's production build
// swallows (in handlers and lifecycle hooks they never reach window.onerror).

import { envelope, init, reporter } from "./index.js";

const NAMES = ["data-ihf-widget", "data-ihf-hub", "data-ihf-view-context", "data-ihf-version"];

function apply(el, value) {
  const attributes = envelope(value || {});
  for (const name of NAMES) {
    if (attributes[name] === undefined) el.removeAttribute(name);
    else if (el.getAttribute(name) !== attributes[name]) el.setAttribute(name, attributes[name]);
  }
}

/** v-ihf="{ id, hub, viewContext }": kept right when the bound value changes (updated), removed with the
 * element (unmounted). A missing id leaves the element without an envelope. */
export const vIhf = {
  mounted(el, binding) {
    apply(el, binding.value);
  },
  updated(el, binding) {
    apply(el, binding.value);
  },
  unmounted(el) {
    for (const name of NAMES) el.removeAttribute(name);
  },
};

/** app.use(IhfVue, { key, endpoint, … }): starts the reporter, registers v-ihf, reports component errors. */
export const IhfVue = {
  install(app, options = {}) {
    if (options.key || options.endpoint) init(options);
    app.directive("ihf", vIhf);
    const previous = app.config.errorHandler;
    app.config.errorHandler = (error, instance, info) => {
      const r = reporter();
      const el = instance && instance.$el;
      if (r) r.reportError(error, { element: el && el.nodeType ? el : null, kind: "vue" });
      if (previous) previous(error, instance, info);
      else console.error(error);
    };
  },
};
