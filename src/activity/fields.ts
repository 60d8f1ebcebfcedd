/**
 * The checks of single activity fields shared by `createActivity` (caller's input) and
 * `assertActivity` (hand-built activities): time, verb, foreignId, the `to` list and its limit.
 * @module
 */
import { ValidationError } from '../errors.js';
import { isWellFormed, parseFeedRef } from '../validation/names.js';
import { describe } from '../validation/show.js';
import { intOptionOr } from '../validation/values.js';
import { MAX_TIME_MS } from './ids.js';

/** Default of the `maxTo` option: most entries an activity's `to` may list. */
export const DEFAULT_MAX_TO = 100;
/** Largest accepted `maxTo` option. */
export const MAX_TO_LIMIT = 100_000;
/** Longest foreignId, in UTF-16 code units. */
export const MAX_FOREIGN_ID_LENGTH = 512;

/** Checks a `maxTo` option (`undefined` gives {@link DEFAULT_MAX_TO}). */
export function maxToOption(value: unknown, name = 'maxTo'): number {
  return intOptionOr(value, DEFAULT_MAX_TO, name, 0, MAX_TO_LIMIT);
}

/** Converts a Date, ms number or ISO string to ms since the epoch; throws `INVALID_TIME`. */
export function toTimeMs(time: unknown): number {
  let ms: number;
  if (time instanceof Date) ms = time.getTime();
  else if (typeof time === 'number') ms = time;
  else if (typeof time === 'string' && time.length > 0 && time.length < 64) ms = Date.parse(time);
  else
    throw new ValidationError(
      'INVALID_TIME',
      `time must be a Date, a number of ms or an ISO string, got ${describe(time)}`,
      { details: { field: 'time' } },
    );
  if (!Number.isFinite(ms)) {
    throw new ValidationError('INVALID_TIME', `time is not a valid date: ${describe(time)}`, {
      details: { field: 'time' },
    });
  }
  ms = Math.floor(ms);
  if (ms < 0 || ms > MAX_TIME_MS) {
    throw new ValidationError(
      'INVALID_TIME',
      `time must lie between 1970-01-01 and the year 5188, got ${describe(time)}`,
      { details: { field: 'time' } },
    );
  }
  return ms === 0 ? 0 : ms;
}

/** Checks a verb name: a non-empty, well-formed string; throws `INVALID_ACTIVITY`. */
export function verbField(name: unknown, shown: unknown = name): string {
  if (typeof name !== 'string' || name.length === 0 || !isWellFormed(name)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `verb must be a well-formed verb name or a Verb, got ${describe(shown)}`,
      { details: { field: 'verb' } },
    );
  }
  return name;
}

/** Checks an optional foreignId (`undefined`, or `null` when `nullable`, means none). */
export function foreignIdField(value: unknown, nullable: boolean): string | undefined {
  if (value === undefined || (nullable && value === null)) return undefined;
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_FOREIGN_ID_LENGTH ||
    !isWellFormed(value)
  ) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `foreignId must be a non-empty, well-formed string of at most ${MAX_FOREIGN_ID_LENGTH} characters, got ${describe(value)}`,
      { details: { field: 'foreignId' } },
    );
  }
  return value;
}

/**
 * Checks a `to` list and returns it without duplicates. At most `maxTo` entries (counted before
 * duplicates are removed, so the check costs nothing on a huge list); linear in its length.
 */
export function toRefs(to: unknown, maxTo: number): string[] {
  if (to === undefined || to === null) return [];
  if (!Array.isArray(to)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `to must be an array of 'feedName:userId' strings, got ${describe(to)}`,
      { details: { field: 'to' } },
    );
  }
  if (to.length > maxTo) {
    throw new ValidationError(
      'LIMIT_EXCEEDED',
      `to lists ${to.length} feeds; the limit is ${maxTo} (the maxTo option)`,
      { details: { field: 'to', limit: maxTo } },
    );
  }
  const refs = new Set<string>(); // linear: a Set, not includes() per entry
  for (let i = 0; i < to.length; i++) {
    const ref: unknown = to[i];
    parseFeedRef(ref);
    refs.add(ref as string);
  }
  return [...refs];
}

/** Freezes a JSON value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
