/**
 * The numbers of a group given to `addGroups`: counts and times, checked against what a group may
 * hold before anything is written. Internal to the feeds layer.
 * @module
 */
import { MAX_TIME_MS } from '../../activity/ids.js';
import { MAX_GROUP_COUNT } from '../../aggregation/group.js';
import { ValidationError } from '../../errors.js';
import { intValue } from '../../validation/values.js';

/** The checked numbers of a group. */
export interface GroupNumbers {
  readonly activityCount: number;
  readonly actorCount: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * Checks a group's `activityCount` (an integer from `retained` to {@link MAX_GROUP_COUNT}),
 * `actorCount` (1 to {@link MAX_GROUP_COUNT}) and times (dates from the epoch to the last time an
 * activity id can hold). Throws `LIMIT_EXCEEDED` for a count
 * above the bound, `INVALID_TIME` for a bad time and `INVALID_ACTIVITY` otherwise, prefixed by
 * `what`.
 */
export function checkGroupNumbers(
  group: {
    readonly activityCount: unknown;
    readonly actorCount: unknown;
    readonly createdAt: unknown;
    readonly updatedAt: unknown;
  },
  retained: number,
  what: string,
): GroupNumbers {
  const activityCount = count(group.activityCount, 'activityCount', retained, what);
  const actorCount = count(group.actorCount, 'actorCount', 1, what);
  const [createdAt, updatedAt] = [group.createdAt, group.updatedAt].map((d) =>
    d instanceof Date ? d.getTime() : Number.NaN,
  ) as [number, number];
  if (!inTimeRange(createdAt) || !inTimeRange(updatedAt)) {
    throw new ValidationError(
      'INVALID_TIME',
      `${what}: createdAt and updatedAt must be dates from 1970 to ${new Date(MAX_TIME_MS).toISOString()}`,
      { details: { field: 'group' } },
    );
  }
  return { activityCount, actorCount, createdAt, updatedAt };
}

function inTimeRange(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_TIME_MS;
}

function count(value: unknown, field: string, min: number, what: string): number {
  return intValue(
    value,
    { name: field, where: what, code: 'INVALID_ACTIVITY', detail: 'field' },
    min,
    MAX_GROUP_COUNT,
  );
}
