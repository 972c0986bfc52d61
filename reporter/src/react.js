// React adapter: <IhfWidget>, useIhfWidget() and useIhfReporter(). The envelope is rendered as attributes,
// so React keeps it right through re-renders (a new id in place is a new widget to the reporter).

import { createElement, useEffect } from "react";
import { envelope, init, reporter } from "./index.js";

/** Start (or reconfigure) the page's reporter once the component mounts. */
export function useIhfReporter(options) {
  const { key, endpoint, debug, hub, actorId, actorType } = options || {};
  useEffect(() => {
    init(options);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- options is a new object on every render
  }, [key, endpoint, debug, hub, actorId, actorType]);
  return reporter();
}

/** The envelope attributes to spread on the widget's element: `<button {...useIhfWidget({id, hub})}>`. */
export function useIhfWidget({ id, hub, viewContext, version } = {}) {
  return envelope({ id, hub, viewContext, version });
}

/** An element carrying the envelope: `<IhfWidget id="…" hub="checkout" as="section">…</IhfWidget>`. */
export function IhfWidget({ id, hub, viewContext, version, as = "div", children, ...props }) {
  return createElement(as, { ...props, ...envelope({ id, hub, viewContext, version }) }, children);
}

/** createRoot(container, ihfRootOptions()): errors React catches (in an error boundary) or that end the
 * render are reported on the widget around the component that threw, like script errors. */
export function ihfRootOptions() {
  const report = (kind) => (error) => {
    const r = reporter();
    if (r) r.reportError(error, { kind });
    console.error(error);
  };
  return { onCaughtError: report("react"), onUncaughtError: report("react") };
}
