/**
 * Checks of what a driver hands back, run by the storage wrapper (`define-storage.ts`) before a
 * feed sees it: a driver with a defect (a third-party backend, a corrupted store, a script that
 * returns the wrong shape) fails with a {@link BackendError} naming the backend, the operation
 * and the key, instead of a `TypeError` deep in a feed or a negative count shown to a user.
 * Cheap on purpose: type and range checks per value, no parsing (payloads are checked by the
 * serializer that decodes them).
 * @module
 */
import { BackendError } from '../errors.js';
import { show } from '../validation/show.js';
import type { TimelineEntry } from './contracts.js';

/** Longest entry id the contracts allow (see `TimelineEntry.id`). */
const MAX_ENTRY_ID = 64;

function broken(backend: string, operation: string, key: string | undefined, what: string): never {
  const subject = key === undefined ? '' : ` for ${JSON.stringify(key)}`;
  throw new BackendError(`[${backend}] ${operation} returned ${what}${subject}`, {
    details: { backend, operation, ...(key === undefined ? {} : { key }) },
  });
}

/** A count a driver returned: a non-negative safe integer. */
export function resultCount(
  backend: string,
  operation: string,
  key: string | undefined,
  value: unknown,
): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  return broken(backend, operation, key, `${show(value)} where a count was expected`);
}

/** A position a driver returned: an integer >= -1. */
export function resultIndex(backend: string, key: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= -1) return value;
  return broken(backend, 'indexOf', key, `${show(value)} where a position or -1 was expected`);
}

function isEntry(value: unknown): value is TimelineEntry {
  if (typeof value !== 'object' || value === null) return false;
  const { id, score, payload } = value as Partial<TimelineEntry>;
  return (
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= MAX_ENTRY_ID &&
    Number.isSafeInteger(score) &&
    (payload === undefined || typeof payload === 'string')
  );
}

/** Entries a `range` (or one key of a `rangeMany`) returned: an array of at most `limit` well-formed entries. */
export function resultEntries(
  backend: string,
  key: string,
  value: unknown,
  limit: number,
  operation = 'range',
): TimelineEntry[] {
  if (!Array.isArray(value)) return broken(backend, operation, key, `${show(value)}, not an array`);
  if (value.length > limit) {
    return broken(backend, operation, key, `${value.length} entries for a limit of ${limit}`);
  }
  for (const entry of value) {
    if (!isEntry(entry)) return broken(backend, operation, key, `a malformed entry ${show(entry)}`);
  }
  return value as TimelineEntry[];
}

/** What a `rangeMany` returned: one {@link resultEntries} array per key, positional. */
export function resultRanges(
  backend: string,
  keys: readonly string[],
  value: unknown,
  limit: number,
): TimelineEntry[][] {
  if (!Array.isArray(value) || value.length !== keys.length) {
    const got = Array.isArray(value) ? `${value.length} ranges` : show(value);
    return broken(backend, 'rangeMany', keys[0], `${got} for ${keys.length} keys`);
  }
  return keys.map((key, i) => resultEntries(backend, key, value[i], limit, 'rangeMany'));
}

/**
 * A positional result (`get`, `isMarked`, `getMany`, an update's current entries): an array of
 * exactly `length` values, each `undefined` (only where `optional`) or accepted by `valid`.
 */
export function resultPositional<T>(
  backend: string,
  operation: string,
  key: string | undefined,
  value: unknown,
  length: number,
  valid: (item: unknown) => item is T,
  optional: boolean,
): (T | undefined)[] {
  if (!Array.isArray(value) || value.length !== length) {
    const got = Array.isArray(value) ? `${value.length} results` : show(value);
    return broken(backend, operation, key, `${got} for ${length} ids`);
  }
  for (const item of value) {
    if (item === undefined ? !optional : !valid(item)) {
      return broken(backend, operation, key, `a malformed result ${show(item)}`);
    }
  }
  return value as (T | undefined)[];
}

/** Whether `value` is a well-formed timeline entry (for {@link resultPositional}). */
export const entryResult = isEntry;
/** Whether `value` is a payload string (for {@link resultPositional}). */
export const payloadResult = (value: unknown): value is string => typeof value === 'string';
/** Whether `value` is a count, a non-negative safe integer (for {@link resultPositional}). */
export const countResult = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
/** Whether `value` is a boolean (for {@link resultPositional}). */
export const flagResult = (value: unknown): value is boolean => typeof value === 'boolean';
