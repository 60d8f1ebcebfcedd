import { createHash, hash } from 'node:crypto';
import { charCodeAt } from '../util/char-code.js';
import {
  ACTIVITY_ID_LENGTH,
  ACTIVITY_ID_TIME_WIDTH,
  LEGACY_ACTIVITY_ID_LENGTH,
} from '../validation/names.js';

export {
  ACTIVITY_ID_LENGTH,
  assertActivityId,
  assertId,
  type Id,
  isActivityId,
  LEGACY_ACTIVITY_ID_LENGTH,
  MAX_ID_LENGTH,
} from '../validation/names.js';
export { describe, show } from '../validation/show.js';

/** Which id {@link activityId} builds: the current 20-character one or the 16-character one of 0.1. */
export type ActivityIdFormat = 'current' | 'legacy';

const TIME_WIDTH = ACTIVITY_ID_TIME_WIDTH;
const LEGACY_DIGEST_WIDTH = LEGACY_ACTIVITY_ID_LENGTH - TIME_WIDTH;
/** Largest representable activity time in ms since the epoch (year 5188). */
export const MAX_TIME_MS: number = 36 ** TIME_WIDTH - 1;
const LEGACY_DIGEST_MODULUS = 36 ** LEGACY_DIGEST_WIDTH;
/** Base-62 digits in ASCII order, so that lexicographic order is numeric order. */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The current digest: 11 base-62 digits (about 65.5 bits), written as 6 + 5 digits. */
const DIGEST_HIGH_WIDTH = 6;
const DIGEST_LOW_WIDTH = ACTIVITY_ID_LENGTH - TIME_WIDTH - DIGEST_HIGH_WIDTH;

/**
 * Builds the deterministic, time-sortable id of an activity: 9 base-36 digits of the time in ms,
 * then a digest of `identity` (SHA-1): 11 base-62 digits (`0-9A-Za-z`) in the current format,
 * 20 characters in all; 7 base-36 digits in the `'legacy'` format of version 0.1, 16 in all.
 * Both formats start with the same time digits, so lexicographic order is time order across
 * formats too. The legacy digest (about 36 bits) collides once in a few hundred thousand
 * activities of one millisecond; the current one, with odds of about 1e-6 among 10^7.
 */
export function activityId(
  timeMs: number,
  identity: string,
  format: ActivityIdFormat = 'current',
): string {
  const digest = createHash('sha1').update(identity).digest();
  const time = timeMs.toString(36).padStart(TIME_WIDTH, '0');
  if (format === 'legacy') {
    const n = digest.readUIntBE(0, 6) % LEGACY_DIGEST_MODULUS;
    return time + n.toString(36).padStart(LEGACY_DIGEST_WIDTH, '0');
  }
  return (
    time +
    base62(digest.readUIntBE(0, 6), DIGEST_HIGH_WIDTH) +
    base62(digest.readUIntBE(6, 6), DIGEST_LOW_WIDTH)
  );
}

/** The `width` lowest base-62 digits of a non-negative safe integer. */
function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** The value of each base-36 digit by character code (either case, as parseInt reads them); -1 else. */
const DIGIT_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let d = 0; d < 36; d++) {
    const c = d.toString(36);
    values[c.charCodeAt(0)] = d;
    values[c.toUpperCase().charCodeAt(0)] = d;
  }
  return values;
})();

/** Character classes of activity ids by character code: 1, a lowercase base-36 digit; 2, base 62. */
const ID_CHARACTERS = (() => {
  const classes = new Uint8Array(128);
  for (let d = 0; d < 36; d++) classes[d.toString(36).charCodeAt(0)] = 3;
  for (let d = 10; d < 36; d++) classes[d.toString(36).toUpperCase().charCodeAt(0)] = 2;
  return classes;
})();

/**
 * The time of `id` when it is an activity id (what {@link isActivityId} accepts, either format),
 * else -1: one pass over the characters, for decoders that check the id they were given and then
 * read its time (about a third of the regular expression and `timeOfActivityId` together).
 */
export function timeOfCheckedActivityId(id: unknown): number {
  if (typeof id !== 'string') return -1;
  // The rest of a current id is base 62 (class 2), of a legacy one lowercase base 36 (class 1).
  const rest =
    id.length === ACTIVITY_ID_LENGTH ? 2 : id.length === LEGACY_ACTIVITY_ID_LENGTH ? 1 : 0;
  if (rest === 0) return -1;
  let n = 0;
  for (let i = 0; i < TIME_WIDTH; i++) {
    const c = charCodeAt(id, i);
    if (c > 127 || (ID_CHARACTERS[c]! & 1) === 0) return -1;
    n = n * 36 + DIGIT_VALUES[c]!;
  }
  for (let i = TIME_WIDTH; i < id.length; i++) {
    const c = charCodeAt(id, i);
    if (c > 127 || (ID_CHARACTERS[c]! & rest) === 0) return -1;
  }
  return n;
}

/**
 * The time in ms encoded at the start of an activity id (either format):
 * `parseInt(id.slice(0, 9), 36)`, the same number for any string.
 */
export function timeOfActivityId(id: string): number {
  // It runs twice for every entry of a normalized page read (its score, its activity's time). A
  // table lookup per digit costs about half of parseInt of a slice on the strings ioredis decodes
  // (the slice allocates); any other string (a character that is not a digit, shorter than 9)
  // takes parseInt, which then reads a prefix or gives NaN.
  let n = 0;
  for (let i = 0; i < TIME_WIDTH; i++) {
    const digit = DIGIT_VALUES[charCodeAt(id, i)];
    if (digit === undefined || digit < 0) return Number.parseInt(id.slice(0, TIME_WIDTH), 36);
    n = n * 36 + digit;
  }
  return n;
}

/**
 * The smallest activity id with the given time: above every id of an earlier time and at most
 * every id of that time, in both formats. A bound for time-range reads.
 */
export function minActivityIdAt(timeMs: number): string {
  return timeMs.toString(36).padStart(TIME_WIDTH, '0') + '0'.repeat(LEGACY_DIGEST_WIDTH);
}

/** Group ids of recent group keys: a feed's adds keep hashing the same few keys (verb and day). */
const recentGroupIds = new Map<string, string>();
/** Keys remembered at most (each at most 1,024 characters): forgotten all at once beyond. */
const RECENT_GROUP_IDS = 256;

/** Stable 16-hex-character id of an aggregated group, derived from its group key. */
export function groupIdOf(groupKey: string): string {
  let id = recentGroupIds.get(groupKey);
  if (id === undefined) {
    // The one-shot hash: the same digest as createHash(...).update(...), without a Hash object
    // (about 0.8 us a new key against 1.9 us; a notification add makes a new group each time).
    id = hash('sha1', groupKey, 'hex').slice(0, 16);
    if (recentGroupIds.size >= RECENT_GROUP_IDS) recentGroupIds.clear();
    recentGroupIds.set(groupKey, id);
  }
  return id;
}
