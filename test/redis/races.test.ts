import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { checkRace, TOTAL, WRITERS, Writers, writerConfigs } from '../support/race.js';
import { deletePrefix, singleClient } from '../support/redis.js';

// 8 writer processes, each with its own connection, publish 10,000 activities at once to one
// victim's timeline, aggregated feed and (through `to`) notification feed: nothing may be lost or
// duplicated and every count must be exact (test/support/race.ts).
const client = singleClient();
const writers = new Writers();
const prefix = `t:${randomUUID().slice(0, 8)}`;
after(async () => {
  writers.kill();
  await deletePrefix(client, prefix);
  await client.quit();
});

it(`redis: ${WRITERS} writer processes publishing ${TOTAL.toLocaleString('en-US')} activities at once lose nothing, duplicate no group and keep exact counts`, {
  timeout: 120_000,
}, async (t) => {
  await writers.spawn(writerConfigs({ url: process.env.REDIS_URL! }, prefix));
  const started = performance.now();
  const reports = await writers.run();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const f = await checkRace(createRedisStorage({ client, prefix }), reports);
  const line = `races (redis): ${WRITERS} processes, ${f.activities.toLocaleString('en-US')} activities (then the newest ${f.redelivered} published again) in ${seconds}s into ${f.aggregatedGroups} aggregated and ${f.notificationGroups} notification groups: 0 lost, 0 duplicated, counts exact`;
  t.diagnostic(line);
  console.log(line);
});
