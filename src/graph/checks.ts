/**
 * The follow graph's argument checks: user ids, target lists, options and cursors, each refused
 * with a typed error before anything is read or written.
 * @module
 */
import type { Id } from '../activity/ids.js';
import { ValidationError } from '../errors.js';
import { userIdString } from '../feeds/keys.js';
import { decodeCursor } from '../feeds/read-options.js';
import type { RangeBound, Storage, TimelineStorage } from '../storage/contracts.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { show } from '../validation/show.js';
import { intOptionOr, invalidOption, oneOfOption } from '../validation/values.js';
import type {
  FollowGraphLimits,
  FollowGraphOptions,
  FollowPriority,
  GraphFollowOptions,
  GraphPageOptions,
} from './types.js';

/** Validated graph options. */
export interface GraphConfig {
  readonly timeline: TimelineStorage;
  readonly prefix: string;
  readonly maxBatchSize: number;
  readonly maxPageSize: number;
}

const OPTION_KEYS = optionKeys<FollowGraphOptions>({ storage: true, prefix: true, limits: true });
const LIMIT_KEYS = optionKeys<FollowGraphLimits>({ maxBatchSize: true, maxPageSize: true });
const FOLLOW_KEYS = optionKeys<GraphFollowOptions>({ priority: true, time: true });
const PAGE_KEYS = optionKeys<GraphPageOptions>({ limit: true, cursor: true });
const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;
const WHERE = 'createFollowGraph';

/** Checks the options of `createFollowGraph` (`INVALID_OPTION`) and fills defaults. */
export function resolveGraphOptions(options: FollowGraphOptions): GraphConfig {
  checkOptions(options, OPTION_KEYS, WHERE);
  const limits = checkOptions<FollowGraphLimits>(options.limits, LIMIT_KEYS, WHERE, true, {
    path: 'limits',
  });
  const timeline = timelineOf(options.storage);
  const prefix = options.prefix ?? 'graph';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${WHERE}: prefix must match ${PREFIX}, got ${show(prefix)}`,
      { details: { option: 'prefix' } },
    );
  }
  return Object.freeze({
    timeline,
    prefix,
    maxBatchSize: intOptionOr(limits.maxBatchSize, 1000, 'limits.maxBatchSize', 1, 100_000),
    maxPageSize: intOptionOr(limits.maxPageSize, 1000, 'limits.maxPageSize', 1, 100_000),
  });
}

function timelineOf(storage: unknown): TimelineStorage {
  const s = storage as Partial<Storage> & Partial<TimelineStorage>;
  const timeline = typeof s?.timeline === 'object' ? s.timeline : s;
  if (
    typeof timeline !== 'object' ||
    timeline === null ||
    typeof (timeline as Partial<TimelineStorage>).addToMany !== 'function' ||
    typeof (timeline as Partial<TimelineStorage>).removeFromMany !== 'function'
  ) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${WHERE}: storage must be a Storage or a TimelineStorage, e.g. createMemoryStorage()`,
      { details: { option: 'storage' } },
    );
  }
  return timeline as TimelineStorage;
}

/**
 * The string forms of an array of ids, positional (repeats kept). Throws `INVALID_ID` for a bad
 * id or a non-array and `LIMIT_EXCEEDED` above `max`.
 */
export function idArray(value: unknown, max: number, where: string): string[] {
  if (!Array.isArray(value)) {
    throw new ValidationError('INVALID_ID', `${where}: targetIds must be an array of user ids`, {
      details: { field: 'targetIds' },
    });
  }
  if (value.length > max) {
    throw new ValidationError(
      'LIMIT_EXCEEDED',
      `${where}: ${value.length} target ids in one call; the limit is ${max}`,
      { details: { limit: max } },
    );
  }
  return Array.from(value as unknown[], (id, i) =>
    userIdString(id as Id, `${where}: targetIds[${i}]`),
  );
}

/** {@link idArray} of one id or an array, repeats dropped (first position kept). */
export function targetList(value: unknown, max: number, where: string): string[] {
  return [...new Set(idArray(Array.isArray(value) ? value : [value], max, where))];
}

/** Checks `follow`'s options; returns the priority and the time of new edges (ms). */
export function followOptions(options: unknown): { priority: FollowPriority; time: number } {
  const o = checkOptions<GraphFollowOptions>(options, FOLLOW_KEYS, 'follow', true);
  const priority =
    o.priority === undefined ? 'high' : oneOfOption(o.priority, ['high', 'low'], 'priority');
  if (o.time === undefined) return { priority, time: Date.now() };
  if (!(o.time instanceof Date) && typeof o.time !== 'number') {
    throw invalidOption('time', `must be a Date or ms since the epoch, got ${show(o.time)}`);
  }
  const time = o.time instanceof Date ? o.time.getTime() : o.time;
  if (!Number.isSafeInteger(time) || time < 0 || time > MAX_EDGE_TIME_MS) {
    throw invalidOption('time', `must be between 1970 and 9999, got ${show(o.time)}`);
  }
  return { priority, time };
}

/** 9999-12-31T23:59:59.999Z: the latest follow time accepted. */
const MAX_EDGE_TIME_MS = 253_402_300_799_999;

/** A checked page request: its limit and the exclusive upper bound its cursor names. */
export interface PageRequest {
  readonly limit: number;
  readonly max?: RangeBound | undefined;
}

/** Checks a page's options against the graph's `maxPageSize`. */
export function pageRequest(options: unknown, maxPageSize: number, where: string): PageRequest {
  const o = checkOptions<GraphPageOptions>(options, PAGE_KEYS, where, true);
  const limit = intOptionOr(o.limit, Math.min(25, maxPageSize), 'limit', 1, maxPageSize);
  if (o.cursor === undefined) return { limit };
  return { limit, max: { ...decodeCursor(o.cursor), inclusive: false } };
}
