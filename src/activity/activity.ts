import { ValidationError } from '../errors.js';
import { isWellFormed, parseFeedRef } from '../validation/names.js';
import { activityId, assertId, describe, type Id, isActivityId, MAX_TIME_MS } from './ids.js';
import { copyJsonObject, type JsonObject } from './json.js';
import type { Verb, VerbRegistry } from './verbs.js';

/**
 * An activity: `actor` did `verb` to `object` (optionally in `target`) at `time`.
 * Activities are immutable values; `id` is deterministic (see {@link createActivity}).
 * @typeParam E - the type of `extra`, the activity's custom JSON data.
 */
export interface Activity<E extends JsonObject = JsonObject> {
  /** Fixed-width, time-sortable id (16 characters). */
  readonly id: string;
  readonly actor: Id;
  /** Verb name, e.g. `'pin'`. */
  readonly verb: string;
  readonly object: Id;
  readonly target?: Id | undefined;
  readonly time: Date;
  /** The caller's own id for this activity; when set, it (with `time`) defines the activity id. */
  readonly foreignId?: string | undefined;
  /** Custom JSON data. */
  readonly extra: E;
  /** Extra feeds to copy the activity into, as `'feedName:userId'` references. */
  readonly to: readonly string[];
}

/** What {@link createActivity} accepts. */
export interface ActivityInput<E extends JsonObject = JsonObject> {
  readonly actor: Id;
  readonly verb: string | Verb;
  readonly object: Id;
  readonly target?: Id | null | undefined;
  /** A Date, ms since the epoch, or an ISO-8601 string. @default now */
  readonly time?: Date | number | string | undefined;
  readonly foreignId?: string | null | undefined;
  readonly extra?: E | undefined;
  readonly to?: readonly string[] | undefined;
}

/** Options of {@link createActivity}. */
export interface CreateActivityOptions {
  /** When given, the verb must be registered here (`UNKNOWN_VERB` otherwise). */
  readonly verbs?: VerbRegistry | undefined;
  /** Clock used when `time` is omitted. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/**
 * Validates input and builds an immutable {@link Activity}. The id is the time plus a digest of
 * the `foreignId` when one is given (so an update with the same foreignId and time keeps its id),
 * otherwise of actor, verb, object and target: adding the same activity twice is one activity.
 * Throws a {@link ValidationError} on any bad field.
 * @example
 * const a = createActivity({ actor: 1, verb: 'pin', object: 42, target: 7, extra: { itemId: 9 } });
 */
export function createActivity<E extends JsonObject = JsonObject>(
  input: ActivityInput<E>,
  options: CreateActivityOptions = {},
): Activity<E> {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `an activity must be an object, got ${describe(input)}`,
    );
  }
  const actor = assertId(required(input.actor, 'actor'), 'actor');
  const object = assertId(required(input.object, 'object'), 'object');
  const target =
    input.target === undefined || input.target === null
      ? undefined
      : assertId(input.target, 'target');
  const verb = verbName(required(input.verb, 'verb'), options.verbs);
  const timeMs = toTimeMs(input.time === undefined ? (options.now ?? Date.now)() : input.time);
  let foreignId: string | undefined;
  if (input.foreignId !== undefined && input.foreignId !== null) {
    if (
      typeof input.foreignId !== 'string' ||
      input.foreignId.length === 0 ||
      input.foreignId.length > 512 ||
      !isWellFormed(input.foreignId)
    ) {
      throw new ValidationError(
        'INVALID_ACTIVITY',
        `foreignId must be a non-empty, well-formed string of at most 512 characters, got ${describe(input.foreignId)}`,
        { details: { field: 'foreignId' } },
      );
    }
    foreignId = input.foreignId;
  }
  const extra = (input.extra === undefined ? {} : deepFreeze(copyJsonObject(input.extra))) as E;
  const to = toRefs(input.to);
  const identity =
    foreignId !== undefined
      ? `f\u0000${identityField(foreignId)}`
      : `a\u0000${identityField(`${typeof actor}:${actor}`)}\u0000${identityField(verb)}\u0000${identityField(`${typeof object}:${object}`)}\u0000${target === undefined ? '' : identityField(`${typeof target}:${target}`)}`;
  return freezeActivity({
    id: activityId(timeMs, identity),
    actor,
    verb,
    object,
    target,
    time: new Date(timeMs),
    foreignId,
    extra,
    to,
  });
}

/**
 * One field of an activity's identity. A field holding a NUL (the separator) or a lone surrogate
 * (which UTF-8 hashing would turn into U+FFFD) becomes NUL + its JSON form, so distinct fields
 * never hash alike; every other field is kept as is, so ordinary ids are unaffected.
 */
function identityField(field: string): string {
  return field.includes('\u0000') || !isWellFormed(field)
    ? `\u0000${JSON.stringify(field)}`
    : field;
}

/**
 * Activities built by {@link createActivity} or decoded by a serializer: already validated, so
 * feeds skip re-checking them on the hot path (fan-out checks each activity once per chunk).
 */
const trusted = new WeakSet<object>();

/** Freezes an activity (and its `to` list) without copying and marks it validated; used by decoders. */
export function freezeActivity<E extends JsonObject>(activity: Activity<E>): Activity<E> {
  Object.freeze(activity.to);
  trusted.add(activity);
  return Object.freeze(activity);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null) {
    throw new ValidationError('INVALID_ACTIVITY', `activity field ${field} is required`, {
      details: { field },
    });
  }
  return value;
}

function verbName(verb: string | Verb, verbs: VerbRegistry | undefined): string {
  let name: unknown = verb;
  if (typeof verb === 'object' && verb !== null) name = verb.name;
  if (typeof name !== 'string' || name.length === 0 || !isWellFormed(name)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `verb must be a well-formed verb name or a Verb, got ${describe(verb)}`,
      { details: { field: 'verb' } },
    );
  }
  if (verbs) verbs.require(name);
  return name;
}

/** Converts a Date, ms number or ISO string to ms since the epoch; throws `INVALID_TIME`. */
export function toTimeMs(time: unknown): number {
  let ms: number;
  if (time instanceof Date) ms = time.getTime();
  else if (typeof time === 'number') ms = time;
  else if (typeof time === 'string' && time.length > 0 && time.length < 64) ms = Date.parse(time);
  else
    throw new ValidationError(
      'INVALID_TIME',
      `time must be a Date, a number of ms or an ISO string, got ${describe(time)}`,
      { details: { field: 'time' } },
    );
  if (!Number.isFinite(ms)) {
    throw new ValidationError('INVALID_TIME', `time is not a valid date: ${describe(time)}`, {
      details: { field: 'time' },
    });
  }
  ms = Math.floor(ms);
  if (ms < 0 || ms > MAX_TIME_MS) {
    throw new ValidationError(
      'INVALID_TIME',
      `time must lie between 1970-01-01 and the year 5188, got ${describe(time)}`,
      { details: { field: 'time' } },
    );
  }
  return ms;
}

function toRefs(to: unknown): string[] {
  if (to === undefined || to === null) return [];
  if (!Array.isArray(to)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `to must be an array of 'feedName:userId' strings, got ${describe(to)}`,
      { details: { field: 'to' } },
    );
  }
  const refs = new Set<string>(); // linear: a Set, not includes() per entry
  for (const ref of to) {
    parseFeedRef(ref);
    refs.add(ref as string);
  }
  return [...refs];
}

/**
 * Checks that a value given to a feed is a well-formed activity (any object with the fields of
 * {@link Activity}; subclass-like or user-built objects are accepted, not only createActivity's).
 * With `verbs`, the verb must be registered. Throws a {@link ValidationError}.
 */
export function assertActivity<E extends JsonObject>(
  value: unknown,
  verbs?: VerbRegistry,
): Activity<E> {
  if (typeof value !== 'object' || value === null) {
    throw new ValidationError('INVALID_ACTIVITY', `expected an activity, got ${describe(value)}`);
  }
  if (trusted.has(value)) {
    if (verbs) verbs.require((value as Activity<E>).verb);
    return value as Activity<E>;
  }
  const a = value as Partial<Activity<E>>;
  if (typeof a.id !== 'string' || !isActivityId(a.id)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `activity id must be a 16-character id from createActivity(), got ${describe(a.id)}`,
      { details: { field: 'id' } },
    );
  }
  assertId(a.actor, 'actor');
  assertId(a.object, 'object');
  if (a.target !== undefined) assertId(a.target, 'target');
  if (typeof a.verb !== 'string' || a.verb.length === 0 || !isWellFormed(a.verb)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `activity verb must be a non-empty string, got ${describe(a.verb)}`,
      { details: { field: 'verb' } },
    );
  }
  if (verbs) verbs.require(a.verb);
  if (!(a.time instanceof Date) || !Number.isFinite(a.time.getTime())) {
    throw new ValidationError(
      'INVALID_TIME',
      `activity time must be a valid Date, got ${describe(a.time)}`,
      { details: { field: 'time' } },
    );
  }
  if (typeof a.extra !== 'object' || a.extra === null || Array.isArray(a.extra)) {
    throw new ValidationError(
      'INVALID_EXTRA',
      `activity extra must be a JSON object, got ${describe(a.extra)}`,
      { details: { field: 'extra' } },
    );
  }
  if (!Array.isArray(a.to)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `activity to must be an array, got ${describe(a.to)}`,
      { details: { field: 'to' } },
    );
  }
  // What a user-built activity must also satisfy so that nothing stored is unreadable later.
  toTimeMs(a.time);
  const f = a.foreignId;
  if (
    f !== undefined &&
    (typeof f !== 'string' || f.length === 0 || f.length > 512 || !isWellFormed(f))
  ) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `activity ${a.id}: foreignId must be a non-empty string of at most 512 characters`,
      { details: { field: 'foreignId' } },
    );
  }
  toRefs(a.to);
  copyJsonObject(a.extra);
  return a as Activity<E>;
}
