import { show, timeOfCheckedActivityId } from '../../activity/ids.js';
import { ValidationError } from '../../errors.js';
import { toBase36 } from '../../util/base36.js';
import { charCodeAt } from '../../util/char-code.js';
import { intOption } from '../../util/int-option.js';
import { invalidOption, oneOfOption } from '../../validation/values.js';

/**
 * Key layout of the Redis backend. Every key of one timeline shares a hash tag (`{...}`), so
 * multi-key scripts run in one Redis Cluster slot:
 *
 * | key | type | holds |
 * |---|---|---|
 * | `<prefix>:{<feed key>}:z` | ZSET | member = entry id, score = activity time in ms / group rank |
 * | `<prefix>:{<feed key>}:p` | HASH | entry id -> payload (denormalized entries only) |
 * | `<prefix>:{<feed key>}:v` | STRING | version, only while optimistic updates are used on the feed |
 * | `<prefix>:{<feed key>}:mk` | SET | names of the markers in use |
 * | `<prefix>:{<feed key>}:m:<marker>` | SET | ids carrying the marker (e.g. unseen) |
 * | `<prefix>:a:{<shard>}` | HASH | activity id -> payload (activity storage, sharded; the single-node default) |
 * | `<prefix>:a:{<bucket>.<shard>}` | HASH | the same, time-bucketed (`activityBucketMs` with `activityColocation: 'shard'`) |
 * | `<prefix>:a:{<bucket>}.<shard>` | HASH | the same, a bucket's shards on one slot (`activityColocation: 'bucket'`, the cluster default) |
 *
 * The feed key is escaped (`%` `{` `}` become `%25` `%7B` `%7D`) so that no key can close the hash
 * tag early or collide with another feed's key. This file is the one definition of the layout: the
 * Lua scripts get it from {@link luaKeyLayout} (`--- @include "keys"`) and write no suffix of
 * their own (a test checks both).
 */
export interface TimelineKeys {
  readonly z: string;
  readonly p: string;
  readonly v: string;
  readonly mk: string;
}

const PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Checks a key prefix: 1-64 characters of letters, digits, `_`, `.`, `:` and `-`. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `redis prefix must match ${PREFIX}, got ${show(prefix)}`,
      {
        details: { option: 'prefix' },
      },
    );
  }
  return prefix;
}

const HAS_BRACE_OR_PERCENT = /[%{}]/;

/** Escapes a feed key for use inside a hash tag (injective). */
export function escapeTag(key: string): string {
  if (!HAS_BRACE_OR_PERCENT.test(key)) return key; // a test costs a quarter of a replace
  return key.replace(/[%{}]/g, (c) => (c === '%' ? '%25' : c === '{' ? '%7B' : '%7D'));
}

/**
 * What follows a timeline's base `<prefix>:{<feed key>}` in each of its keys; a marker's SET is
 * `<base><marker suffix><marker name>`.
 */
export const TIMELINE_KEY_SUFFIXES: Readonly<{
  z: string;
  p: string;
  v: string;
  mk: string;
  marker: string;
}> = Object.freeze({ z: ':z', p: ':p', v: ':v', mk: ':mk', marker: ':m:' });

const S = TIMELINE_KEY_SUFFIXES;

/** The keys of one timeline. */
export function timelineKeys(prefix: string, feedKey: string): TimelineKeys {
  const base = `${prefix}:{${escapeTag(feedKey)}}`;
  return { z: base + S.z, p: base + S.p, v: base + S.v, mk: base + S.mk };
}

/** The ZSET of a timeline alone ({@link timelineKeys}`.z`), for reads that need no other key. */
export function timelineZKey(prefix: string, feedKey: string): string {
  return `${prefix}:{${escapeTag(feedKey)}}${S.z}`;
}

/**
 * What comes before and after a timeline's escaped feed key in its ZSET key: `z` of
 * {@link timelineKeys} is `head + escapeTag(feedKey) + tail`. The id-only fan-out scripts build
 * the ZSET keys from these and the escaped feed keys ({@link joinedTags}).
 */
export function zKeyParts(prefix: string): { readonly head: string; readonly tail: string } {
  return { head: `${prefix}:{`, tail: `}${S.z}` };
}

/**
 * The escaped feed keys (hash tag contents) of timelines, separated by NUL characters, as one
 * script argument instead of one key per timeline; undefined when a feed key holds a NUL (the
 * caller sends the keys one by one). Escaping the joined keys escapes each one alike: escapeTag
 * maps single characters and leaves NUL alone.
 */
export function joinedTags(feedKeys: readonly string[]): string | undefined {
  for (const key of feedKeys) if (key.includes('\0')) return undefined;
  return escapeTag(feedKeys.join('\0'));
}

/** The base of a timeline's keys (its keys without their suffix). */
export function timelineBase(keys: TimelineKeys): string {
  return keys.z.slice(0, -S.z.length);
}

/** The SET holding the ids that carry `marker` in a timeline. */
export function markerKey(keys: TimelineKeys, marker: string): string {
  return timelineBase(keys) + S.marker + marker;
}

/** A Lua string literal of an ASCII key suffix. */
const luaString = (text: string): string => `'${text.replace(/[\\']/g, '\\$&')}'`;

/**
 * The key layout as Lua, pasted into the scripts at `--- @include "keys"`: the suffixes of
 * {@link TIMELINE_KEY_SUFFIXES} as `KEY_Z`, `KEY_P`, `KEY_V`, `KEY_MK` and `KEY_MARKER`, and
 * `markerKey(mk, name)`, the marker SET of a timeline from its mk key (as {@link markerKey}).
 */
export function luaKeyLayout(): string {
  return [
    '-- The key layout of a timeline, generated from keys.ts (TIMELINE_KEY_SUFFIXES): a timeline',
    '-- is <base>..KEY_Z (ZSET), ..KEY_P (HASH of payloads), ..KEY_V (version), ..KEY_MK (SET of',
    '-- the marker names in use), and marker NAME is the SET <base>..KEY_MARKER..NAME.',
    `local KEY_Z, KEY_P, KEY_V = ${luaString(S.z)}, ${luaString(S.p)}, ${luaString(S.v)}`,
    `local KEY_MK, KEY_MARKER = ${luaString(S.mk)}, ${luaString(S.marker)}`,
    '',
    'local function markerKey(mk, name)',
    '  return string.sub(mk, 1, -(#KEY_MK + 1)) .. KEY_MARKER .. name',
    'end',
  ].join('\n');
}

/** FNV-1a hash of a string, for sharding activity ids. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= charCodeAt(text, i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Where the hashes of one time bucket live on a cluster: `'shard'`, each hash under its own hash
 * tag (spread over the nodes); `'bucket'`, every shard of a bucket under the bucket's tag (one
 * slot, so the activities of one period are read from one node in one call).
 */
export type ActivityColocation = 'shard' | 'bucket';

/** The values of {@link ActivityColocation}. */
export const ACTIVITY_COLOCATIONS: readonly ActivityColocation[] = Object.freeze([
  'shard',
  'bucket',
]);

/**
 * The activity-storage hash holding an id. These formats are stable: changing them, `shards`,
 * `bucketMs` or `colocation` moves stored activities out of reach.
 *
 * - default: `<prefix>:a:{<n>}`, shard `n` = FNV-1a(id) mod `shards`;
 * - time-bucketed (`bucketMs` set): `<prefix>:a:{<b>.<n>}`, `b` = floor(time encoded in the id /
 *   `bucketMs`) in base 36, `n` as above;
 * - time-bucketed and colocated (`bucketMs` set, `colocation` `'bucket'`): `<prefix>:a:{<b>}.<n>`,
 *   the hash tag on the bucket alone, so all shards of a bucket share one cluster slot.
 *
 * Ids that are not activity ids (the storage contract accepts any string) keep the default key.
 */
export function activityShardKey(
  prefix: string,
  shards: number,
  id: string,
  bucketMs?: number,
  colocation: ActivityColocation = 'shard',
): string {
  const shard = shards === 1 ? 0 : fnv1a(id) % shards;
  const time = bucketMs === undefined ? -1 : timeOfCheckedActivityId(id);
  if (bucketMs === undefined || time < 0) return `${prefix}:a:{${shard}}`;
  const bucket = toBase36(Math.floor(time / bucketMs));
  return colocation === 'bucket'
    ? `${prefix}:a:{${bucket}}.${shard}`
    : `${prefix}:a:{${bucket}.${shard}}`;
}

/**
 * Checks an option that must be a positive integer, or absent; throws `INVALID_OPTION` naming it
 * otherwise (see {@link intOption}).
 */
export function checkPositiveInt(value: unknown, option: string): number | undefined {
  return value === undefined ? undefined : intOption(value, option, 1);
}

/**
 * Checks a colocation option (see {@link ActivityColocation}): absent (`'shard'`), `'shard'` or
 * `'bucket'`, and `'bucket'` only with time buckets (`bucketMs`, the option `bucketOption`).
 * Throws `INVALID_OPTION` naming `option` otherwise.
 */
export function checkColocation(
  value: unknown,
  bucketMs: number | undefined,
  option: string,
  bucketOption: string,
): ActivityColocation {
  if (value === undefined) return 'shard';
  const colocation = oneOfOption(value, ACTIVITY_COLOCATIONS, option);
  if (colocation === 'bucket' && bucketMs === undefined) {
    throw invalidOption(option, `'bucket' colocates time buckets: it needs ${bucketOption} too`);
  }
  return colocation;
}
