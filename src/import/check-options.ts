/**
 * Checking the options of `importPythonRedis` before anything is read: unknown keys, mappings
 * that are not feed definitions, states on feeds that have none. Internal to the importer.
 * @module
 */
import type { Redis } from 'ioredis';
import type { Id } from '../activity/ids.js';
import type { VerbRegistry } from '../activity/verbs.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { boolOptionOr, fnOptionOr, invalidOption, oneOfOption } from '../validation/values.js';
import type { PythonFeedMapping, PythonImportOptions, PythonImportProgress } from './options.js';
import { checkKeyFormat } from './python-source.js';

const WHERE = 'importPythonRedis';
const OPTION_KEYS = optionKeys<PythonImportOptions>({
  source: true,
  feeds: true,
  verbs: true,
  activityKey: true,
  userId: true,
  dryRun: true,
  skipMalformed: true,
  onProgress: true,
});
const MAPPING_KEYS = optionKeys<PythonFeedMapping>({
  keyFormat: true,
  feed: true,
  state: true,
  markersKeyFormat: true,
});
const KINDS = ['flat', 'aggregated', 'notification'] as const;

/** The checked options, defaults applied. */
export interface CheckedImportOptions {
  readonly source: Redis;
  readonly feeds: readonly PythonFeedMapping[];
  readonly verbs: VerbRegistry | undefined;
  readonly activityKey: string;
  readonly userId: ((text: string) => Id | undefined) | undefined;
  readonly dryRun: boolean;
  readonly skipMalformed: boolean;
  readonly onProgress: ((progress: PythonImportProgress) => void) | undefined;
}

/** Checks the options; throws `INVALID_OPTION` naming the option. */
export function checkImportOptions(options: unknown): CheckedImportOptions {
  const o = checkOptions<PythonImportOptions>(options, OPTION_KEYS, WHERE);
  const source = o.source as { scan?: unknown; pipeline?: unknown } | undefined;
  if (typeof source?.scan !== 'function' || typeof source.pipeline !== 'function') {
    throw invalidOption(`${WHERE}: source`, 'must be an ioredis client on the Python database');
  }
  if (!Array.isArray(o.feeds) || o.feeds.length === 0) {
    throw invalidOption(`${WHERE}: feeds`, 'must list at least one mapping');
  }
  const feeds = o.feeds.map((m: unknown, i: number) => checkMapping(m, `${WHERE}: feeds[${i}]`));
  const verbs = o.verbs as { get?: unknown } | undefined;
  if (verbs !== undefined && typeof verbs?.get !== 'function') {
    throw invalidOption(`${WHERE}: verbs`, 'must be a VerbRegistry (createVerbRegistry())');
  }
  const activityKey = o.activityKey ?? 'global';
  if (typeof activityKey !== 'string' || activityKey === '') {
    throw invalidOption(`${WHERE}: activityKey`, 'must be a non-empty string');
  }
  return {
    source: o.source as Redis,
    feeds,
    verbs: o.verbs,
    activityKey,
    userId: fnOptionOr<(text: string) => Id | undefined, undefined>(
      o.userId,
      undefined,
      `${WHERE}: userId`,
    ),
    dryRun: boolOptionOr(o.dryRun, false, `${WHERE}: dryRun`),
    skipMalformed: boolOptionOr(o.skipMalformed, false, `${WHERE}: skipMalformed`),
    onProgress: fnOptionOr<(p: PythonImportProgress) => void, undefined>(
      o.onProgress,
      undefined,
      `${WHERE}: onProgress`,
    ),
  };
}

function checkMapping(value: unknown, where: string): PythonFeedMapping {
  const m = checkOptions<PythonFeedMapping>(value, MAPPING_KEYS, where);
  checkKeyFormat(m.keyFormat);
  const feed = m.feed as { kind?: unknown; for?: unknown; name?: unknown } | undefined;
  if (typeof feed?.for !== 'function' || typeof feed.name !== 'string') {
    throw invalidOption(
      `${where}.feed`,
      'must be a feed definition (defineFlatFeed() and the like)',
    );
  }
  const kind = oneOfOption(feed.kind, KINDS, `${where}.feed.kind`);
  if (kind !== 'notification' && (m.state !== undefined || m.markersKeyFormat !== undefined)) {
    throw invalidOption(`${where}.state`, 'and markersKeyFormat are for notification feeds only');
  }
  if (m.state !== undefined) oneOfOption(m.state, ['markers', 'dates'] as const, `${where}.state`);
  if (m.markersKeyFormat !== undefined) checkKeyFormat(m.markersKeyFormat);
  return m as PythonFeedMapping;
}
