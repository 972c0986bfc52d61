// Text and ids as IHF stores them.

/** At most `max` characters, cut between characters (never inside a surrogate pair, as String.slice can),
 * with NUL and lone surrogates, which the server refuses, replaced by U+FFFD. */
export function text(value, max) {
  const s = String(value == null ? "" : value);
  let out = "";
  let count = 0;
  for (let i = 0; i < s.length && count < max; i++, count++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s.charAt(i) + s.charAt(i + 1);
        i++;
        continue;
      }
    }
    out += c === 0 || (c >= 0xd800 && c <= 0xdfff) ? "\ufffd" : s.charAt(i);
  }
  return out;
}

/** A time-ordered id (version 7): the timestamp first keeps the server's index compact. */
export function uuid() {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.prototype.map.call(bytes, (b) => (b + 256).toString(16).slice(1)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The widget id an element carries, or null when it carries none a server could take ("", "undefined",
 * "null" and other non-UUIDs: what a framework writes for a missing value). */
export function widgetIdOf(element) {
  const id = element && element.getAttribute ? element.getAttribute("data-ihf-widget") : null;
  return id && UUID.test(id.trim()) ? id.trim().toLowerCase() : null;
}

export function isUuid(value) {
  return typeof value === "string" && UUID.test(value);
}
