import type { TimelineChanges, TimelineEntry } from '../../storage/contracts.js';

/** What one client last knew of a timeline: its version and some of its entries at that version. */
interface Known {
  version: string;
  /** Entry id -> entry, or null when the entry was absent at `version`. */
  readonly entries: Map<string, TimelineEntry | null>;
  /** Characters of the ids and payloads held in `entries`. */
  size: number;
}

/** Most entries remembered per timeline (the oldest remembered are forgotten first). */
const MAX_ENTRIES_PER_TIMELINE = 32;

/** Limits of an {@link UpdateCache}. */
export interface UpdateCacheLimits {
  /** Timelines remembered; 0 turns the cache off. */
  readonly timelines: number;
  /** Characters of ids and payloads remembered over all timelines. */
  readonly characters: number;
}

/**
 * The state of recently updated timelines, as this client last read or committed it, so that the
 * next optimistic update of the same entries can skip its read and commit straight away (one
 * round trip instead of two). Never trusted for correctness: the commit still checks the version,
 * and a stale guess costs no extra round trip because a refused commit returns a fresh read.
 * Least recently used timelines are forgotten beyond the limits.
 */
export class UpdateCache {
  readonly #limits: UpdateCacheLimits;
  readonly #known = new Map<string, Known>();
  #size = 0;

  constructor(limits: UpdateCacheLimits) {
    this.#limits = limits;
  }

  /** Characters of ids and payloads remembered now (for tests and metrics). */
  get size(): number {
    return this.#size;
  }

  /** Timelines remembered now. */
  get timelines(): number {
    return this.#known.size;
  }

  /**
   * The version and entries of `ids` if the timeline is known, else undefined. Ids not known at
   * that version are given as absent and listed in `guessed`: the commit checks that they are.
   */
  lookup(
    key: string,
    ids: readonly string[],
  ): { version: string; current: (TimelineEntry | undefined)[]; guessed: string[] } | undefined {
    const known = this.#known.get(key);
    if (!known) return undefined;
    const current: (TimelineEntry | undefined)[] = [];
    const guessed: string[] = [];
    for (const id of ids) {
      const entry = known.entries.get(id);
      if (entry === undefined) guessed.push(id);
      current.push(entry ?? undefined);
    }
    this.#known.delete(key);
    this.#known.set(key, known);
    return { version: known.version, current, guessed };
  }

  /** Records a fresh read: `current[i]` is the entry of `ids[i]` at `version`. */
  read(
    key: string,
    version: string,
    ids: readonly string[],
    current: readonly (TimelineEntry | undefined)[],
  ): void {
    if (this.#limits.timelines === 0) return;
    let known = this.#known.get(key);
    if (known && known.version !== version) {
      this.forget(key);
      known = undefined;
    }
    known ??= { version, entries: new Map(), size: 0 };
    this.#known.delete(key);
    this.#known.set(key, known);
    ids.forEach((id, i) => {
      this.#remember(known, id, current[i] ?? null);
    });
    this.#evict();
  }

  /**
   * Records a successful commit from `from` to `to`: the known entries carry over, changed by
   * `changes`. A commit that trimmed the timeline may have dropped any entry: forget them all.
   */
  committed(
    key: string,
    from: string,
    to: string,
    changes: TimelineChanges,
    trimmed: number,
  ): void {
    const known = this.#known.get(key);
    if (!known || known.version !== from) {
      this.forget(key);
      return;
    }
    known.version = to;
    if (trimmed > 0) {
      // A trim may have dropped any entry, even one just put: keep the version only (later ids
      // are guessed absent, which the commit checks).
      this.#resize(known, -known.size);
      known.entries.clear();
      return;
    }
    for (const id of changes.remove ?? []) this.#remember(known, id, null);
    for (const entry of changes.put ?? []) this.#remember(known, entry.id, entry);
    this.#evict();
  }

  /** Forgets a timeline. */
  forget(key: string): void {
    const known = this.#known.get(key);
    if (!known) return;
    this.#size -= known.size;
    this.#known.delete(key);
  }

  #remember(known: Known, id: string, entry: TimelineEntry | null): void {
    const old = known.entries.get(id);
    if (old !== undefined) {
      known.entries.delete(id);
      this.#resize(known, -sizeOf(id, old));
    }
    known.entries.set(id, entry);
    this.#resize(known, sizeOf(id, entry));
    if (known.entries.size > MAX_ENTRIES_PER_TIMELINE) {
      const [oldestId, oldest] = known.entries.entries().next().value as [
        string,
        TimelineEntry | null,
      ];
      known.entries.delete(oldestId);
      this.#resize(known, -sizeOf(oldestId, oldest));
    }
  }

  #resize(known: Known, delta: number): void {
    known.size += delta;
    this.#size += delta;
  }

  /** Forgets least recently used timelines until both limits hold. */
  #evict(): void {
    while (this.#known.size > this.#limits.timelines || this.#size > this.#limits.characters) {
      const oldest = this.#known.keys().next().value;
      if (oldest === undefined) return;
      this.forget(oldest);
    }
  }
}

function sizeOf(id: string, entry: TimelineEntry | null): number {
  return id.length + (entry?.payload?.length ?? 0);
}
