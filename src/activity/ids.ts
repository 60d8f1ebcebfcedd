import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';

/**
 * An actor, object, target or user id: a non-empty string or a non-negative safe integer.
 * Integers and strings are different ids (`1` is not `'1'`) inside an activity; feed keys
 * use the string form, so `getFeeds(1)` and `getFeeds('1')` name the same feed.
 */
export type Id = string | number;

/** Longest accepted string id, in UTF-16 code units. */
export const MAX_ID_LENGTH = 512;

const TIME_WIDTH = 9;
const DIGEST_WIDTH = 7;
/** Width of every activity id: 9 base-36 characters of milliseconds and 7 of digest. */
export const ACTIVITY_ID_LENGTH: number = TIME_WIDTH + DIGEST_WIDTH;
/** Largest representable activity time in ms since the epoch (year 5188). */
export const MAX_TIME_MS: number = 36 ** TIME_WIDTH - 1;
const DIGEST_MODULUS = 36 ** DIGEST_WIDTH;
const ACTIVITY_ID_PATTERN = /^[0-9a-z]{16}$/;

/** Checks an actor/object/target/user id and returns it; throws `INVALID_ID` otherwise. */
export function assertId(value: unknown, field: string): Id {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new ValidationError(
      'INVALID_ID',
      `${field} must be a non-negative safe integer or a non-empty string, got ${value}`,
      { details: { field } },
    );
  }
  if (typeof value === 'string') {
    if (value.length === 0) {
      throw new ValidationError('INVALID_ID', `${field} must not be an empty string`, {
        details: { field },
      });
    }
    if (value.length > MAX_ID_LENGTH) {
      throw new ValidationError(
        'INVALID_ID',
        `${field} is ${value.length} characters long; the limit is ${MAX_ID_LENGTH}`,
        { details: { field, limit: MAX_ID_LENGTH } },
      );
    }
    return value;
  }
  throw new ValidationError(
    'INVALID_ID',
    `${field} must be a string or an integer, got ${describe(value)}`,
    { details: { field } },
  );
}

/** True when `value` has the shape of an activity id produced by {@link activityId}. */
export function isActivityId(value: unknown): value is string {
  return typeof value === 'string' && ACTIVITY_ID_PATTERN.test(value);
}

/** Checks an activity id and returns it; throws `INVALID_ID` otherwise. */
export function assertActivityId(value: unknown, field = 'activity id'): string {
  if (isActivityId(value)) return value;
  throw new ValidationError(
    'INVALID_ID',
    `${field} must be a 16-character activity id, got ${describe(value)}`,
    { details: { field } },
  );
}

/**
 * Builds the deterministic, fixed-width, time-sortable id of an activity: 9 base-36 digits of
 * the time in ms, then 7 of a SHA-1 digest of `identity`. Lexicographic order is time order.
 */
export function activityId(timeMs: number, identity: string): string {
  const digest = createHash('sha1').update(identity).digest();
  const n = digest.readUIntBE(0, 6) % DIGEST_MODULUS;
  return timeMs.toString(36).padStart(TIME_WIDTH, '0') + n.toString(36).padStart(DIGEST_WIDTH, '0');
}

/** The time in ms encoded at the start of an activity id. */
export function timeOfActivityId(id: string): number {
  return Number.parseInt(id.slice(0, TIME_WIDTH), 36);
}

/** The smallest activity id with the given time: a bound for time-range reads. */
export function minActivityIdAt(timeMs: number): string {
  return timeMs.toString(36).padStart(TIME_WIDTH, '0') + '0'.repeat(DIGEST_WIDTH);
}

/** Stable 16-hex-character id of an aggregated group, derived from its group key. */
export function groupIdOf(groupKey: string): string {
  return createHash('sha1').update(groupKey).digest('hex').slice(0, 16);
}

/** Short human description of a value's type for error messages. Never throws. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = constructorName(value);
    return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
  }
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

/**
 * A value as error messages show it: strings quoted (cut at 40 characters), numbers, booleans,
 * null and undefined as themselves, anything else described by type. Unlike `JSON.stringify`, it
 * never throws (BigInt, circular objects) and never prints a whole object.
 */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null ||
    value === undefined
  ) {
    return String(value);
  }
  return describe(value);
}

/** The constructor name of an object, if it has a usable one (a string). */
function constructorName(value: object): string | undefined {
  try {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined; // a throwing getter
  }
}
