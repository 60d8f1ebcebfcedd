/**
 * `createReactions` options, checked once, and the checks of each call's input: every one runs
 * before the first write, so bad input writes nothing. Internal to reactions.
 * @module
 */
import { toTimeMs } from '../activity/fields.js';
import { copyJsonObject, isPlainObject, type JsonObject } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import { userIdString } from '../feeds/keys.js';
import type { Storage, TimelineStorage } from '../storage/contracts.js';
import { parseFeedRef } from '../validation/names.js';
import { objectOption } from '../validation/objects.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { describe, show } from '../validation/show.js';
import { boolOptionOr, fnOptionOr, intOptionOr, invalidOption } from '../validation/values.js';
import {
  checkKindName,
  checkPrefix,
  checkReactionId,
  checkTargetId,
  type ReactionKeys,
  randomReactionId,
  reactionKeys,
  uniqueReactionId,
} from './layout.js';
import type {
  Reaction,
  ReactionInput,
  ReactionKindOptions,
  ReactionLimits,
  ReactionPublisher,
  ReactionRef,
  ReactionsOptions,
} from './types.js';

const OPTION_KEYS = optionKeys<ReactionsOptions>({
  storage: true,
  prefix: true,
  kinds: true,
  manager: true,
  limits: true,
  now: true,
});
const LIMIT_KEYS = optionKeys<ReactionLimits>({
  maxDataBytes: true,
  maxSummaryActivities: true,
  maxLatest: true,
  maxPageSize: true,
  maxNotify: true,
});
const KIND_KEYS = optionKeys<ReactionKindOptions>({ unique: true });
const INPUT_KEYS = optionKeys<ReactionInput>({
  activityId: true,
  kind: true,
  userId: true,
  id: true,
  data: true,
  time: true,
  notify: true,
  publish: true,
});
const REF_KEYS = optionKeys<ReactionRef>({ activityId: true, kind: true, userId: true, id: true });

/** Checked options of a reactions store. */
export interface ReactionSettings {
  readonly timeline: TimelineStorage;
  readonly keys: ReactionKeys;
  /** Declared kinds (name -> unique), or undefined: any kind, none unique. */
  readonly kinds: ReadonlyMap<string, boolean> | undefined;
  readonly manager: ReactionPublisher | undefined;
  readonly maxDataBytes: number;
  readonly maxSummaryActivities: number;
  readonly maxLatest: number;
  readonly maxPageSize: number;
  readonly maxNotify: number;
  readonly now: () => number;
}

function checkKinds(value: unknown): ReadonlyMap<string, boolean> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw invalidOption(
      'kinds',
      `must be an object of kind name -> options, got ${describe(value)}`,
    );
  }
  const kinds = value;
  const map = new Map<string, boolean>();
  for (const [name, options] of Object.entries(kinds)) {
    checkKindName(name);
    const o = checkOptions<ReactionKindOptions>(options, KIND_KEYS, 'createReactions', true, {
      path: `kinds.${name}`,
    });
    map.set(name, boolOptionOr(o.unique, false, `kinds.${name}.unique`));
  }
  if (map.size === 0) throw invalidOption('kinds', 'must declare at least one kind');
  return map;
}

function checkStorage(storage: unknown): TimelineStorage {
  const timeline = (storage as Partial<Storage> | undefined)?.timeline;
  return objectOption<TimelineStorage>(
    timeline,
    'storage.timeline',
    ['update', 'rangeMany', 'add', 'remove', 'get'],
    'a timeline storage',
  );
}

function checkPublisher(manager: unknown): ReactionPublisher | undefined {
  if (manager === undefined) return undefined;
  return objectOption<ReactionPublisher>(
    manager,
    'manager',
    ['addUserActivity', 'removeUserActivity', 'getFeed'],
    'a manager',
  );
}

/** Checks `createReactions` options. */
export function reactionSettings(options: ReactionsOptions): ReactionSettings {
  const o = checkOptions<ReactionsOptions>(options, OPTION_KEYS, 'createReactions');
  const l = checkOptions<ReactionLimits>(o.limits, LIMIT_KEYS, 'createReactions', true, {
    path: 'limits',
  });
  return {
    timeline: checkStorage(o.storage),
    keys: reactionKeys(o.prefix === undefined ? 'reactions' : checkPrefix(o.prefix)),
    kinds: checkKinds(o.kinds),
    manager: checkPublisher(o.manager),
    maxDataBytes: intOptionOr(l.maxDataBytes, 4096, 'limits.maxDataBytes', 0, 1 << 20),
    maxSummaryActivities: intOptionOr(
      l.maxSummaryActivities,
      100,
      'limits.maxSummaryActivities',
      1,
      10_000,
    ),
    maxLatest: intOptionOr(l.maxLatest, 25, 'limits.maxLatest', 1, 1000),
    maxPageSize: intOptionOr(l.maxPageSize, 100, 'limits.maxPageSize', 1, 10_000),
    maxNotify: intOptionOr(l.maxNotify, 20, 'limits.maxNotify', 0, 100),
    now: fnOptionOr(o.now, Date.now, 'now'),
  };
}

/** Checks a kind against the declared ones; returns whether it is unique. */
export function checkKind(s: ReactionSettings, kind: unknown): { kind: string; unique: boolean } {
  const name = checkKindName(kind);
  if (s.kinds === undefined) return { kind: name, unique: false };
  const unique = s.kinds.get(name);
  if (unique === undefined) {
    throw new ValidationError(
      'INVALID_OPTION',
      `unknown reaction kind ${show(name)}; declared: ${[...s.kinds.keys()].join(', ')}`,
      { details: { field: 'kind', kind: name } },
    );
  }
  return { kind: name, unique };
}

function limitExceeded(message: string, details: Record<string, unknown>): ValidationError {
  return new ValidationError('LIMIT_EXCEEDED', message, { details });
}

function checkData(s: ReactionSettings, data: unknown): JsonObject {
  if (data === undefined) return {};
  const copy = copyJsonObject(data, 'data');
  const bytes = Buffer.byteLength(JSON.stringify(copy), 'utf8');
  if (bytes > s.maxDataBytes) {
    throw limitExceeded(
      `reaction data is ${bytes} bytes of JSON; the limit is ${s.maxDataBytes} (limits.maxDataBytes)`,
      { field: 'data', bytes, limit: s.maxDataBytes },
    );
  }
  return copy;
}

function checkNotify(s: ReactionSettings, notify: unknown): readonly string[] {
  if (notify === undefined) return [];
  if (!Array.isArray(notify)) {
    throw invalidOption('notify', `must be an array of 'feedName:userId', got ${describe(notify)}`);
  }
  if (notify.length > s.maxNotify) {
    throw limitExceeded(
      `a reaction notifies at most ${s.maxNotify} feeds (limits.maxNotify), got ${notify.length}`,
      { field: 'notify', limit: s.maxNotify },
    );
  }
  const refs = new Set<string>();
  for (const ref of notify) {
    const { feed, userId } = parseFeedRef(ref, 'notify');
    // Throws UNKNOWN_FEED now, before anything is written.
    managerOf(s, 'notify').getFeed(feed, userId);
    refs.add(`${feed}:${userId}`);
  }
  return Object.freeze([...refs]);
}

/** The manager, or `INVALID_OPTION` naming the input that needs it. */
export function managerOf(s: ReactionSettings, what: string): ReactionPublisher {
  if (s.manager === undefined) {
    throw invalidOption(what, 'needs a manager: createReactions({ manager })');
  }
  return s.manager;
}

/** Checks `add`'s input and builds the reaction it would store. */
export function checkInput(s: ReactionSettings, input: ReactionInput): Reaction {
  const i = checkOptions<ReactionInput>(input, INPUT_KEYS, 'reactions.add');
  const activityId = checkTargetId(i.activityId);
  const { kind, unique } = checkKind(s, i.kind);
  const userId = userIdString(i.userId as never);
  if (unique && i.id !== undefined) {
    throw invalidOption(
      'id',
      `kind ${kind} is one per user: its reaction id is derived, not given`,
    );
  }
  const id = unique
    ? uniqueReactionId(activityId, kind, userId)
    : i.id === undefined
      ? randomReactionId()
      : checkReactionId(i.id);
  const time = toTimeMs(i.time === undefined ? s.now() : i.time);
  const data = Object.freeze(checkData(s, i.data));
  const notify = checkNotify(s, i.notify);
  const published = boolOptionOr(i.publish, false, 'publish');
  if (published) managerOf(s, 'publish');
  return Object.freeze({
    id,
    activityId,
    kind,
    userId,
    time: new Date(time),
    data,
    notify,
    published,
  });
}

/** Checks `remove`'s reference: the reaction's place and id, and the acting user. */
export function checkRef(
  s: ReactionSettings,
  ref: ReactionRef,
): { activityId: string; kind: string; userId: string; id: string } {
  const r = checkOptions<ReactionRef>(ref, REF_KEYS, 'reactions.remove');
  const activityId = checkTargetId(r.activityId);
  const { kind, unique } = checkKind(s, r.kind);
  const userId = userIdString(r.userId as never);
  const derived = unique ? uniqueReactionId(activityId, kind, userId) : undefined;
  if (r.id === undefined && derived === undefined) {
    throw invalidOption('id', `kind ${kind} allows many reactions per user: give the reaction id`);
  }
  const id = r.id === undefined ? derived! : checkReactionId(r.id);
  return { activityId, kind, userId, id };
}
