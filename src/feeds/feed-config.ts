import { type Activity, assertActivity, maxToOption } from '../activity/activity.js';
import { type Id, isActivityId, show } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import type { VerbRegistry } from '../activity/verbs.js';
import { ValidationError } from '../errors.js';
import { type Metrics, noopMetrics } from '../metrics/metrics.js';
import { createJsonSerializer } from '../serialization/json-serializer.js';
import type { Serializer } from '../serialization/serializer.js';
import type { Storage } from '../storage/contracts.js';
import { intOptionOr } from '../util/int-option.js';
import { isWellFormed } from '../validation/names.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { boolOptionOr, fnOptionOr } from '../validation/values.js';
import { assertFeedName, defaultFeedKey, userIdString } from './keys.js';
import { chanceOption, checkBatch, metricsOption, objectOption } from './options.js';

/** Options shared by every feed kind. */
export interface FeedOptions {
  /** Registry name of the feed: what tasks and `to` references use. A letter then `[A-Za-z0-9_-]`. */
  readonly name: string;
  /** Backend holding the feed (e.g. `createMemoryStorage()`). */
  readonly storage: Storage;
  /** Storage key of a user's feed (the original's `key_format`). @default `${name}:${escaped userId}` */
  readonly key?: ((userId: string) => string) | undefined;
  /** Entries kept per feed (the original's `max_length`). @default 100 */
  readonly maxLength?: number | undefined;
  /** Payload codec. @default createJsonSerializer() */
  readonly serializer?: Serializer | undefined;
  /** When given, every activity's verb must be registered here. */
  readonly verbs?: VerbRegistry | undefined;
  /** Metrics hooks. @default noopMetrics */
  readonly metrics?: Metrics | undefined;
  /**
   * When a feed is trimmed to `maxLength`. @default undefined: every write trims, atomically in the
   * same storage call (deterministic)
   */
  readonly trim?: TrimOptions | undefined;
  /** Bounds on reads and writes. @default see {@link FeedLimits} */
  readonly limits?: FeedLimits | undefined;
}

/**
 * The original's `trim_chance` (`trim` of {@link FeedOptions}): writes do not trim; a trim to
 * `maxLength` runs after a write with probability `chance`, so a feed may briefly hold more.
 * @example
 * defineFlatFeed({ name: 'timeline', storage, maxLength: 1000, trim: { chance: 0.1 } });
 */
export interface TrimOptions {
  /** Probability, from 0 to 1, that a write is followed by a trim. */
  readonly chance: number;
  /** Random source, injectable for tests. @default Math.random */
  readonly random?: (() => number) | undefined;
}

/** Bounds on one read or write of a feed (`limits` of {@link FeedOptions}). */
export interface FeedLimits {
  /** Largest `limit` a read accepts. @default 1000 */
  readonly maxPageSize?: number | undefined;
  /** Most activities accepted by one write call. @default 10000 */
  readonly maxBatchSize?: number | undefined;
  /**
   * Most entries the `to` of a hand-built activity may list (`LIMIT_EXCEEDED` above it);
   * activities from `createActivity` were checked with its own `maxTo`. @default 100
   */
  readonly maxTo?: number | undefined;
}

/** Options of a write through a feed handle or definition. */
export interface WriteOptions {
  /** Also store the activities in activity storage (normalized feeds). The manager stores once and passes false. @default true */
  readonly storeActivities?: boolean | undefined;
  /**
   * `false`: this write does not trim (the original's `trim` flag; e.g. an import trimmed once at
   * the end, as `batchImport` does). @default true: the feed's `trim` setting applies
   */
  readonly trim?: boolean | undefined;
  /**
   * Versions the feed may hold of some of the written activities (same ids; others are ignored):
   * an aggregated or notification feed moves an activity whose group key changed out of its old
   * group in the same atomic write (an update). Flat feeds ignore it: the id is the entry.
   */
  readonly previous?: readonly Activity<ExtraData>[] | undefined;
}

/** Option keys of every feed kind (the compiler checks them against `FeedOptions`). */
export const FEED_KEYS = {
  name: true,
  storage: true,
  key: true,
  maxLength: true,
  serializer: true,
  verbs: true,
  metrics: true,
  trim: true,
  limits: true,
} as const satisfies { readonly [K in keyof Required<FeedOptions>]: true };

/** Feed options of earlier versions, with what to use instead (told by `INVALID_OPTION`). */
export const FEED_MOVED: Readonly<Record<string, string>> = {
  trimChance: 'use trim: { chance }',
  random: 'use trim: { chance, random }',
  maxPageSize: 'use limits: { maxPageSize }',
  maxBatchSize: 'use limits: { maxBatchSize }',
  maxTo: 'use limits: { maxTo }',
};

const TRIM_KEYS = optionKeys<TrimOptions>({ chance: true, random: true });
const LIMIT_KEYS = optionKeys<FeedLimits>({ maxPageSize: true, maxBatchSize: true, maxTo: true });

/** Option keys of a feed write (`WriteOptions`). */
export const WRITE_KEYS: readonly string[] = optionKeys<WriteOptions>({
  storeActivities: true,
  trim: true,
  previous: true,
});

/** Resolved options common to all feed kinds. */
export interface FeedConfig {
  readonly name: string;
  readonly storage: Storage;
  readonly maxLength: number;
  readonly serializer: Serializer;
  readonly verbs: VerbRegistry | undefined;
  readonly metrics: Metrics;
  readonly trimChance: number | undefined;
  readonly random: () => number;
  readonly maxPageSize: number;
  readonly maxBatchSize: number;
  /** See {@link FeedOptions.maxTo}. */
  readonly maxTo: number;
  keyFor(userId: Id): string;
}

/**
 * Validates the shared options (throws `INVALID_OPTION`/`LIMIT_EXCEEDED`) and fills defaults.
 * `keys` are the option keys the feed kind accepts; `where` names its factory in errors.
 */
export function resolveFeedConfig(
  options: FeedOptions,
  defaults: { maxLength: number },
  keys: readonly string[],
  where: string,
  moved: Readonly<Record<string, string>> = FEED_MOVED,
): FeedConfig {
  checkOptions<FeedOptions>(options, keys, where, false, { moved });
  const limits = checkOptions<FeedLimits>(options.limits, LIMIT_KEYS, where, true, {
    path: 'limits',
  });
  const trim =
    options.trim === undefined
      ? undefined
      : checkOptions<TrimOptions>(options.trim, TRIM_KEYS, where, false, { path: 'trim' });
  const name = assertFeedName(options.name);
  const storage = options.storage;
  if (
    !storage ||
    typeof storage.timeline?.idsOnly !== 'function' ||
    typeof storage.activities?.getMany !== 'function'
  ) {
    throw new ValidationError(
      'INVALID_OPTION',
      `feed ${name}: storage must be a Storage ({ timeline, activities }), e.g. createMemoryStorage() or defineStorage({ timeline: driver, activities: driver })`,
    );
  }
  const keyFn = fnOptionOr<(userId: string) => string, (userId: string) => string>(
    options.key,
    (userId: string) => defaultFeedKey(name, userId),
    `feed ${name}: key`,
  );
  const random = fnOptionOr<() => number, () => number>(
    trim?.random,
    Math.random,
    `feed ${name}: trim.random`,
  );
  return Object.freeze({
    name,
    storage,
    maxLength: intOptionOr(options.maxLength, defaults.maxLength, 'maxLength', 1, 10_000_000),
    serializer:
      options.serializer === undefined
        ? createJsonSerializer()
        : objectOption<Serializer>(
            options.serializer,
            'serializer',
            ['encodeActivity', 'decodeActivity', 'encodeGroup', 'decodeGroup'],
            'a Serializer, e.g. createJsonSerializer()',
          ),
    verbs:
      options.verbs === undefined
        ? undefined
        : objectOption<VerbRegistry>(
            options.verbs,
            'verbs',
            ['get', 'has', 'require'],
            'a VerbRegistry, e.g. createVerbRegistry()',
          ),
    metrics: options.metrics === undefined ? noopMetrics : metricsOption(options.metrics),
    trimChance: trim === undefined ? undefined : chanceOption(trim.chance, 'trim.chance'),
    random,
    maxPageSize: intOptionOr(limits.maxPageSize, 1000, 'limits.maxPageSize', 1, 100_000),
    maxBatchSize: intOptionOr(limits.maxBatchSize, 10_000, 'limits.maxBatchSize', 1, 1_000_000),
    maxTo: maxToOption(limits.maxTo, 'limits.maxTo'),
    keyFor(userId: Id): string {
      const key = keyFn(userIdString(userId));
      // The storage key rule (src/storage/argument-checks.ts), checked here before any write.
      if (typeof key !== 'string' || key.length === 0 || !isWellFormed(key)) {
        throw new ValidationError(
          'INVALID_OPTION',
          `feed ${name}: key() must return a non-empty well-formed string, got ${show(key)}`,
          { details: { option: 'key' } },
        );
      }
      return key;
    },
  });
}

/**
 * Checks the options of a write (`storeActivities`, `trim`: booleans, no other key); throws
 * `INVALID_OPTION`. Returns them, or undefined.
 */
export function checkWriteOptions(options: unknown, what: string): WriteOptions | undefined {
  if (options === undefined) return undefined;
  const o = checkOptions<WriteOptions>(options, WRITE_KEYS, `${what}: write options`);
  boolOptionOr(o.storeActivities, true, 'storeActivities');
  boolOptionOr(o.trim, true, 'trim');
  return o;
}

/** Validates a batch of activities for a write (shape, verb, batch size); throws before anything is written. */
export function checkActivities<E extends ExtraData>(
  config: FeedConfig,
  activities: readonly unknown[],
): Activity<E>[] {
  if (!Array.isArray(activities)) {
    throw new ValidationError(
      'INVALID_ACTIVITY',
      `feed ${config.name}: expected an array of activities`,
    );
  }
  checkBatch(activities.length, config.maxBatchSize, `feed ${config.name}`);
  const seen = new Map<string, Activity<E>>();
  for (const a of activities) {
    const activity = assertActivity<E>(a, config.verbs, { maxTo: config.maxTo }); // a frozen validated copy
    seen.set(activity.id, activity); // the same activity twice is one activity
  }
  return [...seen.values()];
}

/**
 * How a write to `feeds` feeds trims: atomically (`maxLength` passed to storage), or by chance
 * afterwards, drawn for each feed on its own (`trimAfter[i]`: trim feed `i` after the write).
 */
export function trimPlan(
  config: FeedConfig,
  trim: boolean | undefined,
  feeds = 1,
): { maxLength?: number; trimAfter: boolean[] } {
  if (trim === false) return { trimAfter: [] };
  if (config.trimChance === undefined) return { maxLength: config.maxLength, trimAfter: [] };
  const chance = config.trimChance;
  return { trimAfter: Array.from({ length: feeds }, () => config.random() < chance) };
}

/** Removes activity or id inputs down to validated activity ids. */
export function idsOf(items: readonly unknown[], what: string): string[] {
  if (!Array.isArray(items))
    throw new ValidationError('INVALID_ID', `${what}: expected an array of activities or ids`);
  return Array.from(items, (item) => {
    const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : item;
    if (!isActivityId(id)) {
      throw new ValidationError(
        'INVALID_ID',
        `${what}: expected an activity or an activity id (20 characters, 16 for legacy ids), got ${show(id)}`,
      );
    }
    return id;
  });
}
