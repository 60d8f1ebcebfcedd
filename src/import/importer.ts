/**
 * The importer from a Python Stream Framework 1.4.0 Redis database: reads each mapped Python
 * feed (flat feeds of serialization ids hydrated from the `global:0..9` activity storage,
 * aggregated feeds of `v3` groups, notification feeds with their unseen/unread marker lists) and
 * writes it through the public API of the target feed definitions.
 * @module
 */
import type { Redis } from 'ioredis';
import { type Activity, createActivity } from '../activity/activity.js';
import { groupIdOf, type Id } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';
import { createVerbRegistry, type VerbRegistry } from '../activity/verbs.js';
import { ValidationError } from '../errors.js';
import type { AggregatedFeedDefinition } from '../feeds/aggregated-feed.js';
import type { FeedDefinition, FeedHandle } from '../feeds/feed.js';
import type { FlatFeedDefinition } from '../feeds/flat-feed.js';
import type { AggregatedGroup } from '../feeds/group/types.js';
import type { NotificationFeedDefinition, NotificationGroup } from '../feeds/notification-feed.js';
import {
  activityShardKey,
  isSerializationId,
  MalformedPythonDataError,
  type PythonActivity,
  type PythonGroup,
  parseActivity,
  parseGroup,
  pythonGroupId,
  timeOfSerializationId,
} from './python-format.js';

/** One Python feed class and the feed definition its data goes to. */
export interface PythonFeedMapping {
  /**
   * The Python feed class's `key_format`, with one `%(user_id)s`, e.g. `'feed:normal:%(user_id)s'`
   * (Python's defaults: `'feed_%(user_id)s'` for BaseFeed and AggregatedFeed,
   * `'user_feed:%(user_id)s'` for UserBaseFeed, `'notification_feed:%(user_id)s'`).
   */
  readonly keyFormat: string;
  /**
   * Where the data goes; its kind says what the Python feed is: `flat` (RedisFeed: ids plus the
   * activity storage), `aggregated` (RedisAggregatedFeed) or `notification` (RedisNotificationFeed,
   * or the deprecated NotificationFeed with `state: 'dates'`).
   */
  readonly feed: FeedDefinition<JsonObject, FeedHandle<JsonObject, unknown>>;
  /**
   * Notification feeds: where seen/read state comes from. `'markers'` (the current
   * RedisNotificationFeed): a group is seen/read unless its id is in
   * `list:<markersKeyFormat>:unseen|unread`; `'dates'` (the deprecated NotificationFeed): seen/read
   * when `seen_at`/`read_at` is at or after `updated_at`. @default 'markers'
   */
  readonly state?: 'markers' | 'dates' | undefined;
  /** `markers_key_format` of the notification feed class. @default keyFormat */
  readonly markersKeyFormat?: string | undefined;
}

/** Progress of an import, reported after each feed. */
export interface PythonImportProgress {
  /** The mapping being imported (its keyFormat). */
  readonly keyFormat: string;
  /** Python feeds done so far, over every mapping, and the total found. */
  readonly feedsDone: number;
  readonly feedsTotal: number;
  /** Entries (activities or groups) read so far. */
  readonly entries: number;
}

/** Options of {@link importPythonRedis}. */
export interface PythonImportOptions {
  /** An ioredis client on the Python database (its `db`); only read. */
  readonly source: Redis;
  readonly feeds: readonly PythonFeedMapping[];
  /**
   * Python verb ids to verb names (Python's verbs must be registered with the same ids).
   * @default each target feed's `verbs`, else the built-in verbs (follow 1, comment 2, love 3, add 4)
   */
  readonly verbs?: VerbRegistry | undefined;
  /** Key of the activity storage (`RedisActivityStorage`'s `key` option). @default 'global' */
  readonly activityKey?: string | undefined;
  /**
   * The user id of a Python feed from the text in its key; `undefined` skips the key (counted in
   * `skippedKeys`). @default decimal integers become numbers, anything else is skipped
   */
  readonly userId?: ((text: string) => Id | undefined) | undefined;
  /** Read and check everything, write nothing; `written` counts what would be written. */
  readonly dryRun?: boolean | undefined;
  /**
   * Report malformed data in `malformed` and go on, instead of throwing
   * {@link MalformedPythonDataError} before writing the feed that holds it.
   */
  readonly skipMalformed?: boolean | undefined;
  readonly onProgress?: ((progress: PythonImportProgress) => void) | undefined;
}

/** A malformed entry reported with `skipMalformed`. */
export interface MalformedEntry {
  readonly key: string;
  readonly member?: string | undefined;
  readonly reason: string;
}

/** What an import did, per mapping and in total. */
export interface PythonImportResult {
  readonly dryRun: boolean;
  /** Python feeds read. */
  readonly feeds: number;
  /** Entries read: activities of flat feeds, groups of aggregated and notification feeds. */
  readonly entries: number;
  /**
   * Entries written: activities new to their feed, groups stored or re-marked (0 on a re-run of
   * an import that completed); in a dry run, what would be written.
   */
  readonly written: number;
  /** Keys that matched a key format but whose user id part was rejected by `userId`. */
  readonly skippedKeys: number;
  /** Malformed entries skipped (only with `skipMalformed`; the first 100 are listed). */
  readonly malformedCount: number;
  readonly malformed: readonly MalformedEntry[];
  readonly byFeed: readonly {
    readonly keyFormat: string;
    readonly feed: string;
    readonly feeds: number;
    readonly entries: number;
    readonly written: number;
  }[];
}

const PLACEHOLDER = '%(user_id)s';
const READ_CHUNK = 500;
const MALFORMED_LISTED = 100;

/**
 * Imports feeds from a Python Stream Framework 1.4.0 Redis database into feed definitions of
 * this library (any backend). Activity ids: each Python activity becomes an activity whose
 * `foreignId` is its 26-digit serialization id and whose time is the id's millisecond time, so
 * one Python activity is one activity here wherever it appears, and re-running an import writes
 * nothing new. `extra_context` (a pickle of plain data) becomes `extra`. Groups keep their
 * activity counts, actor counts and times; notification groups their seen/read state.
 * Throws {@link MalformedPythonDataError} (with the key) on data it cannot read, unless
 * `skipMalformed`; `INVALID_OPTION` for a bad mapping, `UNKNOWN_VERB` for a verb id the registry
 * lacks, `INVALID_ACTIVITY` when a Python group splits into several groups under the target
 * feed's aggregator. A failure leaves the feeds written so far complete; re-run to go on.
 * @example
 * const result = await importPythonRedis({
 *   source: new Redis('redis://127.0.0.1:6379/0'),
 *   feeds: [{ keyFormat: 'feed:normal:%(user_id)s', feed: timeline }],
 * });
 */
export async function importPythonRedis(options: PythonImportOptions): Promise<PythonImportResult> {
  const { source, feeds } = options;
  if (!Array.isArray(feeds) || feeds.length === 0) {
    throw new ValidationError(
      'INVALID_OPTION',
      'importPythonRedis: feeds must list at least one mapping',
    );
  }
  for (const m of feeds) checkKeyFormat(m.keyFormat);
  const activityKey = options.activityKey ?? 'global';
  const toUserId = options.userId ?? defaultUserId;
  const dryRun = options.dryRun === true;
  const malformed: MalformedEntry[] = [];
  let malformedCount = 0;
  const onMalformed = (error: MalformedPythonDataError): void => {
    if (!options.skipMalformed) throw error;
    malformedCount++;
    if (malformed.length < MALFORMED_LISTED) {
      malformed.push({ key: error.key, member: error.member, reason: error.reason });
    }
  };

  // Find every feed first, so progress has a total.
  let skippedKeys = 0;
  const found: { mapping: PythonFeedMapping; feeds: { key: string; userId: Id }[] }[] = [];
  for (const mapping of feeds) {
    const keys = await scanKeys(source, mapping.keyFormat);
    const list: { key: string; userId: Id }[] = [];
    for (const { key, text } of keys) {
      const userId = toUserId(text);
      if (userId === undefined) skippedKeys++;
      else list.push({ key, userId });
    }
    found.push({ mapping, feeds: list });
  }
  const feedsTotal = found.reduce((n, f) => n + f.feeds.length, 0);

  const ctx: Context = { source, activityKey, dryRun, onMalformed, verbs: options.verbs };
  let feedsDone = 0;
  let entries = 0;
  let written = 0;
  const byFeed: PythonImportResult['byFeed'][number][] = [];
  for (const { mapping, feeds: list } of found) {
    const stats = {
      keyFormat: mapping.keyFormat,
      feed: mapping.feed.name,
      feeds: 0,
      entries: 0,
      written: 0,
    };
    for (const { key, userId } of list) {
      const done = await importFeed(ctx, mapping, key, userId);
      stats.feeds++;
      stats.entries += done.entries;
      stats.written += done.written;
      entries += done.entries;
      written += done.written;
      feedsDone++;
      options.onProgress?.({ keyFormat: mapping.keyFormat, feedsDone, feedsTotal, entries });
    }
    byFeed.push(stats);
  }
  return {
    dryRun,
    feeds: feedsDone,
    entries,
    written,
    skippedKeys,
    malformedCount,
    malformed,
    byFeed,
  };
}

interface Context {
  readonly source: Redis;
  readonly activityKey: string;
  readonly dryRun: boolean;
  readonly onMalformed: (error: MalformedPythonDataError) => void;
  readonly verbs: VerbRegistry | undefined;
}

const BUILTINS = createVerbRegistry();

function defaultUserId(text: string): Id | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

function checkKeyFormat(format: unknown): void {
  if (
    typeof format !== 'string' ||
    format.split(PLACEHOLDER).length !== 2 ||
    format.replace(PLACEHOLDER, '').includes('%')
  ) {
    throw new ValidationError(
      'INVALID_OPTION',
      `importPythonRedis: keyFormat must hold exactly one %(user_id)s and no other %, got ${JSON.stringify(format)}`,
      { details: { option: 'keyFormat' } },
    );
  }
}

function keyPattern(format: string, placeholder: string): { glob: string; regex: RegExp } {
  const [before, after] = format.split(placeholder) as [string, string];
  const glob = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
  const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`);
  return {
    glob: `${glob(before)}*${glob(after)}`,
    regex: new RegExp(`^${re(before)}(.+)${re(after)}$`, 's'),
  };
}

/** Sorted-set keys matching a key format, with their user id text, sorted by key. */
async function scanKeys(source: Redis, format: string): Promise<{ key: string; text: string }[]> {
  const { glob, regex } = keyPattern(format, PLACEHOLDER);
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await source.scan(cursor, 'MATCH', glob, 'COUNT', 1000, 'TYPE', 'zset');
    cursor = next;
    for (const k of batch) keys.add(k);
  } while (cursor !== '0');
  const out: { key: string; text: string }[] = [];
  for (const key of [...keys].sort()) {
    const m = regex.exec(key);
    if (m?.[1] !== undefined) out.push({ key, text: m[1] });
  }
  return out;
}

/** Members of a sorted set, highest score first, as Python reads them (ZREVRANGE order). */
async function members(source: Redis, key: string): Promise<string[]> {
  const out: string[] = [];
  for (let start = 0; ; start += READ_CHUNK) {
    const batch = await source.zrevrange(key, start, start + READ_CHUNK - 1);
    out.push(...batch);
    if (batch.length < READ_CHUNK) return out;
  }
}

/** Activity storage values of serialization ids (undefined when missing), in order. */
async function storedActivities(ctx: Context, ids: readonly string[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const pipeline = ctx.source.pipeline();
    for (const id of ids.slice(i, i + READ_CHUNK))
      pipeline.hget(activityShardKey(ctx.activityKey, id), id);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error, value] of replies) {
      if (error) throw error;
      out.push(typeof value === 'string' ? value : null);
    }
  }
  return out;
}

function verbsOf(ctx: Context, feed: FeedDefinition<JsonObject, FeedHandle<JsonObject, unknown>>) {
  return ctx.verbs ?? feed.config.verbs ?? BUILTINS;
}

/** A Python activity as an activity of this library. */
function toActivity(p: PythonActivity, verbs: VerbRegistry): Activity {
  const verb = verbs.get(p.verb);
  if (verb === undefined) {
    throw new ValidationError(
      'UNKNOWN_VERB',
      `Python verb id ${p.verb} (activity ${p.id}) is not in the verb registry: register it with the same id (createVerbRegistry([{ id: ${p.verb}, name, pastTense }])) and pass it as verbs`,
      { details: { verb: p.verb } },
    );
  }
  return createActivity(
    {
      actor: p.actor,
      verb: verb.name,
      object: p.object,
      target: p.target,
      time: timeOfSerializationId(p.id),
      foreignId: p.id,
      extra: p.extra,
    },
    { verbs },
  );
}

async function importFeed(
  ctx: Context,
  mapping: PythonFeedMapping,
  key: string,
  userId: Id,
): Promise<{ entries: number; written: number }> {
  const kind = mapping.feed.kind;
  if (kind === 'flat') return importFlat(ctx, mapping.feed as FlatFeedDefinition, key, userId);
  return importGroups(ctx, mapping, key, userId);
}

async function importFlat(
  ctx: Context,
  feed: FlatFeedDefinition,
  key: string,
  userId: Id,
): Promise<{ entries: number; written: number }> {
  const verbs = verbsOf(ctx, feed);
  const ids = await members(ctx.source, key);
  const activities: Activity[] = [];
  for (const id of ids) {
    if (!isSerializationId(id)) {
      ctx.onMalformed(
        new MalformedPythonDataError(key, id, 'not a serialization id (is this a flat feed?)'),
      );
    }
  }
  const good = ids.filter(isSerializationId);
  const values = await storedActivities(ctx, good);
  good.forEach((id, i) => {
    const value = values[i];
    const shard = activityShardKey(ctx.activityKey, id);
    if (value === null || value === undefined) {
      ctx.onMalformed(
        new MalformedPythonDataError(
          shard,
          id,
          `activity ${id} of ${key} is missing from the activity storage`,
        ),
      );
      return;
    }
    try {
      activities.push(toActivity(parseActivity(value, id), verbs));
    } catch (error) {
      if (!(error instanceof Error) || error instanceof ValidationError) throw error;
      ctx.onMalformed(new MalformedPythonDataError(shard, id, error.message));
    }
  });
  const handle = feed.for(userId);
  let written = 0;
  for (let i = 0; i < activities.length; i += READ_CHUNK) {
    const chunk = activities.slice(i, i + READ_CHUNK);
    if (ctx.dryRun) {
      const positions = await Promise.all(chunk.map((a) => handle.indexOf(a.id)));
      written += positions.filter((p) => p < 0).length;
    } else written += await handle.addMany(chunk);
  }
  return { entries: activities.length, written };
}

type GroupDefinition = AggregatedFeedDefinition | NotificationFeedDefinition;

interface ImportedGroup {
  readonly group: AggregatedGroup;
  readonly seen: boolean;
  readonly read: boolean;
}

async function importGroups(
  ctx: Context,
  mapping: PythonFeedMapping,
  key: string,
  userId: Id,
): Promise<{ entries: number; written: number }> {
  const feed = mapping.feed as GroupDefinition;
  const notification = feed.kind === 'notification';
  const verbs = verbsOf(ctx, feed);
  const raw = await members(ctx.source, key);
  const parsed: { member: string; group: PythonGroup }[] = [];
  for (const member of raw) {
    try {
      parsed.push({ member, group: parseGroup(member) });
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      ctx.onMalformed(new MalformedPythonDataError(key, member, error.message));
    }
  }
  // Hydrate groups that hold ids (RedisAggregatedFeed) from the activity storage.
  const idsToLoad = [
    ...new Set(parsed.flatMap((p) => p.group.activities.filter((a) => typeof a === 'string'))),
  ];
  const values = await storedActivities(ctx, idsToLoad);
  const loaded = new Map<string, PythonActivity>();
  idsToLoad.forEach((id, i) => {
    const value = values[i];
    const shard = activityShardKey(ctx.activityKey, id);
    if (value === null || value === undefined) {
      ctx.onMalformed(
        new MalformedPythonDataError(
          shard,
          id,
          `activity ${id} of ${key} is missing from the activity storage`,
        ),
      );
      return;
    }
    try {
      loaded.set(id, parseActivity(value, id));
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      ctx.onMalformed(new MalformedPythonDataError(shard, id, error.message));
    }
  });
  const markers =
    notification && mapping.state !== 'dates' ? await markerLists(ctx, mapping, userId) : undefined;

  const groups: ImportedGroup[] = [];
  const seenIds = new Set<string>();
  for (const { member, group: p } of parsed) {
    const activities = p.activities.flatMap((a) => {
      const found = typeof a === 'string' ? loaded.get(a) : a;
      return found === undefined ? [] : [toActivity(found, verbs)];
    });
    if (activities.length === 0) {
      ctx.onMalformed(
        new MalformedPythonDataError(key, member, 'the group has no readable activity'),
      );
      continue;
    }
    if (p.createdAtMs === undefined || p.updatedAtMs === undefined) {
      ctx.onMalformed(new MalformedPythonDataError(key, member, 'created_at or updated_at is -1'));
      continue;
    }
    const groupKeys = new Set(activities.map((a) => feed.aggregator.groupKey(a)));
    if (groupKeys.size !== 1) {
      throw new ValidationError(
        'INVALID_ACTIVITY',
        `Python group ${JSON.stringify(p.group)} of ${key} splits into ${groupKeys.size} groups under the aggregator ${JSON.stringify(feed.aggregator.name)} of feed ${feed.name}: use an aggregator that groups as the Python feed did (byVerbAndDay for RecentVerbAggregator, byVerbObjectAndDay for NotificationAggregator)`,
        { details: { key, group: p.group } },
      );
    }
    const groupKey = [...groupKeys][0]!;
    // Python's 20-group merge window can leave two groups with one key: the newest one wins.
    if (seenIds.has(groupKey)) continue;
    seenIds.add(groupKey);
    const newestFirst = [...activities].reverse();
    const actors = [...new Set(activities.map((a) => a.actor))];
    const pythonId = pythonGroupId(p.updatedAtMs);
    groups.push({
      group: {
        id: groupIdOf(groupKey),
        group: groupKey,
        activities: newestFirst,
        activityIds: newestFirst.map((a) => a.id),
        activityCount: p.minimized + activities.length,
        actorCount: p.minimized + actors.length,
        actors,
        verb: newestFirst[0]!.verb,
        createdAt: new Date(p.createdAtMs),
        updatedAt: new Date(p.updatedAtMs),
        score: p.updatedAtMs,
      },
      seen: markers
        ? !markers.unseen.has(pythonId)
        : p.seenAtMs !== undefined && p.seenAtMs >= p.updatedAtMs,
      read: markers
        ? !markers.unread.has(pythonId)
        : p.readAtMs !== undefined && p.readAtMs >= p.updatedAtMs,
    });
  }
  return { entries: groups.length, written: await writeGroups(ctx, feed, userId, groups) };
}

async function markerLists(ctx: Context, mapping: PythonFeedMapping, userId: Id) {
  const base = (mapping.markersKeyFormat ?? mapping.keyFormat).replace(PLACEHOLDER, String(userId));
  const [unseen, unread] = await Promise.all([
    ctx.source.lrange(`list:${base}:unseen`, 0, -1),
    ctx.source.lrange(`list:${base}:unread`, 0, -1),
  ]);
  return { unseen: new Set(unseen), unread: new Set(unread) };
}

function sameGroup(a: AggregatedGroup, b: AggregatedGroup): boolean {
  return (
    a.activityCount === b.activityCount &&
    a.actorCount === b.actorCount &&
    a.createdAt.getTime() === b.createdAt.getTime() &&
    a.updatedAt.getTime() === b.updatedAt.getTime() &&
    a.activityIds.length === b.activityIds.length &&
    a.activityIds.every((id, i) => id === b.activityIds[i])
  );
}

/**
 * Stores the groups that differ from what the target holds (all of them in a dry run), then
 * marks seen/read state; returns how many groups were stored or re-marked.
 */
async function writeGroups(
  ctx: Context,
  feed: GroupDefinition,
  userId: Id,
  groups: readonly ImportedGroup[],
): Promise<number> {
  const handle = feed.for(userId);
  const existing = (await handle.getGroups(groups.map((g) => g.group.id))) as (
    | NotificationGroup
    | AggregatedGroup
    | undefined
  )[];
  const notification = feed.kind === 'notification';
  const tracks = notification
    ? { unseen: feed.trackUnseen, unread: feed.trackUnread }
    : { unseen: false, unread: false };
  const stateOf = (g: NotificationGroup | AggregatedGroup | undefined) =>
    g !== undefined && 'seen' in g ? { seen: g.seen, read: g.read } : undefined;
  const toStore: AggregatedGroup[] = [];
  const changed = new Set<string>();
  groups.forEach((g, i) => {
    const current = existing[i];
    const state = stateOf(current);
    // A group marked here but not in Python can only be unmarked by storing it again.
    const unmark =
      notification && state !== undefined && ((state.seen && !g.seen) || (state.read && !g.read));
    if (current === undefined || !sameGroup(current, g.group) || unmark) {
      toStore.push(g.group);
      changed.add(g.group.id);
    }
  });
  if (!notification) {
    if (toStore.length > 0 && !ctx.dryRun) await handle.addGroups(toStore);
    return toStore.length;
  }
  const notifications = feed as NotificationFeedDefinition;
  const seen: string[] = [];
  const read: string[] = [];
  groups.forEach((g, i) => {
    // Stored groups start unseen and unread.
    const state = changed.has(g.group.id) ? { seen: false, read: false } : stateOf(existing[i]);
    if (g.seen && notifications.trackUnseen && state?.seen !== true) seen.push(g.group.id);
    if (g.read && notifications.trackUnread && state?.read !== true) read.push(g.group.id);
  });
  if (!ctx.dryRun) {
    const nHandle = notifications.for(userId);
    if (toStore.length > 0) await nHandle.addGroups(toStore);
    if (seen.length > 0) await nHandle.markSeen(seen);
    if (read.length > 0) await nHandle.markRead(read);
  }
  return new Set([...changed, ...seen, ...read]).size;
}
