// The reporter's public face (window.__ihfReporter, init()'s answer): types/index.d.ts documents it.

import { OPT_OUT, setFlag } from "./store.js";
import { isUuid } from "./text.js";

export function makeApi(r, safe) {
  return {
    configure: safe((options) => void r.configure(options)),
    flush: safe(() => r.flush()),
    pending: () => r.queue.length,
    dropped: () => r.counts.dropped,
    rejected: () => r.counts.rejected,
    unattributed: () => r.counts.unattributed,
    setActor: safe((id, type = "user") => {
      if (id != null && !isUuid(String(id))) return r.warnOnce("actor", `actor id ${id} is not a UUID: ignored.`);
      r.configure({ actorId: id == null ? null : String(id), actorType: type });
    }),
    consent: safe((granted) => r.consent(granted)),
    optOut: safe(() => {
      setFlag(OPT_OUT, "1");
      r.optedOut = true;
      r.forgetQueue();
    }),
    optIn: safe(() => {
      setFlag(OPT_OUT, null);
      r.optedOut = false;
    }),
    annotate: safe((element) => r.annotate(element)),
    reportError: safe((error, options) => r.reportError(error, options)),
    pageView: safe(() => {
      r.href = null;
      r.onRoute();
    }),
    destroy: safe(() => r.destroy()),
    config: () => ({ ...r.config, key: r.config.key ? `${r.config.key.slice(0, 12)}…` : "" }),
  };
}
