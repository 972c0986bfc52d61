// Batches that fit: a keep-alive request or a beacon is refused by Chrome past 64 KiB (its keep-alive
// quota, shared by every keep-alive request of the page still in flight).

export const BEACON_QUOTA = 65536;

const encoder = new TextEncoder();

export function bytes(s) {
  return encoder.encode(s).length;
}

/** The request body for `events`, saying the person consented when they did (a hub may require it). */
export function payload(key, events, consented = false) {
  return JSON.stringify(consented ? { key, consent: true, events } : { key, events });
}

/** Split `events` (in order) into bodies of at most `maxCount` events and `maxBytes` bytes each. An event too
 * large for any body on its own goes alone (the server then says why it refuses it). */
export function split(key, events, maxCount, maxBytes) {
  const empty = bytes(payload(key, [], true)); // with the consent field, whether sent or not: an upper bound
  const out = [];
  let current = [];
  let size = empty;
  for (const event of events) {
    const eventBytes = bytes(JSON.stringify(event)) + 1; // the comma
    if (current.length && (current.length >= maxCount || size + eventBytes > maxBytes)) {
      out.push(current);
      current = [];
      size = empty;
    }
    current.push(event);
    size += eventBytes;
  }
  if (current.length) out.push(current);
  return out;
}
