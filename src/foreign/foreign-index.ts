/**
 * The foreignId index: one timeline per foreignId, in the user feed's timeline storage, whose
 * entries are the activities with that foreignId (id, score = time, payload = owner user id).
 * Written with the activity (after activity storage, before the user feed), removed with it
 * (after activity storage); both idempotent, so a retried call repairs a failure half-way.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Activity } from '../activity/activity.js';
import type { ExtraData } from '../activity/json.js';
import type { TimelineEntry, TimelineStorage } from '../storage/contracts.js';
import { forEachLimited } from '../util/for-each-limited.js';

/** Index timelines written at once by one call. */
const INDEX_CONCURRENCY = 16;

/**
 * The index key of a foreignId: the user feed's name, `:sf-fid:`, then 32 hex digits of a
 * SHA-256 of the foreignId (any unicode id gives a short, safe key; a lookup also compares the
 * activity's own foreignId, so even a digest collision cannot return another activity).
 */
export function foreignIndexKey(userFeedName: string, foreignId: string): string {
  const digest = createHash('sha256').update(foreignId).digest('hex').slice(0, 32);
  return `${userFeedName}:sf-fid:${digest}`;
}

/** The index of one manager: where it lives and how an activity's owner is named. */
export interface ForeignIndex {
  readonly timeline: TimelineStorage;
  keyOf(foreignId: string): string;
}

/** Creates the index of a manager whose user feed is `userFeedName` on `timeline`. */
export function foreignIndex(timeline: TimelineStorage, userFeedName: string): ForeignIndex {
  return Object.freeze({
    timeline,
    keyOf: (foreignId: string) => foreignIndexKey(userFeedName, foreignId),
  });
}

/** Adds the activities that have a foreignId to the index, with their owners (idempotent). */
export async function writeIndex<E extends ExtraData>(
  index: ForeignIndex,
  activities: readonly Activity<E>[],
  ownerOf: (activity: Activity<E>) => string,
): Promise<void> {
  const byKey = new Map<string, TimelineEntry[]>();
  for (const a of activities) {
    if (a.foreignId === undefined) continue;
    const key = index.keyOf(a.foreignId);
    const entries = byKey.get(key) ?? [];
    byKey.set(key, entries);
    entries.push({ id: a.id, score: a.time.getTime(), payload: ownerOf(a) });
  }
  await forEachLimited([...byKey], INDEX_CONCURRENCY, ([key, entries]) =>
    index.timeline.add(key, entries),
  );
}

/** Removes one activity's entry from the index (nothing when it has no foreignId). */
export async function unindex<E extends ExtraData>(
  index: ForeignIndex,
  activity: Activity<E> | undefined,
): Promise<void> {
  if (activity?.foreignId === undefined) return;
  await index.timeline.remove(index.keyOf(activity.foreignId), [activity.id]);
}
