/**
 * The importer from a Python Stream Framework 1.4.0 Redis database: finds the feeds of each
 * mapped Python feed class, then imports them one by one (import-flat.ts, import-groups.ts)
 * through the public API of the target feed definitions.
 * @module
 */
import { assertId, type Id } from '../activity/ids.js';
import type { FlatFeedDefinition } from '../feeds/flat-feed.js';
import { checkImportOptions } from './check-options.js';
import { importFlat } from './import-flat.js';
import { importGroups } from './import-groups.js';
import type {
  MalformedEntry,
  PythonFeedMapping,
  PythonImportOptions,
  PythonImportResult,
} from './options.js';
import { malformedData } from './python-format.js';
import { type Context, scanKeys } from './python-source.js';

const MALFORMED_LISTED = 100;

/**
 * Imports feeds from a Python Stream Framework 1.4.0 Redis database into feed definitions of
 * this library (any backend). Activity ids: each Python activity becomes an activity whose
 * `foreignId` is its 26-digit serialization id and whose time is the id's millisecond time, so
 * one Python activity is one activity here wherever it appears, and re-running an import writes
 * nothing new. `extra_context` (a pickle of plain data) becomes `extra`. Groups keep their
 * activity counts, actor counts and times; notification groups their seen/read state.
 * Throws a `SerializationError` naming the key (`details: { key, member, reason }`) on data it
 * cannot read, unless `skipMalformed`; `INVALID_OPTION` for a bad mapping, `UNKNOWN_VERB` for a verb id the registry
 * lacks, `INVALID_ACTIVITY` when a Python group splits into several groups under the target
 * feed's aggregator. A failure leaves the feeds written so far complete; re-run to go on.
 * @example
 * const result = await importPythonRedis({
 *   source: new Redis('redis://127.0.0.1:6379/0'),
 *   feeds: [{ keyFormat: 'feed:normal:%(user_id)s', feed: timeline }],
 * });
 */
export async function importPythonRedis(options: PythonImportOptions): Promise<PythonImportResult> {
  const { source, feeds, activityKey, dryRun, ...o } = checkImportOptions(options);
  const toUserId = o.userId ?? defaultUserId;
  const malformed: MalformedEntry[] = [];
  let malformedCount = 0;
  const onMalformed = (key: string, member: string | undefined, reason: string): void => {
    if (!o.skipMalformed) throw malformedData(key, member, reason);
    malformedCount++;
    if (malformed.length < MALFORMED_LISTED) malformed.push({ key, member, reason });
  };

  // Find every feed first, so progress has a total.
  let skippedKeys = 0;
  const found: { mapping: PythonFeedMapping; feeds: { key: string; userId: Id }[] }[] = [];
  for (const mapping of feeds) {
    const keys = await scanKeys(source, mapping.keyFormat);
    const list: { key: string; userId: Id }[] = [];
    for (const { key, text } of keys) {
      const userId = toUserId(text);
      if (userId !== undefined) assertId(userId, 'userId');
      if (userId === undefined) skippedKeys++;
      else list.push({ key, userId });
    }
    found.push({ mapping, feeds: list });
  }
  const feedsTotal = found.reduce((n, f) => n + f.feeds.length, 0);

  const ctx: Context = { source, activityKey, dryRun, onMalformed, verbs: o.verbs };
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
      const done =
        mapping.feed.kind === 'flat'
          ? await importFlat(ctx, mapping.feed as FlatFeedDefinition, key, userId)
          : await importGroups(ctx, mapping, key, userId);
      stats.feeds++;
      stats.entries += done.entries;
      stats.written += done.written;
      entries += done.entries;
      written += done.written;
      feedsDone++;
      o.onProgress?.({ keyFormat: mapping.keyFormat, feedsDone, feedsTotal, entries });
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

function defaultUserId(text: string): Id | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}
