/**
 * The argument lists of the timeline scripts (see the headers of `lua/*.lua`), built from
 * contract values. Internal to the Redis backend.
 * @module
 */
import { ValidationError } from '../../errors.js';
import type {
  RangeQuery,
  TimelineChanges,
  TimelineEntry,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import type { TimelineKeys } from './keys.js';

/** One script argument. */
export type Arg = string | number;

/**
 * Appends entries to `args` as the (score, id, hasPayload, payload) quadruples the scripts take
 * (no id repeats: the storage wrapper kept the last occurrence of each).
 */
function pushEntries(args: Arg[], entries: readonly TimelineEntry[]): void {
  for (const e of entries)
    args.push(e.score, e.id, e.payload === undefined ? '0' : '1', e.payload ?? '');
}

/** Arguments of add.lua and add_to_many.lua after the keys (`idsOnly`: the timelines' hint). */
export function writeArgs(
  entries: readonly TimelineEntry[],
  options: TimelineWriteOptions,
  idsOnly: boolean,
): Arg[] {
  const args: Arg[] = [options.maxLength ?? -1, entries.length, idsOnly ? '1' : '0'];
  pushEntries(args, entries);
  return args;
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

/** The four keys of a timeline, in the order the scripts declare them. */
export const flat = (keys: TimelineKeys): string[] => [keys.z, keys.p, keys.v, keys.mk];

/**
 * Appends the arguments of commit_update.lua that follow the expected version and maxLength to
 * `args` (one array per commit: no intermediate lists to spread), and returns it.
 */
export function commitArgs(changes: TimelineChanges, args: Arg[]): Arg[] {
  if (typeof changes !== 'object' || changes === null) {
    throw new ValidationError('INVALID_OPTION', 'update() compute must return { changes, result }');
  }
  const put = changes.put ?? [];
  args.push(put.length);
  pushEntries(args, put);
  const remove = changes.remove ?? [];
  args.push(remove.length);
  for (const id of remove) args.push(id);
  const countAt = args.length;
  args.push(0);
  let marks = 0;
  if (changes.mark !== undefined) {
    for (const marker of Object.keys(changes.mark)) {
      const ids = changes.mark[marker] ?? [];
      for (const id of ids) args.push(marker, id);
      marks += ids.length;
    }
  }
  args[countAt] = marks;
  return args;
}

/** The 11 query arguments of range.lua (and of range_many.lua, range_on_node.lua after their keys). */
export function rangeArgs(query: RangeQuery, idsOnly: boolean): Arg[] {
  const { min, max } = query;
  return [
    query.order,
    query.limit,
    min ? '1' : '0',
    min?.score ?? 0,
    min?.id ?? '',
    min?.inclusive ? '1' : '0',
    max ? '1' : '0',
    max?.score ?? 0,
    max?.id ?? '',
    max?.inclusive ? '1' : '0',
    idsOnly ? '0' : '1',
  ];
}

/** The entries of a range.lua reply: flat (id, score, payload or null) triples. */
export function rangeEntries(reply: unknown): TimelineEntry[] {
  const rows = reply as (string | null)[];
  const out: TimelineEntry[] = [];
  for (let i = 0; i < rows.length; i += 3) {
    const payload = rows[i + 2];
    out.push(
      payload === null || payload === undefined
        ? { id: rows[i]!, score: Number(rows[i + 1]) }
        : { id: rows[i]!, score: Number(rows[i + 1]), payload },
    );
  }
  return out;
}

/** The entries of a ZRANGE/ZREVRANGE WITHSCORES reply: flat (id, score) pairs. */
export function rankEntries(rows: readonly string[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (let i = 0; i < rows.length; i += 2) out.push({ id: rows[i]!, score: Number(rows[i + 1]) });
  return out;
}
