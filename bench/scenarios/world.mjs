// Builds the library objects a scenario needs on one backend.
import {
  createActivity,
  createInlineQueue,
  createManager,
  createMemoryStorage,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
} from 'stream-framework';
import { createRedisStorage } from 'stream-framework/redis';

let prefixes = 0;

/**
 * A fresh storage on `backend` ('memory', 'redis', 'redis-cluster'), isolated by key prefix;
 * `options` are more options of createRedisStorage.
 */
export function storageOn(backend, clients, options = {}) {
  if (backend === 'memory') return createMemoryStorage();
  return createRedisStorage({ client: clients[backend], prefix: `bench${++prefixes}`, ...options });
}

/** A manager fanning out to one flat feed, with followers 1..n. */
export function fanoutWorld(storage, n, { concurrency = 8 } = {}) {
  const followers = Array.from({ length: n }, (_, i) => i + 1);
  return createManager({
    userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
    feeds: { timeline: defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 }) },
    getFollowerIds: () => followers,
    queue: createInlineQueue({ concurrency }),
  });
}

export const feeds = {
  flat: (storage, options = {}) =>
    defineFlatFeed({ name: 'timeline', storage, maxLength: 1000, ...options }),
  aggregated: (storage) => defineAggregatedFeed({ name: 'aggregated', storage, maxLength: 100 }),
  notification: (storage) => defineNotificationFeed({ name: 'notification', storage }),
};

const T0 = 1_764_000_000_000;
const VERBS = ['love', 'add', 'comment'];

/** Activity number i: 50 actors, 3 verbs, a second apart, with a little extra data. */
export function activity(i, actor = i % 50) {
  return createActivity({
    actor,
    verb: VERBS[i % 3],
    object: 100_000 + i,
    target: 7,
    time: T0 + i * 1000,
    extra: { itemId: i },
  });
}

/** Deletes every key of the benchmark prefixes (on every master of a cluster). */
export async function cleanup(client) {
  const nodes = client.isCluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', 'bench*', 'COUNT', 5000);
      cursor = next;
      // One pipeline per batch (single-key commands: valid on a cluster node too).
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.unlink(key);
      if (keys.length > 0) await pipeline.exec();
    } while (cursor !== '0');
  }
}
