import { ValidationError } from '../errors.js';
import { isWellFormed } from '../validation/names.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { oneOfOption } from '../validation/values.js';
import { deepFreeze, foreignIdField, maxToOption, toRefs, toTimeMs, verbField } from './fields.js';
import {
  type ActivityIdFormat,
  activityId,
  assertId,
  describe,
  type Id,
  isActivityId,
} from './ids.js';
import { copyJsonObject, type ExtraData, type JsonObject } from './json.js';
import type { Verb, VerbRegistry } from './verbs.js';

export { DEFAULT_MAX_TO, MAX_TO_LIMIT, maxToOption, toTimeMs } from './fields.js';

/**
 * An activity: `actor` did `verb` to `object` (optionally in `target`) at `time`.
 * Activities are immutable values; `id` is deterministic (see {@link createActivity}).
 * @typeParam E - the type of `extra`, the activity's custom JSON data.
 */
export interface Activity<E extends ExtraData = JsonObject> {
  /** Time-sortable id: 20 characters (16 for activities created by version 0.1). */
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
export interface ActivityInput<E extends ExtraData = JsonObject> {
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
  /**
   * Most entries `to` may list (`LIMIT_EXCEEDED` above it, counted before duplicates are
   * removed); at most {@link MAX_TO_LIMIT}. Feeds and the manager apply their own `maxTo` to
   * hand-built activities only.
   * @default 100
   */
  readonly maxTo?: number | undefined;
  /**
   * `'legacy'` builds the 16-character id of version 0.1 (7 base-36 digits of digest, which
   * collide once in a few hundred thousand activities of one millisecond): only to address an
   * activity stored before the upgrade by re-creating it from its foreignId (or fields) and time.
   * @default 'current'
   */
  readonly idFormat?: ActivityIdFormat | undefined;
}

const CREATE_KEYS = optionKeys<CreateActivityOptions>({
  verbs: true,
  now: true,
  maxTo: true,
  idFormat: true,
});
const ID_FORMATS: readonly ActivityIdFormat[] = ['current', 'legacy'];

/** Options of {@link assertActivity}. */
export interface AssertActivityOptions {
  /**
   * Most entries the `to` of a hand-built activity may list (see
   * {@link CreateActivityOptions.maxTo}); activities from createActivity or a serializer were
   * checked when they were made. @default 100
   */
  readonly maxTo?: number | undefined;
}

/** The keys of {@link AssertActivityOptions} (a Set: assertActivity runs once per activity). */
const ASSERT_KEYS: ReadonlySet<string> = new Set(
  optionKeys<AssertActivityOptions>({ maxTo: true }),
);

/**
 * Validates input and builds an immutable {@link Activity}. The id is the time plus a digest of
 * the `foreignId` when one is given (so an update with the same foreignId and time keeps its id),
 * otherwise of actor, verb, object and target: adding the same activity twice is one activity.
 * Throws a {@link ValidationError} on any bad field.
 * @example
 * const a = createActivity({ actor: 1, verb: 'pin', object: 42, target: 7, extra: { itemId: 9 } });
 */
export function createActivity<E extends ExtraData = JsonObject>(
  input: ActivityInput<E>,
  options: CreateActivityOptions = {},
): Activity<E> {
  const o = checkOptions<CreateActivityOptions>(options, CREATE_KEYS, 'createActivity', true);
  const maxTo = maxToOption(o.maxTo);
  const format =
    o.idFormat === undefined ? 'current' : oneOfOption(o.idFormat, ID_FORMATS, 'idFormat');
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `an activity must be an object, got ${describe(input)}`,
    );
  }
  // Each field is read once: what is validated is what is used.
  const { actor: rawActor, object: rawObject, target: rawTarget, verb: rawVerb } = input;
  const { time: rawTime, foreignId: rawForeignId, extra: rawExtra, to: rawTo } = input;
  const actor = assertId(required(rawActor, 'actor'), 'actor');
  const object = assertId(required(rawObject, 'object'), 'object');
  const target =
    rawTarget === undefined || rawTarget === null ? undefined : assertId(rawTarget, 'target');
  const verb = verbName(required(rawVerb, 'verb'), o.verbs);
  const timeMs = toTimeMs(rawTime === undefined ? (o.now ?? Date.now)() : rawTime);
  const foreignId = foreignIdField(rawForeignId, true);
  const extra = (rawExtra === undefined ? {} : deepFreeze(copyJsonObject(rawExtra))) as E;
  const to = toRefs(rawTo, maxTo);
  const identity =
    foreignId !== undefined
      ? foreignIdentity(foreignId)
      : `a\u0000${identityField(`${typeof actor}:${actor}`)}\u0000${identityField(verb)}\u0000${identityField(`${typeof object}:${object}`)}\u0000${target === undefined ? '' : identityField(`${typeof target}:${target}`)}`;
  return freezeActivity({
    id: activityId(timeMs, identity, format),
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

/** The identity hashed into the id of an activity with a foreignId. */
function foreignIdentity(foreignId: string): string {
  return `f\u0000${identityField(foreignId)}`;
}

/**
 * The id {@link createActivity} gives an activity with this `foreignId` and time (in ms, checked
 * by the caller), in `format`: the one get that finds it again.
 */
export function foreignActivityId(
  foreignId: string,
  timeMs: number,
  format: ActivityIdFormat = 'current',
): string {
  return activityId(timeMs, foreignIdentity(foreignId), format);
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

/** A base class whose constructor returns the object it is given (see {@link TrustMark}). */
class ReturnsTarget {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: how TrustMark puts its field on any object
    return target;
  }
}

/**
 * Marks activities built by {@link createActivity} or decoded by a serializer: already validated,
 * so feeds skip re-checking them on the hot path (fan-out checks each activity once per chunk).
 * The mark is a private field put on the object (the base constructor returns it): invisible (no
 * key, not compared by `deepStrictEqual`, not copied by a spread, so a copy is never trusted)
 * and, unlike a `WeakSet` entry (about 0.4 us each, on every activity of every read), about as
 * cheap as setting a property. Marked before the object is frozen.
 */
class TrustMark extends ReturnsTarget {
  #trusted = true;

  /**
   * Marks `value` as validated: an object its caller has just built, so neither marked (a second
   * mark throws a TypeError) nor frozen (the mark would not be put on).
   */
  static mark(value: object): void {
    new TrustMark(value);
  }

  /** Whether `value` was marked. */
  static has(value: object): boolean {
    return #trusted in value;
  }
}

/**
 * Freezes an activity (and its `to` list) without copying and marks it validated; used by
 * createActivity and decoders, on an object they have just built (a second mark would throw).
 * Runs for every activity of every page read: a `to` already frozen (the decoders' shared empty
 * list) is left alone, and the mark is put on without checks (together 30-40 ns of 150).
 */
export function freezeActivity<E extends ExtraData>(activity: Activity<E>): Activity<E> {
  if (!Object.isFrozen(activity.to)) Object.freeze(activity.to);
  TrustMark.mark(activity);
  return Object.freeze(activity);
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
  const name = verbField(typeof verb === 'object' && verb !== null ? verb.name : verb, verb);
  if (verbs) verbs.require(name);
  return name;
}

/**
 * Checks that a value given to a feed is a well-formed activity (any object with the fields of
 * {@link Activity}; subclass-like or user-built objects are accepted, not only createActivity's)
 * and returns what was validated: the value itself when createActivity built it or a serializer
 * decoded it (already frozen), otherwise a frozen copy, so that mutating the caller's object
 * afterwards cannot change what is stored. Use the returned activity, never the input. With
 * `verbs`, the verb must be registered. Throws a {@link ValidationError}.
 */
export function assertActivity<E extends ExtraData = JsonObject>(
  value: unknown,
  verbs?: VerbRegistry,
  options?: AssertActivityOptions,
): Activity<E> {
  const maxTo = maxToOption(
    checkOptions<AssertActivityOptions>(options, ASSERT_KEYS, 'assertActivity', true).maxTo,
  );
  if (typeof value !== 'object' || value === null) {
    throw new ValidationError('INVALID_ACTIVITY', `expected an activity, got ${describe(value)}`);
  }
  if (TrustMark.has(value)) {
    const a = value as Activity<E>;
    if (verbs) verbs.require(a.verb);
    return a; // its to was checked when it was created (with the creator's maxTo) or stored
  }
  // Each field is read once: a getter cannot show one value to the checks and another to storage.
  const { id, actor, verb, object, target, time, foreignId, extra, to } = value as Partial<
    Record<keyof Activity, unknown>
  >;
  if (!isActivityId(id)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `activity id must be an id from createActivity() (20 characters, or 16 for legacy ids), got ${describe(id)}`,
      { details: { field: 'id' } },
    );
  }
  const checkedActor = assertId(actor, 'actor');
  const checkedObject = assertId(object, 'object');
  const checkedTarget = target === undefined ? undefined : assertId(target, 'target');
  if (typeof verb !== 'string' || verb.length === 0 || !isWellFormed(verb)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `activity verb must be a non-empty string, got ${describe(verb)}`,
      { details: { field: 'verb' } },
    );
  }
  if (verbs) verbs.require(verb);
  if (!(time instanceof Date)) {
    throw new ValidationError(
      'INVALID_TIME',
      `activity time must be a Date, got ${describe(time)}`,
      {
        details: { field: 'time' },
      },
    );
  }
  const timeMs = toTimeMs(time);
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new ValidationError(
      'INVALID_EXTRA',
      `activity extra must be a JSON object, got ${describe(extra)}`,
      { details: { field: 'extra' } },
    );
  }
  if (!Array.isArray(to)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `activity to must be an array, got ${describe(to)}`,
      {
        details: { field: 'to' },
      },
    );
  }
  return freezeActivity<E>({
    id,
    actor: checkedActor,
    verb,
    object: checkedObject,
    target: checkedTarget,
    time: new Date(timeMs),
    foreignId: foreignIdField(foreignId, false),
    extra: deepFreeze(copyJsonObject(extra)) as E,
    to: toRefs(to, maxTo),
  });
}
