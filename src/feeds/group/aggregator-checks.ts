/**
 * Checks of what an aggregator returns, run before a write stores anything: a group key must be
 * 1 to 1024 well-formed characters, and a rank a safe integer. Internal to the feeds layer.
 * @module
 */
import type { Activity } from '../../activity/activity.js';
import type { ExtraData } from '../../activity/json.js';
import type { Aggregator } from '../../aggregation/aggregators.js';
import { type GroupLimits, type GroupRecord, mergeIntoGroup } from '../../aggregation/group.js';
import { ValidationError } from '../../errors.js';
import { isWellFormed } from '../../validation/names.js';
import { show } from '../../validation/show.js';

/** Longest group key an aggregator may return. */
const MAX_GROUP_KEY_LENGTH = 1024;

/** The aggregator's group key of an activity: 1 to 1024 characters, else `INVALID_OPTION`. */
export function groupKeyOf<E extends ExtraData>(
  aggregator: Aggregator<E>,
  activity: Activity<E>,
  what: string,
): string {
  const key: unknown = aggregator.groupKey(activity);
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_GROUP_KEY_LENGTH) {
    throw aggregatorError(
      aggregator,
      what,
      `must return a group key of 1 to ${MAX_GROUP_KEY_LENGTH} characters, got ${show(key)}`,
    );
  }
  return key;
}

/** A group of a write: its id, key and activities. */
interface BatchGroup<E extends ExtraData> {
  readonly id: string;
  readonly group: string;
  readonly activities: readonly Activity<E>[];
}

/**
 * Checks the groups of a write before anything is stored: each group key is well-formed UTF-16
 * (a lone surrogate would make two keys one group id in UTF-8), and, when the aggregator ranks
 * groups itself, the rank of the group these activities alone would make is a safe integer (the
 * rank a merge computes later, inside the atomic update, is checked again there). Throws
 * `INVALID_OPTION` naming the aggregator.
 */
export function checkBatchGroups<E extends ExtraData>(
  aggregator: Aggregator<E>,
  limits: GroupLimits,
  groups: readonly BatchGroup<E>[],
  what: string,
): void {
  for (const g of groups) {
    if (!isWellFormed(g.group)) {
      throw aggregatorError(
        aggregator,
        what,
        `returned a group key with a lone surrogate: ${show(g.group)}`,
      );
    }
  }
  if (!aggregator.rank) return;
  for (const g of groups) {
    const record = mergeIntoGroup(undefined, g.id, g.group, g.activities, limits);
    if (record) checkRank(aggregator, record, what);
  }
}

/** Checks the rank the aggregator gives each of `records`; throws `INVALID_OPTION`. */
export function checkRanks<E extends ExtraData>(
  aggregator: Aggregator<E>,
  records: readonly GroupRecord<E>[],
  what: string,
): void {
  if (aggregator.rank) for (const record of records) checkRank(aggregator, record, what);
}

function checkRank<E extends ExtraData>(
  aggregator: Aggregator<E>,
  record: GroupRecord<E>,
  what: string,
): void {
  const score: unknown = aggregator.rank?.(record);
  if (!Number.isSafeInteger(score)) {
    throw aggregatorError(
      aggregator,
      what,
      `must rank groups with safe integers, got ${show(score)} for group ${show(record.group)}`,
    );
  }
}

function aggregatorError<E extends ExtraData>(
  aggregator: Aggregator<E>,
  what: string,
  message: string,
): ValidationError {
  return new ValidationError(
    'INVALID_OPTION',
    `${what}: aggregator ${aggregator.name} ${message}`,
    {
      details: { option: 'aggregator' },
    },
  );
}
