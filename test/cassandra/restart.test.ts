// The Cassandra node restarted under fan-out writes (issue 8). This file restarts its node, so it
// starts its OWN Cassandra (never the group's shared one, which other test files use at the same
// time) with the helpers of scripts/backends/, and stops it by PID.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import cassandra from 'cassandra-driver';
import { startCassandra, stopCassandra } from '../../scripts/backends/cassandra-process.mjs';
import { fetchCassandra, findJava } from '../../scripts/backends/cassandra-setup.mjs';
import { isRunning } from '../../scripts/backends/redis-process.mjs';
import { createCassandraStorage } from '../../src/backends/cassandra/index.js';
import {
  type Activity,
  BackendError,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
  StreamFrameworkError,
} from '../../src/index.js';
import { ensureSchema, hostTracker, TEST_KEYSPACE, uniqueNamespace } from '../support/cassandra.js';
import { faultActivity, untilDone } from '../support/retry.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { java } = findJava();
const { lib } = fetchCassandra();
let node = await startCassandra({ lib, java });
// A short constant reconnection delay: the default exponential policy would wait up to tens of
// seconds before noticing that the node is back.
const client = new cassandra.Client({
  contactPoints: [`${node.host}:${node.nativePort}`],
  localDataCenter: 'datacenter1',
  socketOptions: { connectTimeout: 5000, readTimeout: 15_000 },
  policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(200) },
});
// The driver's Host objects of before and after the restart are all stopped at the end (see
// hostTracker).
const hosts = hostTracker(client);
after(async () => {
  await hosts.shutdown();
  // By PID (stopCassandra checks that it is still our CassandraDaemon), then the dir is removed.
  await stopCassandra(node);
});

const FOLLOWERS = Array.from({ length: 50 }, (_, i) => i + 100);
/** Upper bound on one write's retries (each 100 ms apart): the node restarts in well under 60 s. */
const MAX_ATTEMPTS = 600;

function world() {
  const storage = createCassandraStorage({
    client,
    keyspace: TEST_KEYSPACE,
    namespace: uniqueNamespace(),
  });
  return createManager({
    userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 }),
      aggregated: defineAggregatedFeed({ name: 'aggregated', storage }),
    },
    getFollowerIds: () => FOLLOWERS,
  });
}

const RETRY_OPTIONS = { attempts: MAX_ATTEMPTS, delayMs: 100 };

describe('Cassandra faults', () => {
  it('the Cassandra node restarted during fan-outs: typed errors, retries land exactly once', async (t) => {
    const manager = world();
    await ensureSchema(client);
    hosts.remember();
    const written: Activity[] = [];
    const failures: unknown[] = [];
    let restarted = false;
    let writtenAtRestart = 0;
    // One writer, one activity at a time, until a few writes have landed after the restart.
    const writes = (async () => {
      for (let i = 0; !restarted || written.length < writtenAtRestart + 4; i++) {
        if (i >= 200) throw new Error('the writer did not finish');
        const activity = faultActivity(i);
        await untilDone(() => manager.addUserActivity(1, activity), failures, RETRY_OPTIONS);
        written.push(activity);
        await sleep(20);
      }
    })();
    writes.catch(() => undefined); // awaited below; no unhandled rejection meanwhile

    while (written.length < 5) await sleep(20);
    const stopped = await stopCassandra(node, { keepDir: true }); // SIGTERM: drain, then exit
    assert.equal(stopped?.signal, 'SIGTERM', 'a clean shutdown');
    assert.equal(isRunning(node.pid), false, 'the node stopped');
    const writtenBeforeOutage = written.length;
    // Keep it down until a write has failed against it, then start again on the same ports and dir.
    for (let i = 0; i < 400 && failures.length === 0; i++) await sleep(25);
    const failedWhileDown = failures.length;
    node = await startCassandra({ lib, java, restart: node });
    writtenAtRestart = written.length;
    restarted = true;
    await writes;

    assert.ok(failedWhileDown > 0, 'the outage made writes fail');
    assert.ok(
      failures.every((e) => e instanceof BackendError && e instanceof StreamFrameworkError),
      `every failure is a typed BackendError: ${failures.filter((e) => !(e instanceof BackendError))[0]}`,
    );

    // No loss, no duplicates: every follower holds every activity exactly once; reads agree.
    const ids = written.map((a) => a.id).sort();
    let lost = 0;
    let duplicated = 0;
    const count = (ids: string[], expected: string[]) => {
      const seen = new Set(ids);
      duplicated += ids.length - seen.size;
      lost += expected.filter((id) => !seen.has(id)).length;
    };
    const own = await manager.getUserFeed(1).read({ limit: 1000 });
    count(
      own.items.map((a) => a.id),
      ids,
    );
    assert.deepEqual(own.items.map((a) => a.id).sort(), ids, 'user feed');
    for (const follower of FOLLOWERS) {
      const feeds = manager.getFeeds(follower);
      const page = await feeds.timeline.read({ limit: 1000 });
      const again = await feeds.timeline.read({ limit: 1000 });
      count(
        page.items.map((a) => a.id),
        ids,
      );
      assert.deepEqual(page.items.map((a) => a.id).sort(), ids, `follower ${follower} timeline`);
      assert.deepEqual(
        again.items.map((a) => a.id),
        page.items.map((a) => a.id),
        'reads agree',
      );
      const groups = (await feeds.aggregated.read({ limit: 100 })).items;
      assert.equal(new Set(groups.map((g) => g.group)).size, groups.length, 'no duplicate group');
      assert.equal(
        groups.reduce((n, g) => n + g.activityCount, 0),
        written.length,
        `follower ${follower} aggregated count`,
      );
    }
    assert.equal(lost, 0);
    assert.equal(duplicated, 0);

    const line =
      `faults (Cassandra node restarted mid fan-out): 1 fault injected (SIGTERM, stopped in ` +
      `${stopped?.seconds.toFixed(1)}s, restarted on the same ports and data dir in ` +
      `${node.seconds?.toFixed(1)}s); ${failures.length} operations failed with a typed ` +
      `BackendError and were retried; ${written.length} activities (${writtenBeforeOutage} before ` +
      `the outage) delivered to ${FOLLOWERS.length} followers' flat and aggregated feeds: ` +
      `${lost} lost, ${duplicated} duplicated`;
    t.diagnostic(line);
    console.log(line);
  });
});
