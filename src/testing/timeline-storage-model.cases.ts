/**
 * TimelineStorage conformance, part 4: seeded random sequences of operations checked step by
 * step against a tiny reference model of the contract. Registered by {@link describeTimelineStorage}.
 * @module
 */
import assert from 'node:assert/strict';
import type { TimelineChanges, TimelineEntry, TimelineStorage } from '../storage/contracts.js';
import {
  BASE_TIME_MS,
  entryId,
  plainEntry,
  readAll,
  type SuiteTest,
  seededRandom,
  sortEntries,
} from './fixtures.js';

const KEYS = ['model:a', 'model:{b}'] as const;
const MARKERS = ['unseen', 'unread'] as const;
/** Ids include ASCII punctuation and case, so byte order and tie-breaking get exercised. */
const IDS: readonly string[] = [
  ...Array.from({ length: 24 }, (_, i) => entryId(i * 37)),
  'A',
  'a',
  'Z_9',
  '-',
  '~',
  'x:y',
];
/** Few distinct scores, so ties are frequent. */
const SCORES = [0, 1, BASE_TIME_MS, BASE_TIME_MS + 1, BASE_TIME_MS + 2];

interface ModelTimeline {
  entries: Map<string, TimelineEntry>;
  markers: Map<string, Set<string>>;
}

/** The contract, written as simply as possible. */
class Model {
  readonly #timelines = new Map<string, ModelTimeline>();

  #get(key: string): ModelTimeline {
    let t = this.#timelines.get(key);
    if (!t) {
      t = { entries: new Map(), markers: new Map(MARKERS.map((m) => [m, new Set<string>()])) };
      this.#timelines.set(key, t);
    }
    return t;
  }

  sorted(key: string, order: 'desc' | 'asc'): TimelineEntry[] {
    return sortEntries([...this.#get(key).entries.values()], order);
  }

  marked(key: string, marker: string): Set<string> {
    return this.#get(key).markers.get(marker)!;
  }

  has(key: string, id: string): boolean {
    return this.#get(key).entries.has(id);
  }

  #drop(t: ModelTimeline, id: string): boolean {
    for (const set of t.markers.values()) set.delete(id);
    return t.entries.delete(id);
  }

  add(key: string, entries: readonly TimelineEntry[], maxLength?: number): number {
    const t = this.#get(key);
    let added = 0;
    for (const e of entries) {
      if (!t.entries.has(e.id)) added += 1;
      t.entries.set(e.id, plainEntry(e));
    }
    if (maxLength !== undefined) this.trim(key, maxLength);
    return added;
  }

  remove(key: string, ids: readonly string[]): number {
    const t = this.#get(key);
    let n = 0;
    for (const id of new Set(ids)) if (this.#drop(t, id)) n += 1;
    return n;
  }

  trim(key: string, maxLength: number): number {
    const t = this.#get(key);
    const excess = this.sorted(key, 'asc').slice(0, Math.max(0, t.entries.size - maxLength));
    for (const e of excess) this.#drop(t, e.id);
    return excess.length;
  }

  setMarked(key: string, marker: string, ids: readonly string[], on: boolean): number {
    const t = this.#get(key);
    const set = this.marked(key, marker);
    let n = 0;
    for (const id of new Set(ids)) {
      if (on && t.entries.has(id) && !set.has(id)) {
        set.add(id);
        n += 1;
      } else if (!on && set.delete(id)) {
        n += 1;
      }
    }
    return n;
  }

  clearMarker(key: string, marker: string): number {
    const set = this.marked(key, marker);
    const n = set.size;
    set.clear();
    return n;
  }

  delete(key: string): void {
    this.#timelines.delete(key);
  }

  /** Applies changes whose put and remove id sets are disjoint. */
  update(key: string, changes: TimelineChanges, maxLength?: number): void {
    this.remove(key, changes.remove ?? []);
    this.add(key, changes.put ?? []);
    for (const [m, ids] of Object.entries(changes.mark ?? {})) this.setMarked(key, m, ids, true);
    if (maxLength !== undefined) this.trim(key, maxLength);
  }
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  ids(max: number): string[] {
    return Array.from({ length: 1 + this.int(max) }, () => this.pick(IDS));
  }
  entries(max: number, step: number): TimelineEntry[] {
    return this.ids(max).map((id) => {
      const score = this.pick(SCORES);
      return this.next() < 0.3 ? { id, score } : { id, score, payload: `${id}@${score}#${step}` };
    });
  }
}

async function checkState(
  timeline: TimelineStorage,
  model: Model,
  step: number,
  markers: boolean,
): Promise<void> {
  for (const key of KEYS) {
    const where = `step ${step}, key ${key}`;
    assert.deepEqual(await readAll(timeline, key, 'desc'), model.sorted(key, 'desc'), where);
    assert.equal(await timeline.count(key), model.sorted(key, 'desc').length, where);
    for (const marker of markers ? MARKERS : []) {
      const marked = model.marked(key, marker);
      assert.equal(await timeline.countMarked(key, marker), marked.size, `${where} ${marker}`);
      assert.deepEqual(
        await timeline.isMarked(key, marker, IDS),
        IDS.map((id) => marked.has(id)),
        `${where} ${marker}`,
      );
    }
  }
}

async function runSequence(timeline: TimelineStorage, seed: number, steps: number): Promise<void> {
  const rng = new Rng(seed);
  const model = new Model();
  const markers = timeline.capabilities.markers;
  for (let step = 0; step < steps; step++) {
    const key = rng.pick(KEYS);
    const op = markers ? rng.int(10) : [0, 1, 2, 3, 4, 5, 9][rng.int(7)]!;
    const where = `seed ${seed} step ${step} op ${op}`;
    if (op <= 1) {
      const entries = rng.entries(6, step);
      const maxLength = rng.next() < 0.3 ? rng.int(15) : undefined;
      const added = await timeline.add(key, entries, { maxLength });
      const expected = model.add(key, entries, maxLength);
      // With maxLength, whether new-but-trimmed ids count is left to the backend.
      if (maxLength === undefined) assert.equal(added, expected, where);
    } else if (op === 2) {
      const ids = rng.ids(4);
      assert.equal(await timeline.remove(key, ids), model.remove(key, ids), where);
    } else if (op === 3) {
      const n = rng.int(20);
      assert.equal(await timeline.trim(key, n), model.trim(key, n), where);
    } else if (op === 4) {
      const entries = rng.entries(3, step);
      await timeline.addToMany(KEYS, entries);
      for (const k of KEYS) model.add(k, entries);
    } else if (op === 5) {
      if (rng.next() < 0.3) {
        await timeline.delete(key);
        model.delete(key);
      } else {
        const ids = rng.ids(3);
        await timeline.removeFromMany(KEYS, ids);
        for (const k of KEYS) model.remove(k, ids);
      }
    } else if (op <= 7) {
      const marker = rng.pick(MARKERS);
      const ids = rng.ids(5);
      if (rng.next() < 0.6) {
        // Markers are set only through update, on ids in the timeline.
        const present = ids.filter((id) => model.has(key, id));
        await timeline.update(key, [], () => ({
          changes: { mark: { [marker]: present } },
          result: 0,
        }));
        model.setMarked(key, marker, present, true);
      } else {
        const cleared = await timeline.clearMarker(key, marker, ids);
        assert.equal(cleared, model.setMarked(key, marker, ids, false), where);
      }
    } else if (op === 8) {
      const marker = rng.pick(MARKERS);
      if (step % 2 === 0) {
        // Every marker at once, the picked one named twice (its count at both positions).
        const names = [marker, ...MARKERS];
        const counts = MARKERS.map((m) => model.clearMarker(key, m));
        const expected = names.map((m) => counts[MARKERS.indexOf(m)]);
        assert.deepEqual(await timeline.clearMarkers(key, names), expected, where);
      } else {
        assert.equal(
          await timeline.clearMarker(key, marker),
          model.clearMarker(key, marker),
          where,
        );
      }
    } else {
      const changes = randomChanges(rng, model, key, step, markers);
      const maxLength = rng.next() < 0.3 ? 3 + rng.int(15) : undefined;
      const result = await timeline.update(key, [], () => ({ changes, result: step }), {
        maxLength,
      });
      assert.equal(result, step, where);
      model.update(key, changes, maxLength);
    }
    if (step % 10 === 9 || step === steps - 1) await checkState(timeline, model, step, markers);
  }
}

/** Random valid changes: put and remove disjoint, marks only on ids present after. */
function randomChanges(
  rng: Rng,
  model: Model,
  key: string,
  step: number,
  markers: boolean,
): TimelineChanges {
  const put = rng.next() < 0.7 ? rng.entries(3, step) : [];
  const putIds = new Set(put.map((e) => e.id));
  const remove = rng.ids(2).filter((id) => !putIds.has(id));
  const removed = new Set(remove);
  const present = IDS.filter((id) => putIds.has(id) || (model.has(key, id) && !removed.has(id)));
  const marker = rng.pick(MARKERS);
  const mark = present.length > 0 ? [rng.pick(present), rng.pick(present)] : [];
  if (!markers) return { put, remove };
  return { put, remove, mark: { [marker]: mark } };
}

/** Registers the model-based cases. */
export function describeTimelineModelCases(test: SuiteTest): void {
  test.describe(
    'random operations against a reference model',
    (test) => {
      for (const seed of [1, 2, 3]) {
        test(`random operations agree with the reference model (seed ${seed})`, async ({
          timeline,
        }) => {
          await runSequence(timeline, seed, 250);
        });
      }
    },
    'model',
  );
}
