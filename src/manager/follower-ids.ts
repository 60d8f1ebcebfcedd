import { assertId, describe, type Id } from '../activity/ids.js';
import { ValidationError } from '../errors.js';
import { isId } from '../validation/names.js';

/**
 * What `getFollowerIds` returns: an iterable of ids (all high priority) or ids grouped by fan-out
 * priority (the original's `{FanoutPriority.HIGH: [...], FanoutPriority.LOW: [...]}`).
 */
export type FollowerIds =
  | Iterable<Id>
  | {
      readonly high?: Iterable<Id> | undefined;
      readonly low?: Iterable<Id> | undefined;
    };

/** Follower ids in string form, deduplicated; an id in both groups is only in `high`. */
export interface FollowerGroups {
  readonly high: readonly string[];
  readonly low: readonly string[];
}

/** No followers. */
export const NO_FOLLOWERS: FollowerGroups = Object.freeze({
  high: Object.freeze([]),
  low: Object.freeze([]),
});

/**
 * Validates what a `getFollowerIds` function returned and normalizes it to {@link FollowerGroups}.
 * Throws `INVALID_OPTION` for a wrong shape and `INVALID_ID` for a bad id, before anything is written.
 */
export function normalizeFollowerIds(value: unknown): FollowerGroups {
  if (isIterable(value)) return { high: ids(value, 'getFollowerIds()', new Set()), low: [] };
  if (typeof value !== 'object' || value === null) {
    throw shape(`returned ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'high' && key !== 'low') {
      throw shape(`returned an object with the key ${JSON.stringify(key)} (expected high and low)`);
    }
  }
  const groups = value as { high?: unknown; low?: unknown };
  const seen = new Set<string>();
  const high = group(groups.high, 'high', seen);
  const low = group(groups.low, 'low', seen);
  return { high, low };
}

function group(value: unknown, name: string, seen: Set<string>): string[] {
  if (value === undefined || value === null) return [];
  if (!isIterable(value)) throw shape(`.${name} is ${describe(value)}, not an iterable of ids`);
  return ids(value, `getFollowerIds().${name}`, seen);
}

function ids(values: Iterable<unknown>, what: string, seen: Set<string>): string[] {
  const out: string[] = [];
  let i = 0;
  for (const value of values) {
    // The field name is built only for an error (one check per follower on the fan-out path).
    const id = String(isId(value) ? value : assertId(value, `${what}[${i}]`));
    i += 1;
    const size = seen.size;
    seen.add(id); // one hash lookup: a repeat leaves the size as it was
    if (seen.size !== size) out.push(id);
  }
  return out;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

function shape(problem: string): ValidationError {
  return new ValidationError(
    'INVALID_OPTION',
    `manager: getFollowerIds ${problem}; return an iterable of ids or { high, low }`,
  );
}
