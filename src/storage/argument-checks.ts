/**
 * The rules for the arguments of the storage contracts (see `contracts.ts`): keys, entry ids,
 * entries, range queries, write options and update changes. Checked and normalised once, by the
 * wrapper of `define-storage.ts`, so no backend repeats them: a repeated id in one call is
 * reduced to its last occurrence here. Each throws a `ValidationError`.
 * @module
 */
import { ValidationError } from '../errors.js';
import { assertMarkerName, isWellFormed } from '../validation/names.js';
import { checkOptions } from '../validation/options.js';
import { describe, show } from '../validation/show.js';
import { boolOption, intOption, invalidOption, oneOfOption } from '../validation/values.js';
import type {
  IdOnlyOptions,
  MergedRangeOptions,
  RangeBound,
  RangeQuery,
  TimelineChanges,
  TimelineEntry,
  TimelineWriteOptions,
} from './contracts.js';

function invalidId(what: string, message: string): ValidationError {
  return new ValidationError('INVALID_ID', `${what} ${message}`, { details: { field: what } });
}

/** Checks a storage key: a non-empty, well-formed string; throws `INVALID_ID`. */
export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || !isWellFormed(key)) {
    throw invalidId('storage key', `must be a non-empty well-formed string, got ${show(key)}`);
  }
  return key;
}

/** Checks an array of storage keys; throws `INVALID_ID`. */
export function checkKeys(keys: unknown): readonly string[] {
  if (!Array.isArray(keys)) throw invalidId('keys', `must be an array, got ${describe(keys)}`);
  for (const key of keys) checkKey(key);
  return keys;
}

/** 1 to 64 ASCII characters other than NUL: what the contract allows an entry id to be. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is ASCII from 0x01, control characters included
const ENTRY_ID = /^[\x01-\x7f]{1,64}$/;

/** Whether `id` is a valid entry (or activity storage) id: 1-64 ASCII characters, no NUL. */
export function isEntryId(id: string): boolean {
  // A regular expression rather than a loop of text.charCodeAt: it runs for every id of every
  // read, and in a process that loaded ioredis such a loop measured about 4x slower (180 ns
  // against 45 a 20-character id, Node 20; the cause: util/char-code.ts).
  return ENTRY_ID.test(id);
}

/** Checks an entry (or activity storage) id: 1-64 ASCII characters, no NUL; throws `INVALID_ID`. */
export function checkEntryId(id: unknown): string {
  if (typeof id !== 'string' || !isEntryId(id)) {
    throw invalidId('id', `must be 1 to 64 ASCII characters (no NUL), got ${show(id)}`);
  }
  return id;
}

/** Checks an array of entry ids; throws `INVALID_ID`. */
export function checkEntryIds(ids: unknown): readonly string[] {
  if (!Array.isArray(ids)) throw invalidId('ids', `must be an array, got ${describe(ids)}`);
  for (const id of ids) checkEntryId(id);
  return ids;
}

/** Checks an array of entry ids and drops repeats (keeping the first position); throws `INVALID_ID`. */
export function checkUniqueIds(ids: unknown): readonly string[] {
  const checked = checkEntryIds(ids);
  if (checked.length < 2) return checked;
  const unique = new Set(checked);
  return unique.size === checked.length ? checked : [...unique];
}

/**
 * Items by id, a repeated id reduced to its last occurrence (at the position of its first), as
 * one ZADD or HSET command would; the same array when no id repeats (no copy on the fan-out path).
 */
export function lastById<T extends { readonly id: string }>(items: readonly T[]): readonly T[] {
  if (items.length < 2) return items;
  const ids = new Set<string>();
  for (const item of items) ids.add(item.id);
  if (ids.size === items.length) return items;
  return [...new Map(items.map((item) => [item.id, item])).values()];
}

/** Checks a score: a safe integer, as the contract says; throws `INVALID_OPTION`. */
function checkScore(score: unknown, what: string): void {
  if (!Number.isSafeInteger(score)) {
    throw invalidOption(what, `must be a safe integer, got ${show(score)}`);
  }
}

/**
 * Checks timeline entries (id, safe integer score, string payload if any) and keeps the last
 * occurrence of a repeated id; with `idsOnly`, an entry with a payload is refused. Throws.
 */
export function checkEntries(entries: unknown, idsOnly = false): readonly TimelineEntry[] {
  if (!Array.isArray(entries)) {
    throw invalidOption('entries', `must be an array, got ${describe(entries)}`);
  }
  for (const e of entries as unknown[]) {
    if (typeof e !== 'object' || e === null) {
      throw invalidOption('entries', `must hold { id, score, payload? } objects, got ${show(e)}`);
    }
    const { id, score, payload } = e as Record<string, unknown>;
    checkEntryId(id);
    checkScore(score, 'entry score');
    if (payload !== undefined && (idsOnly || typeof payload !== 'string')) {
      throw invalidOption(
        'entry payload',
        idsOnly
          ? 'must be absent in an id-only timeline'
          : `must be a string, got ${describe(payload)}`,
      );
    }
  }
  return lastById(entries as readonly TimelineEntry[]);
}

/** Checks activity storage entries: `{ id, payload }` with a string payload; throws. */
export function checkPayloads(
  entries: unknown,
): readonly { readonly id: string; readonly payload: string }[] {
  if (!Array.isArray(entries)) {
    throw invalidOption('entries', `must be an array, got ${describe(entries)}`);
  }
  for (const e of entries as unknown[]) {
    if (typeof e !== 'object' || e === null) {
      throw invalidOption('entries', `must hold { id, payload } objects, got ${show(e)}`);
    }
    checkEntryId((e as { id?: unknown }).id);
    const payload = (e as { payload?: unknown }).payload;
    if (typeof payload !== 'string') {
      throw invalidOption('payload', `must be a string, got ${describe(payload)}`);
    }
  }
  return lastById(entries as readonly { readonly id: string; readonly payload: string }[]);
}

/** Checks a length to trim to: an integer >= 0. */
export function checkMaxLength(value: unknown): number {
  return intOption(value, 'maxLength', 0);
}

const WRITE_OPTION_KEYS: ReadonlySet<string> = new Set(['maxLength']);
const NO_WRITE_OPTIONS: TimelineWriteOptions = Object.freeze({});

/**
 * Checks the options of a write (`maxLength`; any other key is refused) and returns them read
 * once, so the backend sees what was checked; throws `INVALID_OPTION`.
 */
export function checkWriteOptions(options: unknown): TimelineWriteOptions {
  if (options === undefined) return NO_WRITE_OPTIONS;
  const { maxLength } = checkOptions<TimelineWriteOptions>(
    options,
    WRITE_OPTION_KEYS,
    'timeline write',
  );
  return maxLength === undefined ? NO_WRITE_OPTIONS : { maxLength: checkMaxLength(maxLength) };
}

const MERGED_OPTION_KEYS: ReadonlySet<string> = new Set(['floorAt']);
const NO_MERGED_OPTIONS: MergedRangeOptions = Object.freeze({});

/**
 * Checks the options of a merged range read (`floorAt`, a positive integer; any other key is
 * refused) and returns them read once; throws `INVALID_OPTION`.
 */
export function checkMergedRangeOptions(options: unknown): MergedRangeOptions {
  if (options === undefined) return NO_MERGED_OPTIONS;
  const { floorAt } = checkOptions<MergedRangeOptions>(
    options,
    MERGED_OPTION_KEYS,
    'merged range read',
  );
  return floorAt === undefined ? NO_MERGED_OPTIONS : { floorAt: intOption(floorAt, 'floorAt', 1) };
}

const ID_ONLY_KEYS: ReadonlySet<string> = new Set(['scoreOf']);

/** Checks the options of `idsOnly()`; returns `scoreOf` (a function) or undefined. */
export function checkIdOnlyOptions(options: unknown): ((id: string) => number) | undefined {
  if (options === undefined) return undefined;
  const { scoreOf } = checkOptions<IdOnlyOptions>(options, ID_ONLY_KEYS, 'idsOnly options');
  if (scoreOf !== undefined && typeof scoreOf !== 'function') {
    throw invalidOption('scoreOf', `must be a function (id) => score, got ${describe(scoreOf)}`);
  }
  return scoreOf;
}

/** Checks an order: `'desc'` or `'asc'`. */
export function checkOrder(order: unknown): 'desc' | 'asc' {
  return oneOfOption(order, ['desc', 'asc'], 'order');
}

function checkBound(bound: unknown, name: string): void {
  if (bound === undefined) return;
  if (typeof bound !== 'object' || bound === null) {
    throw invalidOption(name, `must be { score, id, inclusive }, got ${describe(bound)}`);
  }
  const { score, id, inclusive } = bound as RangeBound;
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    throw invalidOption(`${name}.score`, `must be a finite number, got ${show(score)}`);
  }
  if (typeof id !== 'string' || id.length > 64 || !isWellFormed(id)) {
    throw invalidOption(`${name}.id`, `must be a string of at most 64 characters, got ${show(id)}`);
  }
  boolOption(inclusive, `${name}.inclusive`);
}

const RANGE_KEYS: ReadonlySet<string> = new Set(['limit', 'order', 'min', 'max']);

/** Checks a range query: positive `limit`, order, bounds, no other key; throws `INVALID_OPTION`. */
export function checkRangeQuery(query: unknown): RangeQuery {
  checkOptions(query, RANGE_KEYS, 'timeline storage: range query');
  const q = query as RangeQuery;
  intOption(q.limit, 'limit', 1);
  checkOrder(q.order);
  checkBound(q.min, 'min');
  checkBound(q.max, 'max');
  return q;
}

/** Checks a marker name (see `assertMarkerName`); throws `INVALID_OPTION`. */
export const checkMarker: (marker: unknown) => string = assertMarkerName;

/** Checks an array of marker names; throws `INVALID_OPTION`. */
export function checkMarkers(markers: unknown): readonly string[] {
  if (!Array.isArray(markers)) {
    throw invalidOption('markers', `must be an array of marker names, got ${describe(markers)}`);
  }
  for (const marker of markers) checkMarker(marker);
  return markers;
}

/** Checks marker name -> ids; returns a copy without empty id lists and with repeats dropped. */
function checkMarks(spec: unknown): Record<string, readonly string[]> | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalidOption('mark', `must map marker names to ids, got ${describe(spec)}`);
  }
  const out: Record<string, readonly string[]> = {};
  let any = false;
  for (const [marker, ids] of Object.entries(spec)) {
    checkMarker(marker);
    const unique = checkUniqueIds(ids);
    if (unique.length === 0) continue;
    out[marker] = unique;
    any = true;
  }
  return any ? out : undefined;
}

const CHANGE_KEYS: ReadonlySet<string> = new Set(['put', 'remove', 'mark']);

/**
 * Checks what an update's compute returned; throws before the backend writes anything. Returns a
 * copy of its three fields, read once and normalised (repeated ids dropped, the last entry of a
 * repeated id kept, empty lists left out), so that the backend sees exactly what was checked (a
 * getter cannot hand it something else).
 */
export function checkChanges(changes: unknown): TimelineChanges {
  if (typeof changes !== 'object' || changes === null) {
    throw invalidOption('update() compute', 'must return { changes, result }');
  }
  checkOptions<TimelineChanges>(changes, CHANGE_KEYS, 'update() changes');
  const { put, remove, mark } = changes as TimelineChanges;
  const out: {
    put?: readonly TimelineEntry[];
    remove?: readonly string[];
    mark?: Record<string, readonly string[]>;
  } = {};
  const entries = put === undefined ? [] : checkEntries(put);
  if (entries.length > 0) out.put = entries;
  const ids = remove === undefined ? [] : checkUniqueIds(remove);
  if (ids.length > 0) out.remove = ids;
  const marks = checkMarks(mark);
  if (marks !== undefined) out.mark = marks;
  return out;
}
