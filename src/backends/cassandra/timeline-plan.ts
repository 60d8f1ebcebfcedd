import { ConflictError } from '../../errors.js';
import type { TimelineChanges, TimelineEntry } from '../../storage/contracts.js';
import type { Statement } from './driver.js';
import { KIND, type TimelineStatements } from './statements.js';
import type { Position, Snapshot } from './timeline-reads.js';

/** What a planned write does, for the caller's return value. */
export interface PlanStats {
  /** Ids put that were not in the feed. */
  readonly added: number;
  /** Ids removed that were in the feed (not counting re-puts). */
  readonly removed: number;
  /** Entries trimmed away to honour maxLength. */
  readonly trimmed: number;
  /** (marker, id) pairs whose state changed. */
  readonly markChanges: number;
  /** Entries in the feed after the write. */
  readonly count: number;
}

/** The statements of one conditional commit (empty when there is nothing to write). */
export interface Plan {
  readonly statements: Statement[];
  readonly stats: PlanStats;
}

const byPosition = (a: Position, b: Position): number =>
  a.score !== b.score ? a.score - b.score : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * The changes a plan applies: the contract's, plus `unmark` (marker -> ids to clear), which
 * `clearMarker` with ids plans through the same path.
 */
export interface PlannedChanges extends TimelineChanges {
  readonly unmark?: Readonly<Record<string, readonly string[]>> | undefined;
}

/** `changes.mark` / `unmark` as (marker, id) pairs (marker names were checked by the contract wrapper). */
function pairs(spec: Readonly<Record<string, readonly string[]>> | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const [marker, ids] of Object.entries(spec ?? {})) {
    for (const id of ids) out.push([marker, id]);
  }
  return out;
}

/**
 * Plans one atomic write of a feed with the semantics of the memory backend: remove (clearing the
 * markers of removed entries), put (upsert by id; a re-put entry keeps its markers), unmark, mark
 * (every marked id must be in the feed afterwards, else ConflictError and nothing is written),
 * then trim to `maxLength` (clearing the markers of trimmed entries), cutting at most `maxTrim`
 * entries (the caller trims the rest in further commits, so no batch grows unbounded). Reads what it needs through
 * `snap`; the statements assume the feed is still at `snap.head.version` (the commit checks it).
 * No row is both deleted and written in one plan: a batch gives all its writes one timestamp, and
 * a tombstone would win over a write with the same timestamp.
 */
export async function planChanges(
  snap: Snapshot,
  cql: TimelineStatements,
  base: readonly unknown[],
  changes: PlannedChanges,
  maxLength: number | undefined,
  maxTrim = Number.POSITIVE_INFINITY,
): Promise<Plan> {
  const puts = new Map<string, TimelineEntry>();
  // Scores are safe integers and no id repeats: the contract wrapper (src/storage/define-storage.ts)
  // checked and normalised the changes.
  for (const e of changes.put ?? []) puts.set(e.id, e);
  const removing = new Set(changes.remove ?? []);
  const unmarks = pairs(changes.unmark);
  const marks = pairs(changes.mark);
  const known = await snap.refs([
    ...new Set([
      ...removing,
      ...puts.keys(),
      ...marks.map((p) => p[1]),
      ...unmarks.map((p) => p[1]),
    ]),
  ]);
  for (const [marker, id] of marks) {
    if (!puts.has(id) && (removing.has(id) || !known.has(id))) {
      throw new ConflictError(`cannot mark ${id} ${marker}: it is not in the timeline`, {
        details: { marker, id },
      });
    }
  }

  // Final position of every id the write touches (undefined = not in the feed afterwards).
  const final = new Map<string, number | undefined>();
  const cleared = new Set<string>(); // ids whose every marker is cleared
  for (const id of removing) {
    final.set(id, undefined);
    if (known.has(id)) cleared.add(id);
  }
  for (const [id, e] of puts) final.set(id, e.score);
  let count = snap.head.count;
  for (const [id, position] of final)
    count += (position !== undefined ? 1 : 0) - (known.has(id) ? 1 : 0);

  // Trim: the lowest `excess` entries of the feed as it will be.
  let cut: Position[] = [];
  if (maxLength !== undefined && count > maxLength) {
    const excess = Math.min(count - maxLength, maxTrim);
    const old = (await snap.lowest(excess + final.size)).filter((p) => !final.has(p.id));
    const candidates = [...old, ...[...puts.values()].map((e) => ({ score: e.score, id: e.id }))];
    cut = candidates.sort(byPosition).slice(0, excess);
    for (const p of old) known.set(p.id, p.score);
    for (const p of cut) final.set(p.id, undefined);
    count -= cut.length;
  }
  const boundary = cut.at(-1);

  // Markers: original and final state of every (marker, id) pair the write touches.
  const inUse = Object.keys(snap.head.marked).filter((m) => (snap.head.marked[m] ?? 0) > 0);
  const touched = new Map<string, Map<string, boolean>>(); // marker -> id -> final state
  const set = (marker: string, id: string, on: boolean) => {
    let ids = touched.get(marker);
    if (!ids) {
      ids = new Map();
      touched.set(marker, ids);
    }
    ids.set(id, on);
  };
  for (const id of cleared) for (const marker of inUse) set(marker, id, false);
  for (const [marker, id] of unmarks) set(marker, id, false);
  for (const [marker, id] of marks) set(marker, id, true);
  const markers = new Set([...inUse, ...marks.map((p) => p[0])]);
  for (const p of cut) for (const marker of markers) set(marker, p.id, false);

  const statements: Statement[] = [];
  const marked: Record<string, number> = {};
  let markChanges = 0;
  for (const [marker, ids] of touched) {
    const before = await snap.marked(
      marker,
      [...ids.keys()].filter((id) => known.has(id)),
    );
    const on: string[] = [];
    const off: string[] = [];
    for (const [id, now] of ids) {
      if (now && !before.has(id)) on.push(id);
      if (!now && before.has(id)) off.push(id);
    }
    if (on.length === 0 && off.length === 0) continue;
    markChanges += on.length + off.length;
    marked[marker] = (snap.head.marked[marker] ?? 0) + on.length - off.length;
    for (const id of on) statements.push({ query: cql.putMark, params: [...base, marker, id] });
    for (const id of off) statements.push({ query: cql.deleteMark, params: [...base, marker, id] });
  }

  const covered = (p: Position) => boundary !== undefined && byPosition(p, boundary) <= 0;
  const unref: string[] = [];
  let added = 0;
  let removed = 0;
  for (const [id, position] of final) {
    const before = known.get(id);
    const put = puts.get(id);
    if (put && before === undefined) added += 1;
    if (removing.has(id) && before !== undefined && !put) removed += 1;
    if (before !== undefined && before !== position && !covered({ score: before, id })) {
      statements.push({ query: cql.deleteEntry, params: [...base, String(before), id] });
    }
    if (position === undefined) {
      if (before !== undefined) unref.push(id);
      continue;
    }
    const score = String(position);
    if (put?.payload !== undefined) {
      statements.push({ query: cql.putEntry, params: [...base, score, id, put.payload] });
    } else if (before === position) {
      statements.push({ query: cql.putEntry, params: [...base, score, id, null] });
    } else {
      statements.push({ query: cql.putBareEntry, params: [...base, score, id] });
    }
    if (before !== position) statements.push({ query: cql.putRef, params: [...base, id, score] });
  }
  for (const id of unref) statements.push({ query: cql.deleteRef, params: [...base, id] });
  if (boundary) {
    statements.push({
      query: cql.deleteEntriesTo,
      params: [...base, String(boundary.score), boundary.id],
    });
  }

  const stats = { added, removed, trimmed: cut.length, markChanges, count };
  if (statements.length === 0) return { statements, stats };
  statements.unshift({
    query: cql.bump,
    params: [nextVersion(snap), count, marked, ...base, snap.head.version],
  });
  return { statements, stats };
}

const NO_STATS: PlanStats = Object.freeze({
  added: 0,
  removed: 0,
  trimmed: 0,
  markChanges: 0,
  count: 0,
});

/** The version a commit on `snap` writes. */
function nextVersion(snap: Snapshot): string {
  return (BigInt(snap.head.version ?? '0') + 1n).toString();
}

/**
 * Plans delete(): one range tombstone per row kind (entries, id index, markers) and the counts
 * reset. The version stays (and is bumped), so a writer that read the feed before the delete
 * cannot commit on top of it.
 */
export function planDelete(
  snap: Snapshot,
  cql: TimelineStatements,
  base: readonly unknown[],
): Plan {
  const { head } = snap;
  if (head.count === 0 && !Object.values(head.marked).some((n) => n > 0)) {
    return { statements: [], stats: NO_STATS };
  }
  const statements: Statement[] = [
    { query: cql.reset, params: [nextVersion(snap), ...base, head.version] },
    ...[KIND.entry, KIND.index, KIND.marker].map((kind) => ({
      query: cql.deleteKind(kind),
      params: [...base],
    })),
  ];
  return { statements, stats: NO_STATS };
}

/** Plans clearMarker(): one range tombstone over the marker's rows; its count goes to 0. */
export function planClearMarker(
  snap: Snapshot,
  cql: TimelineStatements,
  base: readonly unknown[],
  marker: string,
): Plan {
  const n = snap.head.marked[marker] ?? 0;
  if (n <= 0) return { statements: [], stats: { ...NO_STATS, count: snap.head.count } };
  const statements: Statement[] = [
    {
      query: cql.bump,
      params: [nextVersion(snap), snap.head.count, { [marker]: 0 }, ...base, snap.head.version],
    },
    { query: cql.deleteMarker, params: [...base, marker] },
  ];
  return { statements, stats: { ...NO_STATS, markChanges: n, count: snap.head.count } };
}
