import type { Activity } from '../activity/activity.js';
import type { ExtraData } from '../activity/json.js';
import { SerializationError } from '../errors.js';
import { emitMetric } from '../metrics/metrics.js';
import type { Serializer } from '../serialization/serializer.js';
import type { FeedConfig } from './feed-config.js';

/** Activities loaded from activity storage, and the ids that were not there. */
export interface Hydrated<E extends ExtraData> {
  readonly found: Map<string, Activity<E>>;
  readonly missing: string[];
}

/**
 * Loads activities by id from the feed's activity storage in one batch. Missing ids are reported
 * (and counted in metrics), never thrown: a feed entry whose activity is gone is skipped.
 * A corrupt payload throws a SerializationError naming the id.
 */
export async function hydrate<E extends ExtraData>(
  config: FeedConfig,
  ids: readonly string[],
): Promise<Hydrated<E>> {
  const found = new Map<string, Activity<E>>();
  const missing: string[] = [];
  if (ids.length === 0) return { found, missing };
  const unique = [...new Set(ids)];
  const payloads = await config.storage.activities.getMany(unique);
  const key = `${config.storage.activities.name} activity storage`;
  unique.forEach((id, i) => {
    const payload = payloads[i];
    if (payload === undefined) missing.push(id);
    else found.set(id, decodeStored<E>(config.serializer, payload, key, id));
  });
  if (missing.length > 0)
    emitMetric(config.metrics, 'onMissingActivities', { feed: config.name, count: missing.length });
  return { found, missing };
}

/**
 * Loads the activities of `ids` (ids a timeline range returned: no repeats) from the feed's
 * activity storage in one batch and decodes them in their order: a page's items, without the
 * id map of {@link hydrate}. Missing ids are reported and counted as there.
 */
export async function hydrateInOrder<E extends ExtraData>(
  config: FeedConfig,
  ids: readonly string[],
): Promise<{ items: Activity<E>[]; missing: string[] }> {
  const items: Activity<E>[] = [];
  const missing: string[] = [];
  if (ids.length === 0) return { items, missing };
  const payloads = await config.storage.activities.getMany(ids);
  const key = `${config.storage.activities.name} activity storage`;
  for (let i = 0; i < ids.length; i++) {
    const payload = payloads[i];
    if (payload === undefined) missing.push(ids[i]!);
    else items.push(decodeStored<E>(config.serializer, payload, key, ids[i]!));
  }
  if (missing.length > 0)
    emitMetric(config.metrics, 'onMissingActivities', { feed: config.name, count: missing.length });
  return { items, missing };
}

/**
 * Encodes activities for activity storage, in the keyed form (stored under, and decoded with,
 * their ids: {@link decodeStored}); throws (e.g. LIMIT_EXCEEDED) before anything is written.
 */
export function encodeActivities<E extends ExtraData>(
  config: FeedConfig,
  activities: readonly Activity<E>[],
): { id: string; payload: string }[] {
  return activities.map((a) => ({
    id: a.id,
    payload: config.serializer.encodeActivity(a, 'keyed'),
  }));
}

/**
 * Decodes an activity stored under `id` (in activity storage or a timeline entry), keyed or full:
 * `id` is the context a keyed payload takes its id from. A full payload holding another activity
 * is corrupt: {@link SerializationError} naming key and id.
 */
export function decodeStored<E extends ExtraData>(
  serializer: Serializer,
  payload: string,
  key: string,
  id: string,
): Activity<E> {
  const activity = serializer.decodeActivity<E>(payload, { key, id });
  // Always true for a keyed payload (its id is `id`); a full payload carries its own.
  if (activity.id !== id) {
    throw new SerializationError(
      `cannot decode payload at key ${JSON.stringify(key)}, id ${JSON.stringify(id)}: it holds activity ${JSON.stringify(activity.id)}`,
      { details: { key, id } },
    );
  }
  return activity;
}

/** Stores activities in the feed's activity storage (normalized feeds). */
export async function storeActivities<E extends ExtraData>(
  config: FeedConfig,
  activities: readonly Activity<E>[],
): Promise<void> {
  if (activities.length === 0) return;
  await config.storage.activities.putMany(encodeActivities(config, activities));
}
