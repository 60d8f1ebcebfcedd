import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { fnOption, fnOptionOr, invalidOption } from '../validation/values.js';
import type { GroupRecord } from './group.js';

/**
 * Decides which group an activity joins and how groups rank. Plain functions: no classes.
 * @typeParam E - the activities' extra data type.
 */
export interface Aggregator<E extends ExtraData = JsonObject> {
  /** Name for logs and metrics. */
  readonly name: string;
  /** The group key of an activity; activities with equal keys share one group per feed. */
  readonly groupKey: (activity: Activity<E>) => string;
  /** Sort score of a group (higher ranks first). @default the group's updatedAt in ms */
  readonly rank?: ((group: GroupRecord<E>) => number) | undefined;
}

/** The last day {@link utcDay} formatted (days since the epoch) and its text. */
let lastDay = Number.NaN;
let lastDayText = '';

/**
 * UTC calendar day of a Date, `YYYY-MM-DD`. The last day's text is kept: consecutive activities
 * mostly fall on the same day, and `toISOString` costs about a microsecond.
 */
export function utcDay(time: Date): string {
  const day = Math.floor(time.getTime() / 86_400_000);
  if (day !== lastDay) {
    lastDayText = time.toISOString().slice(0, 10); // throws for an invalid Date, as before
    lastDay = day;
  }
  return lastDayText;
}

function tag(id: Id): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

/** Groups by verb and UTC day: the Python original's `RecentVerbAggregator`. */
export const byVerbAndDay: Aggregator = Object.freeze({
  name: 'verb+day',
  groupKey: (a: Activity) => `${a.verb}|${utcDay(a.time)}`,
});

/** Groups by verb, object and UTC day: the Python original's `NotificationAggregator`. */
export const byVerbObjectAndDay: Aggregator = Object.freeze({
  name: 'verb+object+day',
  groupKey: (a: Activity) => `${a.verb}|${utcDay(a.time)}|${tag(a.object)}`,
});

/**
 * Builds an aggregator from a group-key function and an optional rank.
 * @example
 * const byActor = createAggregator('actor', (a) => String(a.actor));
 */
export function createAggregator<E extends ExtraData = JsonObject>(
  name: string,
  groupKey: (activity: Activity<E>) => string,
  rank?: (group: GroupRecord<E>) => number,
): Aggregator<E> {
  return checkAggregator<E>(Object.freeze({ name, groupKey, rank }), 'createAggregator');
}

const AGGREGATOR_KEYS = optionKeys<Aggregator>({ name: true, groupKey: true, rank: true });

/**
 * Checks an aggregator: an object with only `name` (a non-empty string), `groupKey` (a function)
 * and an optional `rank` (a function). Throws `INVALID_OPTION` naming `where`; returns it.
 */
export function checkAggregator<E extends ExtraData>(value: unknown, where: string): Aggregator<E> {
  const a = checkOptions<Aggregator<E>>(value, AGGREGATOR_KEYS, where);
  if (typeof a.name !== 'string' || a.name.length === 0) {
    throw invalidOption(`${where}.name`, 'must be a non-empty string');
  }
  fnOption(a.groupKey, `${where}.groupKey`);
  fnOptionOr(a.rank, undefined, `${where}.rank`);
  return a as Aggregator<E>;
}
