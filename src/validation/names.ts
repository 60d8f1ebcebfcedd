/**
 * The rules for every string that becomes part of a storage key, a channel or a task: user,
 * actor, object and target ids, activity ids, feed names, marker names and `'feedName:userId'`
 * references. Each rule is written here once; every layer and backend uses these functions.
 * @module
 */
import { ValidationError } from '../errors.js';
import { describe, show } from './show.js';

/**
 * An actor, object, target or user id: a non-empty string or a non-negative safe integer.
 * Integers and strings are different ids (`1` is not `'1'`) inside an activity; feed keys
 * use the string form, so `getFeeds(1)` and `getFeeds('1')` name the same feed.
 */
export type Id = string | number;

/** Longest accepted string id, in UTF-16 code units. */
export const MAX_ID_LENGTH = 512;

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * True when `value` is well-formed UTF-16: no lone surrogate. UTF-8 (what Redis, Cassandra and
 * SQLite store) turns every lone surrogate into U+FFFD, so `'a\ud800'` and `'a\udbff'` would name
 * the same key; such strings are refused wherever a key, channel or payload is built.
 */
export function isWellFormed(value: string): boolean {
  // String.prototype.isWellFormed (Node 20+, current browsers) answers a one-byte string at once;
  // the fan-out checks one key per follower.
  return nativeIsWellFormed ? nativeIsWellFormed.call(value) : !LONE_SURROGATE.test(value);
}

const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean })
  .isWellFormed;

/** True when `value` is a valid id (what {@link assertId} accepts), without building a message. */
export function isId(value: unknown): value is Id {
  return typeof value === 'number'
    ? Number.isSafeInteger(value) && value >= 0
    : typeof value === 'string' &&
        value.length > 0 &&
        value.length <= MAX_ID_LENGTH &&
        isWellFormed(value);
}

/** Checks an actor/object/target/user id and returns it; throws `INVALID_ID` otherwise. */
export function assertId(value: unknown, field: string): Id {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value === 0 ? 0 : value;
    throw invalidId(
      field,
      `must be a non-negative safe integer or a non-empty string, got ${show(value)}`,
    );
  }
  if (typeof value === 'string') {
    if (value.length === 0) throw invalidId(field, 'must not be an empty string');
    if (value.length > MAX_ID_LENGTH) {
      throw new ValidationError(
        'INVALID_ID',
        `${field} is ${value.length} characters long; the limit is ${MAX_ID_LENGTH}`,
        { details: { field, limit: MAX_ID_LENGTH } },
      );
    }
    if (!isWellFormed(value)) {
      throw invalidId(field, `contains a lone surrogate (not well-formed UTF-16): ${show(value)}`);
    }
    return value;
  }
  throw invalidId(field, `must be a string or an integer, got ${describe(value)}`);
}

function invalidId(field: string, message: string): ValidationError {
  return new ValidationError('INVALID_ID', `${field} ${message}`, { details: { field } });
}

/** Width of the time part that starts every activity id: 9 base-36 digits of ms. */
export const ACTIVITY_ID_TIME_WIDTH = 9;
/** Width of the activity ids `createActivity` builds: the time, then 11 base-62 digits of digest. */
export const ACTIVITY_ID_LENGTH = 20;
/** Width of the activity ids of version 0.1 (the time, then 7 base-36 digits): still valid everywhere. */
export const LEGACY_ACTIVITY_ID_LENGTH = 16;

/**
 * Pattern of an activity id (see `src/activity/ids.ts`): 9 lowercase base-36 digits of time, then
 * either 11 base-62 digits (`0-9A-Za-z`, the current format) or 7 lowercase base-36 digits (the
 * legacy format of version 0.1).
 */
const ACTIVITY_ID_PATTERN = /^[0-9a-z]{9}(?:[0-9A-Za-z]{11}|[0-9a-z]{7})$/;
/** What error messages call an activity id. */
const ACTIVITY_ID_SHAPE = 'a 20-character (or legacy 16-character) activity id';

/** True when `value` has the shape of an activity id, of the current or the legacy format. */
export function isActivityId(value: unknown): value is string {
  return typeof value === 'string' && ACTIVITY_ID_PATTERN.test(value);
}

/** Checks an activity id and returns it; throws `INVALID_ID` otherwise. */
export function assertActivityId(value: unknown, field = 'activity id'): string {
  if (isActivityId(value)) return value;
  throw invalidId(field, `must be ${ACTIVITY_ID_SHAPE}, got ${show(value)}`);
}

const FEED_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Checks a feed name: a letter then up to 63 letters, digits, `_` or `-`. */
export function assertFeedName(name: unknown, field = 'feed name'): string {
  if (typeof name !== 'string' || !FEED_NAME.test(name)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${field} must match ${FEED_NAME}, got ${show(name)}`,
      {
        details: { option: field },
      },
    );
  }
  return name;
}

const MARKER = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks a marker name (it becomes part of a key on some backends): 1-64 letters, digits, `_` or `-`. */
export function assertMarkerName(marker: unknown): string {
  if (typeof marker !== 'string' || !MARKER.test(marker)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `marker name must match ${MARKER}, got ${show(marker)}`,
      { details: { option: 'marker' } },
    );
  }
  return marker;
}

/** Longest `'feedName:userId'` reference: a feed name, `:` and a longest user id. */
export const MAX_FEED_REF_LENGTH = 64 + 1 + MAX_ID_LENGTH;

/** A parsed `'feedName:userId'` reference. */
export interface FeedRef {
  readonly feed: string;
  readonly userId: string;
}

/**
 * Checks a `'feedName:userId'` reference (an entry of an activity's `to`) and splits it: a feed
 * name, `:`, then a user id that {@link assertId} accepts. Throws `INVALID_ACTIVITY`.
 */
export function parseFeedRef(ref: unknown, field = 'to'): FeedRef {
  const at = typeof ref === 'string' && ref.length <= MAX_FEED_REF_LENGTH ? ref.indexOf(':') : -1;
  const feed = at > 0 ? (ref as string).slice(0, at) : '';
  const userId = at > 0 ? (ref as string).slice(at + 1) : '';
  if (!FEED_NAME.test(feed) || userId.length === 0 || !isWellFormed(userId)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `each entry of ${field} must look like 'feedName:userId', got ${show(ref)}`,
      { details: { field } },
    );
  }
  return { feed, userId };
}
