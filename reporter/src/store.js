// The queue kept in localStorage, so that events not yet acknowledged survive a reload, a crash or a closed
// tab, with the same ids (the server stores each id once, so sending them again is harmless).
//
// Each tab writes its own entry ("ihf.queue.<tab id>"; the tab id lives in sessionStorage, so a reload keeps
// it). A new page also adopts entries other tabs left more than ADOPT_AFTER_MS ago (a closed tab's).

const PREFIX = "ihf.queue.";
export const OPT_OUT = "ihf.optout";
export const ADOPT_AFTER_MS = 60000;

function storage(name) {
  try {
    const s = globalThis[name];
    const probe = "ihf.probe";
    s.setItem(probe, "1");
    s.removeItem(probe);
    return s;
  } catch {
    return null; // blocked (private mode, sandboxed iframe, a storage policy)
  }
}

export function tabId(newId) {
  const session = storage("sessionStorage");
  let id = session && session.getItem("ihf.tab");
  if (!id) {
    id = newId();
    if (session) session.setItem("ihf.tab", id);
  }
  return id;
}

export class Store {
  constructor(tab, endpoint) {
    this.local = storage("localStorage");
    this.name = PREFIX + tab;
    this.endpoint = endpoint;
  }

  /** This tab's events from before the reload, then those of tabs gone quiet (removed from the storage). */
  load(now = Date.now()) {
    if (!this.local) return [];
    const events = [];
    const names = [];
    for (let i = 0; i < this.local.length; i++) {
      const name = this.local.key(i);
      if (name && name.startsWith(PREFIX)) names.push(name);
    }
    for (const name of names.sort((a, b) => (a === this.name ? -1 : b === this.name ? 1 : 0))) {
      let entry;
      try {
        entry = JSON.parse(this.local.getItem(name));
      } catch {
        entry = null;
      }
      if (!entry || !Array.isArray(entry.events)) continue;
      if (entry.endpoint !== this.endpoint) continue;
      if (name !== this.name && !(now - entry.at > ADOPT_AFTER_MS)) continue;
      events.push(...entry.events);
      if (name !== this.name) this.local.removeItem(name);
    }
    return events;
  }

  save(events, now = Date.now()) {
    if (!this.local) return false;
    try {
      if (events.length) {
        this.local.setItem(this.name, JSON.stringify({ endpoint: this.endpoint, at: now, events }));
      } else {
        this.local.removeItem(this.name);
      }
      return true;
    } catch {
      return false; // quota exceeded: the events stay in memory
    }
  }

  clear() {
    if (this.local) this.local.removeItem(this.name);
  }
}

export function getFlag(name) {
  const local = storage("localStorage");
  return local ? local.getItem(name) : null;
}

export function setFlag(name, value) {
  const local = storage("localStorage");
  if (!local) return;
  if (value == null) local.removeItem(name);
  else local.setItem(name, value);
}

/** A number in [0, 1) drawn once per browser session: sampling keeps or drops a whole session. */
export function sessionDraw() {
  const session = storage("sessionStorage");
  let draw = session && parseFloat(session.getItem("ihf.draw"));
  if (!(draw >= 0 && draw < 1)) {
    draw = Math.random();
    if (session) session.setItem("ihf.draw", String(draw));
  }
  return draw;
}
