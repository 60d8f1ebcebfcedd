import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { checkRace, TOTAL, WRITERS, Writers, writerConfigs } from '../support/race.js';
import { clusterClient, deletePrefix } from '../support/redis.js';

// The race of test/support/race.ts on a Redis Cluster of 3 masters: 8 writer processes, each with
// its own cluster connection, publish 10,000 activities at once to one victim's feeds.
const client = clusterClient();
const writers = new Writers();
const prefix = `t:${randomUUID().slice(0, 8)}`;
after(async () => {
  writers.kill();
  await deletePrefix(client, prefix);
  await client.quit();
});

it(`redis-cluster: ${WRITERS} writer processes publishing ${TOTAL.toLocaleString('en-US')} activities at once lose nothing, duplicate no group and keep exact counts`, {
  timeout: 120_000,
}, async (t) => {
  const nodes = process.env.REDIS_CLUSTER_NODES!.split(',');
  await writers.spawn(writerConfigs({ cluster: nodes }, prefix));
  const started = performance.now();
  const reports = await writers.run();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const f = await checkRace(createRedisStorage({ client, prefix }), reports);
  const line = `races (redis-cluster): ${WRITERS} processes, ${f.activities.toLocaleString('en-US')} activities (then the newest ${f.redelivered} published again) in ${seconds}s into ${f.aggregatedGroups} aggregated and ${f.notificationGroups} notification groups: 0 lost, 0 duplicated, counts exact`;
  t.diagnostic(line);
  console.log(line);
});
