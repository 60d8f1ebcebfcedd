// A storage whose timeline counts the entries written by `add` and `addToMany` (keys x entries),
// by the kind of key, so a benchmark can compare the writes two fan-out modes really did.
// The counts land in `counts[phase][kind]`; the caller sets `counts.phase` around its calls.

/** The kind of a timeline key: a follower's fan-out feed, a pulled set, a user feed, counters. */
function kindOf(key, feedName) {
  if (key.startsWith(`${feedName}:sf-pulled:`)) return 'pulled';
  if (key.startsWith(`${feedName}:`)) return 'feed';
  if (key.includes(':sf-stats:')) return 'stats';
  return 'other';
}

/** Wraps the write methods of a timeline (or of its `idsOnly()` view) with counting. */
function counting(timeline, counts, feedName) {
  const add = (key, n) => {
    counts[counts.phase] ??= {};
    const phase = counts[counts.phase];
    const kind = kindOf(key, feedName);
    phase[kind] = (phase[kind] ?? 0) + n;
  };
  // A plain copy with bound methods (a Proxy cannot change the frozen methods of a timeline).
  const out = {};
  for (let o = timeline; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || name in out) continue;
      const value = timeline[name];
      out[name] = typeof value === 'function' ? value.bind(timeline) : value;
    }
  }
  out.add = (key, entries, options) => {
    add(key, entries.length);
    return timeline.add(key, entries, options);
  };
  out.addToMany = (keys, entries, options) => {
    for (const key of keys) add(key, entries.length);
    return timeline.addToMany(keys, entries, options);
  };
  out.idsOnly = () => counting(timeline.idsOnly(), counts, feedName);
  return out;
}

/**
 * `storage` with a counting timeline. Entries written to keys of the fan-out feed `feedName`
 * count as 'feed', to its pulled sets as 'pulled', to users' counters as 'stats'.
 * @returns the storage and its counts ({ phase, [phase]: { feed, pulled, stats, other } }).
 */
export function countingStorage(storage, feedName) {
  const counts = { phase: 'other' };
  const timeline = counting(storage.timeline, counts, feedName);
  return { storage: { ...storage, timeline }, counts };
}
