import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { createRedisStorage, type RedisStorage } from '../../src/backends/redis/index.js';
import { checkFeedModel, describeFigures, propertySize } from '../support/feed-properties.js';
import { clusterClient, deletePrefix } from '../support/redis.js';

// The model-based property of test/support/feed-properties.ts on a Redis Cluster of 3 masters
// (fan-out writes go to one slot per feed, activity storage to 16 tagged shards).
const client = clusterClient();
after(() => client.quit());
const size = propertySize({ runs: 40, steps: 30, soakRuns: 1000 });

it(`redis-cluster: ${size.runs} random sequences of up to ${size.steps} public-API calls match the reference model after every call`, async (t) => {
  const figures = await checkFeedModel(
    {
      create: () => createRedisStorage({ client, prefix: `t:${randomUUID().slice(0, 8)}` }),
      destroy: (storage) => deletePrefix(client, (storage as RedisStorage).prefix),
    },
    size,
  );
  const line = describeFigures('redis-cluster', figures, size.seed);
  t.diagnostic(line);
  console.log(line);
});
