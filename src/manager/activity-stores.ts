import type { Activity } from '../activity/activity.js';
import type { ExtraData } from '../activity/json.js';
import { decodeStored } from '../feeds/hydrate.js';
import { type ForeignIndex, foreignIndex, unindex, writeIndex } from '../foreign/foreign-index.js';
import { chunks } from './fanout-plan.js';
import type { ManagerConfig } from './options.js';
import { type ActivityStore, type AnyFeedDefinition, activityStores } from './options.js';
import { ownerOf } from './ownership.js';

/**
 * The manager's access to activity storage: each activity is written once per distinct storage
 * (by identity) behind the normalized feeds it reaches, and collected from all of them on removal.
 */
export interface ActivityStores<E extends ExtraData> {
  /** The foreignId index (docs/foreign-ids.md), in the user feed's timeline storage. */
  readonly index: ForeignIndex;
  /**
   * Encodes `activities` (keyed form: stored under their ids) for every storage behind
   * `extraFeeds` plus the user and fan-out feeds, and returns the write to run: encoding errors
   * surface before anything is written. The write indexes the activities that have a foreignId
   * after storing them.
   */
  prepare(
    activities: readonly Activity<E>[],
    extraFeeds: readonly AnyFeedDefinition<E>[],
  ): () => Promise<void>;
  /**
   * The stored versions of these activities (by id; absent ones left out): from any activity
   * storage, else from `userId`'s denormalized user feed (none when `userId` is undefined). A
   * corrupt payload counts as absent.
   */
  lookup(userId: string | undefined, ids: readonly string[]): Promise<Map<string, Activity<E>>>;
  /** Whether `userId`'s own user feed holds an entry with this id (whatever its payload). */
  inUserFeed(userId: string, id: string): Promise<boolean>;
  /**
   * Deletes the activity from every storage of every registered normalized feed, then its
   * foreignId index entry (when `activity`, the version removed, is known and has one).
   */
  collect(id: string, activity?: Activity<E>): Promise<void>;
}

/** Ids read per storage call by `lookup`. */
const LOOKUP_CHUNK = 1000;

/** Creates the {@link ActivityStores} of a manager. */
export function createActivityStores<E extends ExtraData>(
  config: ManagerConfig<E>,
): ActivityStores<E> {
  const base = [config.userFeed, ...config.fanoutFeeds];
  const baseStores = activityStores(base);
  const allStores = activityStores([...config.byName.values()]);

  const index = foreignIndex(config.userFeed.config.storage.timeline, config.userFeed.name);
  const owner = (a: Activity<E>) => ownerOf(config, a);

  const storesFor = (extra: readonly AnyFeedDefinition<E>[]): ActivityStore[] =>
    extra.length === 0 ? baseStores : activityStores([...base, ...extra]);

  return Object.freeze({
    index,
    prepare(activities: readonly Activity<E>[], extraFeeds: readonly AnyFeedDefinition<E>[]) {
      const writes = storesFor(extraFeeds).map((store) => ({
        store,
        entries: activities.map((a) => ({
          id: a.id,
          payload: store.serializer.encodeActivity(a, 'keyed'),
        })),
      }));
      return async () => {
        if (activities.length === 0) return;
        for (const { store, entries } of writes) await store.storage.putMany(entries);
        await writeIndex(index, activities, owner);
      };
    },
    async lookup(
      userId: string | undefined,
      ids: readonly string[],
    ): Promise<Map<string, Activity<E>>> {
      const found = new Map<string, Activity<E>>();
      const missing = () => [...new Set(ids)].filter((id) => !found.has(id));
      for (const store of allStores) {
        for (const part of chunks(missing(), LOOKUP_CHUNK)) {
          const payloads = await store.storage.getMany(part);
          part.forEach((id, i) => {
            const activity = tryDecode<E>(payloads[i], (p) =>
              decodeStored<E>(store.serializer, p, `${store.storage.name} activity storage`, id),
            );
            if (activity) found.set(id, activity);
          });
        }
      }
      const { userFeed } = config;
      if (userFeed.normalized || userId === undefined) return found;
      const key = userFeed.keyFor(userId);
      for (const part of chunks(missing(), LOOKUP_CHUNK)) {
        const entries = await userFeed.config.storage.timeline.get(key, part);
        part.forEach((id, i) => {
          const activity = tryDecode<E>(entries[i]?.payload, (p) =>
            decodeStored<E>(userFeed.config.serializer, p, key, id),
          );
          if (activity) found.set(id, activity);
        });
      }
      return found;
    },
    async inUserFeed(userId: string, id: string): Promise<boolean> {
      const { userFeed } = config;
      const { timeline } = userFeed.config.storage;
      const view = userFeed.normalized ? timeline.idsOnly() : timeline;
      const [entry] = await view.get(userFeed.keyFor(userId), [id]);
      return entry !== undefined;
    },
    async collect(id: string, activity?: Activity<E>): Promise<void> {
      for (const store of allStores) await store.storage.removeMany([id]);
      await unindex(index, activity);
    },
  });
}

/** Decodes a payload; a corrupt one counts as absent (a removal must not be blocked by it). */
function tryDecode<E extends ExtraData>(
  payload: string | undefined,
  decode: (payload: string) => Activity<E>,
): Activity<E> | undefined {
  if (payload === undefined) return undefined;
  try {
    return decode(payload);
  } catch {
    return undefined;
  }
}
