/**
 * Task payloads: what the manager hands to a task queue and a worker runs with `manager.runTask`.
 * Tasks are plain, versioned JSON: feed names, user ids and encoded activities, never classes,
 * closures or pickles (the original's pickled Celery arguments broke with JSON: SF#77, SF#202,
 * SF#203). Every task is idempotent, so a queue may deliver it more than once.
 * @module
 */
import { describe, isActivityId, MAX_ID_LENGTH } from '../activity/ids.js';
import { ValidationError } from '../errors.js';

/** Version of the task format, written as `v` in every task. */
export const TASK_VERSION = 1;

/** Bounds {@link parseTask} enforces, so a malformed or hostile job cannot make a worker explode. */
export const TASK_LIMITS: Readonly<{
  /** Most user ids in one fan-out task. */
  userIds: number;
  /** Most activities (payloads plus ids) in one fan-out task. */
  activities: number;
  /** Most target ids in one follow or unfollow task. */
  targetIds: number;
  /** Largest `limit` of a follow task. */
  followLimit: number;
  /** Longest encoded activity payload, in characters. */
  payloadLength: number;
}> = Object.freeze({
  userIds: 10_000,
  activities: 10_000,
  targetIds: 10_000,
  followLimit: 1_000_000,
  payloadLength: 1_048_576,
});

/**
 * Adds activities to (`op: 'add'`) or removes them from (`op: 'remove'`) the feed `feed` of each
 * of `userIds`. `activities` are payloads encoded with the manager's serializer; a removal whose
 * activity is no longer known carries bare activity ids in `ids` instead.
 */
export interface FanoutTask {
  readonly v: 1;
  readonly type: 'fanout';
  readonly op: 'add' | 'remove';
  /** Registry name of the feed definition. */
  readonly feed: string;
  /** Users whose feed is written, in string form. */
  readonly userIds: readonly string[];
  /** Activities encoded with the manager's serializer. */
  readonly activities: readonly string[];
  /** Removals only: ids of activities whose payload is gone. */
  readonly ids?: readonly string[] | undefined;
  /**
   * Adds only: the versions the feeds may hold of some of `activities` (same ids), encoded like
   * them. An update whose group key changed (e.g. a new verb) moves the activity out of the old
   * version's group in the same atomic write that adds it to its new group.
   */
  readonly previous?: readonly string[] | undefined;
  /** Trim the feeds to their maxLength after adding. */
  readonly trim: boolean;
  /**
   * Adds of a manager in hybrid or pull fan-out mode only: the producer and what its publish
   * decided for every edge, so a worker decides each consumer's edge without reading the
   * producer's counters (flat feeds; other kinds ignore it).
   */
  readonly pull?: FanoutPull | undefined;
  /**
   * The W3C `traceparent` of the call that enqueued the task, when the manager traces (see
   * `createOpenTelemetryTracing`): the task's span is its child. Optional: tasks without it run.
   */
  readonly trace?: string | undefined;
}

/** The producer-level facts a hybrid fan-out task carries (see {@link FanoutTask.pull}). */
export interface FanoutPull {
  /** The producer (the activities' owner), in string form. */
  readonly producer: string;
  /** Its post rate at publish time, events per day: a finite number >= 0. */
  readonly rate: number;
  /** Every edge of this fan-out is pulled (pull mode, a celebrity or a hot producer). */
  readonly all: boolean;
}

/** Trims the feed `feed` of each of `userIds` to its maxLength (the end of a batch import). */
export interface TrimTask {
  readonly v: 1;
  readonly type: 'trim';
  /** Registry name of the feed definition. */
  readonly feed: string;
  /** Users whose feed is trimmed, in string form. */
  readonly userIds: readonly string[];
  /**
   * The W3C `traceparent` of the call that enqueued the task, when the manager traces (see
   * `createOpenTelemetryTracing`): the task's span is its child. Optional: tasks without it run.
   */
  readonly trace?: string | undefined;
}

/** Copies the newest `limit` activities of each target's user feed into `userId`'s fan-out feeds. */
export interface FollowTask {
  readonly v: 1;
  readonly type: 'follow';
  readonly userId: string;
  readonly targetIds: readonly string[];
  readonly limit: number;
  /**
   * The W3C `traceparent` of the call that enqueued the task, when the manager traces (see
   * `createOpenTelemetryTracing`): the task's span is its child. Optional: tasks without it run.
   */
  readonly trace?: string | undefined;
}

/** Removes the targets' activities from `userId`'s fan-out feeds, unless `keepHistory`. */
export interface UnfollowTask {
  readonly v: 1;
  readonly type: 'unfollow';
  readonly userId: string;
  readonly targetIds: readonly string[];
  readonly keepHistory: boolean;
  /**
   * The W3C `traceparent` of the call that enqueued the task, when the manager traces (see
   * `createOpenTelemetryTracing`): the task's span is its child. Optional: tasks without it run.
   */
  readonly trace?: string | undefined;
}

/** Any task the manager creates. */
export type Task = FanoutTask | FollowTask | UnfollowTask | TrimTask;

/** Fan-out priority group (the original's `FanoutPriority.HIGH` / `LOW`). */
export type TaskPriority = 'high' | 'low';

const FEED_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const KEYS: Record<Task['type'], readonly string[]> = {
  fanout: [
    'v',
    'type',
    'op',
    'feed',
    'userIds',
    'activities',
    'ids',
    'previous',
    'trim',
    'pull',
    'trace',
  ],
  follow: ['v', 'type', 'userId', 'targetIds', 'limit', 'trace'],
  unfollow: ['v', 'type', 'userId', 'targetIds', 'keepHistory', 'trace'],
  trim: ['v', 'type', 'feed', 'userIds', 'trace'],
};

/**
 * Validates a task received from a queue (already JSON-parsed, or a JSON string) and returns it
 * as a typed, frozen {@link Task}. Strict: wrong version, unknown type, op or key, bad ids,
 * non-string activities and oversized lists are rejected with a {@link ValidationError} of code
 * `INVALID_TASK`. A worker should fail such a job permanently: retrying cannot fix it.
 * @example
 * const task = parseTask(job.data); // then manager.runTask(task)
 */
export function parseTask(json: unknown): Task {
  let value = json;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (cause) {
      throw invalid('a task string must be JSON', cause);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`a task must be a JSON object, got ${describe(value)}`);
  }
  const t = value as Record<string, unknown>;
  if (t.v !== TASK_VERSION) {
    throw invalid(`unsupported task version ${show(t.v)}; this worker reads v${TASK_VERSION}`);
  }
  const type = t.type;
  if (type !== 'fanout' && type !== 'follow' && type !== 'unfollow' && type !== 'trim') {
    throw invalid(`unknown task type ${show(type)}; expected fanout, follow, unfollow or trim`);
  }
  for (const key of Object.keys(t)) {
    if (!KEYS[type].includes(key)) throw invalid(`unknown key ${show(key)} in a ${type} task`);
  }
  const trace = t.trace === undefined ? {} : { trace: traceField(t.trace) };
  if (type === 'fanout') return parseFanout(t, trace);
  if (type === 'trim') {
    return freeze({
      v: 1,
      type,
      feed: feedField(t.feed, 'trim'),
      userIds: idList(t.userIds, 'userIds', TASK_LIMITS.userIds),
      ...trace,
    });
  }
  const userId = userIdField(t.userId, 'userId');
  const targetIds = idList(t.targetIds, 'targetIds', TASK_LIMITS.targetIds);
  if (type === 'follow') {
    const limit = t.limit;
    if (!Number.isSafeInteger(limit) || (limit as number) < 0) {
      throw invalid(`follow task limit must be an integer >= 0, got ${show(limit)}`);
    }
    if ((limit as number) > TASK_LIMITS.followLimit) {
      throw invalid(`follow task limit ${limit} exceeds ${TASK_LIMITS.followLimit}`);
    }
    return freeze({ v: 1, type, userId, targetIds, limit: limit as number, ...trace });
  }
  if (typeof t.keepHistory !== 'boolean') {
    throw invalid(`unfollow task keepHistory must be a boolean, got ${show(t.keepHistory)}`);
  }
  return freeze({ v: 1, type, userId, targetIds, keepHistory: t.keepHistory, ...trace });
}

function parseFanout(t: Record<string, unknown>, trace: { trace?: string }): FanoutTask {
  if (t.op !== 'add' && t.op !== 'remove') {
    throw invalid(`unknown fanout op ${show(t.op)}; expected add or remove`);
  }
  const feed = feedField(t.feed, 'fanout');
  if (typeof t.trim !== 'boolean') {
    throw invalid(`fanout task trim must be a boolean, got ${show(t.trim)}`);
  }
  const userIds = idList(t.userIds, 'userIds', TASK_LIMITS.userIds);
  if (!Array.isArray(t.activities)) {
    throw invalid(`fanout task activities must be an array, got ${describe(t.activities)}`);
  }
  const activities = payloadList(t.activities, 'activities');
  let previous: string[] | undefined;
  if (t.previous !== undefined) {
    if (t.op !== 'add') throw invalid('only add tasks may carry previous versions');
    if (!Array.isArray(t.previous)) throw invalid('fanout task previous must be an array');
    previous = payloadList(t.previous, 'previous');
    if (previous.length > activities.length) {
      throw invalid('fanout task carries more previous versions than activities');
    }
  }
  let ids: string[] | undefined;
  if (t.ids !== undefined) {
    if (t.op !== 'remove') throw invalid('only remove tasks may carry ids');
    if (!Array.isArray(t.ids)) throw invalid(`fanout task ids must be an array`);
    ids = t.ids.map((id, i) => {
      if (!isActivityId(id)) throw invalid(`fanout task ids[${i}] is not an activity id`);
      return id;
    });
  }
  const total = activities.length + (ids?.length ?? 0);
  if (total === 0) throw invalid('a fanout task must carry at least one activity');
  if (total > TASK_LIMITS.activities) {
    throw invalid(
      `fanout task carries ${total} activities; the limit is ${TASK_LIMITS.activities}`,
    );
  }
  const task: FanoutTask = {
    v: 1,
    type: 'fanout',
    op: t.op,
    feed,
    userIds,
    activities,
    ...(ids === undefined ? {} : { ids }),
    ...(previous === undefined ? {} : { previous }),
    trim: t.trim,
    ...(t.pull === undefined ? {} : { pull: parsePull(t.pull, t.op) }),
    ...trace,
  };
  return freeze(task);
}

function parsePull(value: unknown, op: unknown): FanoutPull {
  if (op !== 'add') throw invalid('only add tasks may carry pull');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`fanout task pull must be an object, got ${describe(value)}`);
  }
  const p = value as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (key !== 'producer' && key !== 'rate' && key !== 'all') {
      throw invalid(`fanout task pull has an unknown key ${show(key)}`);
    }
  }
  if (typeof p.rate !== 'number' || !Number.isFinite(p.rate) || p.rate < 0) {
    throw invalid(`fanout task pull.rate must be a finite number >= 0, got ${show(p.rate)}`);
  }
  if (typeof p.all !== 'boolean') {
    throw invalid(`fanout task pull.all must be a boolean, got ${show(p.all)}`);
  }
  const producer = userIdField(p.producer, 'pull.producer');
  return Object.freeze({ producer, rate: p.rate, all: p.all });
}

/** A W3C `traceparent` (version 00, lowercase hex, ids not all zeros). */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

function traceField(value: unknown): string {
  if (typeof value !== 'string' || !TRACEPARENT.test(value)) {
    throw invalid(
      `task trace must be a W3C traceparent (00-<trace id>-<span id>-<flags>), got ${show(value)}`,
    );
  }
  return value;
}

function feedField(value: unknown, type: string): string {
  if (typeof value !== 'string' || !FEED_NAME.test(value)) {
    throw invalid(`${type} task feed must be a feed name, got ${show(value)}`);
  }
  return value;
}

function payloadList(list: readonly unknown[], field: string): string[] {
  return list.map((payload, i) => {
    if (typeof payload !== 'string' || payload.length === 0) {
      throw invalid(`fanout task ${field}[${i}] must be an encoded activity string`);
    }
    if (payload.length > TASK_LIMITS.payloadLength) {
      throw invalid(`fanout task ${field}[${i}] is longer than ${TASK_LIMITS.payloadLength}`);
    }
    return payload;
  });
}

function idList(value: unknown, field: string, max: number): string[] {
  if (!Array.isArray(value))
    throw invalid(`task ${field} must be an array, got ${describe(value)}`);
  if (value.length === 0) throw invalid(`task ${field} must not be empty`);
  if (value.length > max) {
    throw invalid(`task ${field} holds ${value.length} ids; the limit is ${max}`);
  }
  // The field name is built only for an error (one check per follower on the fan-out path).
  return value.map((id, i) => (isUserId(id) ? id : userIdField(id, `${field}[${i}]`)));
}

function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function userIdField(value: unknown, field: string): string {
  if (!isUserId(value)) {
    throw invalid(
      `task ${field} must be a non-empty string of at most ${MAX_ID_LENGTH} characters, got ${describe(value)}`,
    );
  }
  return value;
}

function freeze<T extends Task>(task: T): T {
  for (const v of Object.values(task)) if (Array.isArray(v)) Object.freeze(v);
  return Object.freeze(task);
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : describe(value);
}

function invalid(reason: string, cause?: unknown): ValidationError {
  return new ValidationError('INVALID_TASK', `invalid task: ${reason}`, {
    cause,
    details: { reason },
  });
}
