/**
 * The argument lists of the timeline scripts (see the headers of `lua/*.lua`), built from
 * contract values. Internal to the Redis backend.
 * @module
 */
import { ValidationError } from '../../errors.js';
import type {
  TimelineChanges,
  TimelineEntry,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import type { TimelineKeys } from './keys.js';

/** One script argument. */
export type Arg = string | number;

/**
 * Flattens entries into the (score, id, hasPayload, payload) quadruples the scripts take (no id
 * repeats: the storage wrapper kept the last occurrence of each).
 */
function entryArgs(entries: readonly TimelineEntry[]): Arg[] {
  const args: Arg[] = [];
  for (const e of entries)
    args.push(e.score, e.id, e.payload === undefined ? '0' : '1', e.payload ?? '');
  return args;
}

/** Arguments of add.lua and add_to_many.lua after the keys (`idsOnly`: the timelines' hint). */
export function writeArgs(
  entries: readonly TimelineEntry[],
  options: TimelineWriteOptions,
  idsOnly: boolean,
): Arg[] {
  const quads = entryArgs(entries);
  return [options.maxLength ?? -1, quads.length / 4, idsOnly ? '1' : '0', ...quads];
}

/** Arguments of add_ids.lua after its key: maxLength, then (score, id) pairs. */
export function idsOnlyArgs(
  entries: readonly TimelineEntry[],
  options: TimelineWriteOptions,
): Arg[] {
  const args: Arg[] = [options.maxLength ?? -1];
  for (const e of entries) args.push(e.score, e.id);
  return args;
}

function pairsOf(spec: Readonly<Record<string, readonly string[]>> | undefined): Arg[] {
  const out: Arg[] = [];
  for (const [marker, ids] of Object.entries(spec ?? {})) {
    for (const id of ids) out.push(marker, id);
  }
  return out;
}

/** The four keys of a timeline, in the order the scripts declare them. */
export const flat = (keys: TimelineKeys): string[] => [keys.z, keys.p, keys.v, keys.mk];

/** Arguments of commit_update.lua after the expected version and maxLength. */
export function commitArgs(changes: TimelineChanges): Arg[] {
  if (typeof changes !== 'object' || changes === null) {
    throw new ValidationError('INVALID_OPTION', 'update() compute must return { changes, result }');
  }
  const put = changes.put ?? [];
  const remove = changes.remove ?? [];
  const mark = pairsOf(changes.mark);
  const quads = entryArgs(put);
  return [quads.length / 4, ...quads, remove.length, ...remove, mark.length / 2, ...mark];
}
