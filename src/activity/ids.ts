import { createHash } from 'node:crypto';

export {
  assertActivityId,
  assertId,
  type Id,
  isActivityId,
  MAX_ID_LENGTH,
} from '../validation/names.js';
export { describe, show } from '../validation/show.js';

const TIME_WIDTH = 9;
const DIGEST_WIDTH = 7;
/** Width of every activity id: 9 base-36 characters of milliseconds and 7 of digest. */
export const ACTIVITY_ID_LENGTH: number = TIME_WIDTH + DIGEST_WIDTH;
/** Largest representable activity time in ms since the epoch (year 5188). */
export const MAX_TIME_MS: number = 36 ** TIME_WIDTH - 1;
const DIGEST_MODULUS = 36 ** DIGEST_WIDTH;

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
