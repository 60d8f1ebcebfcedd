// The manager the BullMQ benchmark builds on both sides (the enqueuing process and the workers).
import { createManager, defineFlatFeed } from 'stream-framework';
import { createRedisStorage } from 'stream-framework/redis';

export function fanoutManager(client, prefix, queue, followers) {
  const storage = createRedisStorage({ client, prefix });
  const ids = Array.from({ length: followers }, (_, i) => i + 1);
  return createManager({
    userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
    feeds: { timeline: defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 }) },
    getFollowerIds: () => ids,
    queue,
  });
}
