/**
 * Reading the Python database: the keys of a feed class, a feed's members in Python's order, the
 * activities of the sharded activity storage, and Python activities as activities of this
 * library. Internal to the importer.
 * @module
 */
import type { Redis } from 'ioredis';
import { type Activity, createActivity } from '../activity/activity.js';
import type { JsonObject } from '../activity/json.js';
import { createVerbRegistry, type VerbRegistry } from '../activity/verbs.js';
import { StreamFrameworkError, ValidationError } from '../errors.js';
import type { FeedDefinition, FeedHandle } from '../feeds/feed.js';
import {
  activityShardKey,
  type PythonActivity,
  parseActivity,
  timeOfSerializationId,
} from './python-format.js';

/** The user id placeholder of a Python key format. */
export const PLACEHOLDER = '%(user_id)s';
/** Sorted-set members and activities read per round trip; activities written per call. */
export const READ_CHUNK = 500;

/** What the import of one feed needs. */
export interface Context {
  readonly source: Redis;
  readonly activityKey: string;
  readonly dryRun: boolean;
  /** Throws {@link malformedData}'s error, or records it with `skipMalformed`. */
  readonly onMalformed: (key: string, member: string | undefined, reason: string) => void;
  readonly verbs: VerbRegistry | undefined;
}

const BUILTINS = createVerbRegistry();

/** Throws `INVALID_OPTION` unless `format` holds one `%(user_id)s` and no other `%`. */
export function checkKeyFormat(format: unknown): void {
  if (
    typeof format !== 'string' ||
    format.split(PLACEHOLDER).length !== 2 ||
    format.replace(PLACEHOLDER, '').includes('%')
  ) {
    throw new ValidationError(
      'INVALID_OPTION',
      `importPythonRedis: a key format must hold exactly one %(user_id)s and no other %, got ${JSON.stringify(format)}`,
      { details: { option: 'keyFormat' } },
    );
  }
}

/** The SCAN pattern and the user-id regex of a key format. */
function keyPattern(format: string, placeholder: string): { glob: string; regex: RegExp } {
  const [before, after] = format.split(placeholder) as [string, string];
  const glob = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
  const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`);
  return {
    glob: `${glob(before)}*${glob(after)}`,
    regex: new RegExp(`^${re(before)}(.+)${re(after)}$`, 's'),
  };
}

/**
 * Sorted-set keys matching a key format, with their user id text, sorted by key. SCAN without
 * its TYPE filter (Redis 6+), then TYPE per key: the Python deployment's Redis may be older.
 */
export async function scanKeys(
  source: Redis,
  format: string,
): Promise<{ key: string; text: string }[]> {
  const { glob, regex } = keyPattern(format, PLACEHOLDER);
  const matched: { key: string; text: string }[] = [];
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await source.scan(cursor, 'MATCH', glob, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      const text = regex.exec(key)?.[1];
      if (text !== undefined && !seen.has(key)) {
        seen.add(key);
        matched.push({ key, text });
      }
    }
  } while (cursor !== '0');
  const out: { key: string; text: string }[] = [];
  for (let i = 0; i < matched.length; i += READ_CHUNK) {
    const chunk = matched.slice(i, i + READ_CHUNK);
    const pipeline = source.pipeline();
    for (const { key } of chunk) pipeline.type(key);
    const replies = (await pipeline.exec()) ?? [];
    chunk.forEach((m, j) => {
      const [error, type] = replies[j] ?? [new Error('no reply'), null];
      if (error) throw error;
      if (type === 'zset') out.push(m);
    });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Members of a sorted set, highest score first, as Python reads them (ZREVRANGE order). */
export async function members(source: Redis, key: string): Promise<string[]> {
  const out: string[] = [];
  for (let start = 0; ; start += READ_CHUNK) {
    const batch = await source.zrevrange(key, start, start + READ_CHUNK - 1);
    out.push(...batch);
    if (batch.length < READ_CHUNK) return out;
  }
}

/**
 * The activities of serialization ids, read from the activity storage hashes (pipelined) and
 * parsed; a missing or unreadable one goes to `onMalformed` (with its hash as the key) and is
 * absent from the result.
 */
export async function loadActivities(
  ctx: Context,
  key: string,
  ids: readonly string[],
): Promise<Map<string, PythonActivity>> {
  const out = new Map<string, PythonActivity>();
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const chunk = ids.slice(i, i + READ_CHUNK);
    const pipeline = ctx.source.pipeline();
    for (const id of chunk) pipeline.hget(activityShardKey(ctx.activityKey, id), id);
    const replies = (await pipeline.exec()) ?? [];
    chunk.forEach((id, j) => {
      const [error, value] = replies[j] ?? [new Error('no reply'), null];
      if (error) throw error;
      const shard = activityShardKey(ctx.activityKey, id);
      if (typeof value !== 'string') {
        const reason = `activity ${id} of ${key} is missing from the activity storage`;
        ctx.onMalformed(shard, id, reason);
        return;
      }
      try {
        out.set(id, parseActivity(value, id));
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        ctx.onMalformed(shard, id, error.message);
      }
    });
  }
  return out;
}

/** The verbs Python's verb ids are looked up in. */
export function verbsOf(
  ctx: Context,
  feed: FeedDefinition<JsonObject, FeedHandle<JsonObject, unknown>>,
): VerbRegistry {
  return ctx.verbs ?? feed.config.verbs ?? BUILTINS;
}

/**
 * A Python activity as an activity of this library: its serialization id is the `foreignId`, its
 * millisecond time the time. Throws `UNKNOWN_VERB` for a verb id `verbs` lacks.
 */
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

/**
 * The activity the target feed stores for a Python activity; undefined, after reporting it to
 * `onMalformed` (under `key`), when the feed refuses it (extra nested too deep, beyond its
 * serializer's size limit...). An unknown verb id throws: that is a mapping mistake, not data.
 */
export function acceptedActivity(
  ctx: Context,
  feed: FeedDefinition<JsonObject, FeedHandle<JsonObject, unknown>>,
  key: string,
  p: PythonActivity,
  verbs: VerbRegistry,
): Activity | undefined {
  try {
    const activity = toActivity(p, verbs);
    feed.validate?.([activity]);
    return activity;
  } catch (error) {
    if (!(error instanceof StreamFrameworkError) || error.code === 'UNKNOWN_VERB') throw error;
    const reason = `feed ${feed.name} refuses activity ${p.id}: ${error.message}`;
    ctx.onMalformed(key, p.id, reason);
    return undefined;
  }
}
