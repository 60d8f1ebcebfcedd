/**
 * `summary`: counts, newest reactions and the reader's own reactions of a page of activities,
 * from one `rangeMany` per chunk of timelines: the newest entries of each (activity, kind)
 * timeline start with its count entry, and the reader's own timelines are read in the same
 * call. Internal to reactions.
 * @module
 */
import { ValidationError } from '../errors.js';
import { userIdString } from '../feeds/keys.js';
import type { TimelineEntry } from '../storage/contracts.js';
import { settleAll } from '../util/settle-all.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { describe } from '../validation/show.js';
import { intOptionOr, invalidOption } from '../validation/values.js';
import { decodeCount, decodeReaction } from './codec.js';
import { COUNT_ID, checkTargetId } from './layout.js';
import { checkKind, type ReactionSettings } from './settings.js';
import type { Reaction, ReactionSummary, ReactionSummaryOptions } from './types.js';

const SUMMARY_KEYS = optionKeys<ReactionSummaryOptions>({
  kinds: true,
  latest: true,
  userId: true,
  own: true,
});
/** Timelines read by one `rangeMany` call. */
const CHUNK = 256;

function checkActivityIds(s: ReactionSettings, ids: unknown): readonly string[] {
  if (!Array.isArray(ids))
    throw invalidOption('activityIds', `must be an array, got ${describe(ids)}`);
  if (ids.length > s.maxSummaryActivities) {
    throw new ValidationError(
      'LIMIT_EXCEEDED',
      `summary reads at most ${s.maxSummaryActivities} activities (limits.maxSummaryActivities), got ${ids.length}`,
      { details: { field: 'activityIds', limit: s.maxSummaryActivities } },
    );
  }
  return ids.map(checkTargetId);
}

function checkKinds(s: ReactionSettings, kinds: unknown): readonly string[] {
  if (kinds === undefined) {
    if (s.kinds === undefined)
      throw invalidOption('kinds', 'is required when no kinds were declared');
    return [...s.kinds.keys()];
  }
  if (!Array.isArray(kinds))
    throw invalidOption('kinds', `must be an array, got ${describe(kinds)}`);
  return [...new Set(kinds.map((k) => checkKind(s, k).kind))];
}

/** Reads the summaries of `activityIds` (positional). */
export async function readSummaries(
  s: ReactionSettings,
  activityIds: readonly string[],
  options: ReactionSummaryOptions | undefined,
): Promise<ReactionSummary[]> {
  const o = checkOptions<ReactionSummaryOptions>(options, SUMMARY_KEYS, 'reactions.summary', true);
  const ids = checkActivityIds(s, activityIds);
  const kinds = checkKinds(s, o.kinds);
  const latest = intOptionOr(o.latest, Math.min(5, s.maxLatest), 'latest', 0, s.maxLatest);
  const own = intOptionOr(o.own, Math.min(10, s.maxLatest), 'own', 0, s.maxLatest);
  const reader = o.userId === undefined ? undefined : userIdString(o.userId);
  const distinct = [...new Set(ids)];
  const keys: string[] = [];
  for (const activityId of distinct) {
    for (const kind of kinds) {
      keys.push(s.keys.all(activityId, kind));
      if (reader !== undefined && own > 0) keys.push(s.keys.own(reader, activityId, kind));
    }
  }
  const limit = Math.max(latest + 1, own);
  const chunks: Promise<TimelineEntry[][]>[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) {
    chunks.push(s.timeline.rangeMany(keys.slice(i, i + CHUNK), { limit, order: 'desc' }));
  }
  const ranges = (await settleAll(chunks)).flat();
  const byKey = new Map(keys.map((key, i) => [key, ranges[i]!]));
  const decode = (key: string, activityId: string, kind: string, n: number): Reaction[] =>
    (byKey.get(key) ?? [])
      .filter((e) => e.id !== COUNT_ID)
      .slice(0, n)
      .map((e) => decodeReaction(e, key, activityId, kind));
  const summaries = new Map<string, ReactionSummary>();
  for (const activityId of distinct) {
    const counts: Record<string, number> = {};
    const newest: Record<string, readonly Reaction[]> = {};
    const mine: Record<string, readonly Reaction[]> = {};
    for (const kind of kinds) {
      const key = s.keys.all(activityId, kind);
      const head = byKey.get(key)?.[0];
      counts[kind] = decodeCount(head?.id === COUNT_ID ? head : undefined, key);
      newest[kind] = decode(key, activityId, kind, latest);
      mine[kind] =
        reader === undefined || own === 0
          ? []
          : decode(s.keys.own(reader, activityId, kind), activityId, kind, own);
    }
    summaries.set(activityId, { activityId, counts, latest: newest, own: mine });
  }
  return ids.map((id) => summaries.get(id)!);
}
