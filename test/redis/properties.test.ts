import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { createRedisStorage, type RedisStorage } from '../../src/backends/redis/index.js';
import { checkFeedModel, describeFigures, propertySize } from '../support/feed-properties.js';
import { deletePrefix, singleClient } from '../support/redis.js';

// The model-based property of test/support/feed-properties.ts on a single Redis: every sequence
// gets a fresh key prefix, deleted after it. SF_SOAK=1 runs many more sequences; SF_SEED replays one.
const client = singleClient();
after(() => client.quit());
const size = propertySize({ runs: 100, steps: 30, soakRuns: 2000 });

it(`redis: ${size.runs} random sequences of up to ${size.steps} public-API calls match the reference model after every call`, async (t) => {
  const figures = await checkFeedModel(
    {
      create: () => createRedisStorage({ client, prefix: `t:${randomUUID().slice(0, 8)}` }),
      destroy: (storage) => deletePrefix(client, (storage as RedisStorage).prefix),
    },
    size,
  );
  const line = describeFigures('redis', figures, size.seed);
  t.diagnostic(line);
  console.log(line);
});
