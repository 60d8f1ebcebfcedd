/**
 * The write steps of the timeline storage, run inside a transaction by the caller. Markers need no
 * step of their own when entries go: a trigger deletes them with the entry.
 * @module
 */
import { ConflictError } from '../../errors.js';
import type { TimelineChanges, TimelineEntry } from '../../storage/contracts.js';
import type { TimelineStatements } from './timeline-statements.js';

/** Upserts entries (no id repeats: the storage wrapper reduced repeats); counts new ids when asked. */
export function upsertEntries(
  st: TimelineStatements,
  key: string,
  entries: readonly TimelineEntry[],
  countNew: boolean,
): number {
  let added = 0;
  for (const e of entries) {
    if (countNew && st.exists.get(key, e.id) === undefined) added += 1;
    st.upsert.run(key, e.id, e.score, e.payload ?? null);
  }
  return added;
}

/** Keeps the `maxLength` highest entries; returns how many were removed. */
export function trimTo(st: TimelineStatements, key: string, maxLength: number): number {
  const first = st.nth.get(key, maxLength);
  if (first === undefined) return 0;
  return st.removeUpTo.run(key, first.score as number, first.id as string).changes;
}

/** Removes ids (a repeated id counts once); returns how many existed. */
export function removeIds(st: TimelineStatements, key: string, ids: readonly string[]): number {
  let removed = 0;
  for (const id of ids) removed += st.remove.run(key, id).changes;
  return removed;
}

/**
 * Applies the changes of an update, as the memory backend does: marks are checked first (an id
 * marked must be put, or be in the timeline and not removed; otherwise ConflictError), then
 * removes, puts, marks and the trim to `maxLength`.
 */
export function applyChanges(
  st: TimelineStatements,
  key: string,
  changes: TimelineChanges,
  maxLength: number | undefined,
): void {
  const removing = new Set(changes.remove ?? []);
  const putting = new Set((changes.put ?? []).map((e) => e.id));
  for (const [marker, ids] of Object.entries(changes.mark ?? {})) {
    for (const id of ids) {
      const present =
        putting.has(id) || (!removing.has(id) && st.exists.get(key, id) !== undefined);
      if (!present)
        throw new ConflictError(`cannot mark ${id} ${marker}: it is not in timeline ${key}`);
    }
  }
  if (changes.remove?.length) removeIds(st, key, changes.remove);
  if (changes.put?.length) upsertEntries(st, key, changes.put, false);
  for (const [marker, ids] of Object.entries(changes.mark ?? {})) {
    for (const id of ids) st.mark.run(key, marker, id, key, id);
  }
  if (maxLength !== undefined) trimTo(st, key, maxLength);
}
