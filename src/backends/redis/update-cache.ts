import type { TimelineChanges, TimelineEntry } from '../../storage/contracts.js';

/** What one client last knew of a timeline: its version and some of its entries at that version. */
interface Known {
  version: string;
  /** Entry id -> entry, or null when the entry was absent at `version`. */
  readonly entries: Map<string, TimelineEntry | null>;
}

/** Most entries remembered per timeline (the oldest remembered are forgotten first). */
const MAX_ENTRIES_PER_TIMELINE = 64;

/**
 * The state of recently updated timelines, as this client last read or committed it, so that the
 * next optimistic update of the same entries can skip its read and commit straight away (one
 * round trip instead of two). Never trusted for correctness: the commit still checks the version,
 * and a stale guess costs no extra round trip because a refused commit returns a fresh read.
 * Least recently used timelines are forgotten beyond `capacity`.
 */
export class UpdateCache {
  readonly #capacity: number;
  readonly #known = new Map<string, Known>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The version and entries of `ids` if all are known, else undefined. */
  lookup(
    key: string,
    ids: readonly string[],
  ): { version: string; current: (TimelineEntry | undefined)[] } | undefined {
    const known = this.#known.get(key);
    if (!known) return undefined;
    const current: (TimelineEntry | undefined)[] = [];
    for (const id of ids) {
      const entry = known.entries.get(id);
      if (entry === undefined) return undefined;
      current.push(entry ?? undefined);
    }
    this.#known.delete(key);
    this.#known.set(key, known);
    return { version: known.version, current };
  }

  /** Records a fresh read: `current[i]` is the entry of `ids[i]` at `version`. */
  read(
    key: string,
    version: string,
    ids: readonly string[],
    current: readonly (TimelineEntry | undefined)[],
  ): void {
    if (this.#capacity === 0) return;
    const known = this.#known.get(key);
    const entries =
      known && known.version === version ? known.entries : new Map<string, TimelineEntry | null>();
    ids.forEach((id, i) => {
      remember(entries, id, current[i] ?? null);
    });
    this.#known.delete(key);
    this.#known.set(key, { version, entries });
    if (this.#known.size > this.#capacity) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
  }

  /**
   * Records a successful commit from `from` to `to`: the known entries carry over, changed by
   * `changes`. A commit that trimmed the timeline may have dropped any entry: forget it all.
   */
  committed(
    key: string,
    from: string,
    to: string,
    changes: TimelineChanges,
    trimmed: number,
  ): void {
    const known = this.#known.get(key);
    if (!known || known.version !== from || trimmed > 0) {
      this.#known.delete(key);
      return;
    }
    known.version = to;
    for (const id of changes.remove ?? []) remember(known.entries, id, null);
    for (const entry of changes.put ?? []) remember(known.entries, entry.id, entry);
  }

  /** Forgets a timeline (after a write that did not go through update()). */
  forget(key: string): void {
    this.#known.delete(key);
  }
}

function remember(
  entries: Map<string, TimelineEntry | null>,
  id: string,
  entry: TimelineEntry | null,
): void {
  entries.delete(id);
  entries.set(id, entry);
  if (entries.size > MAX_ENTRIES_PER_TIMELINE) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
}
