// One node of the three-node ring killed mid fan-out and restarted (issue 15, item 4). The ring is
// the group's (scripts/backends/cassandra-ring.mjs); its files run one at a time, so nothing else
// runs while a node is down. The node is killed by its PID (SIGKILL: a crash, no drain) and
// restarted on its address, ports and data dir; the new PID goes to the ring's state file, from
// which the group stops it at the end.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import cassandra from 'cassandra-driver';
import { startCassandra, stopCassandra } from '../../scripts/backends/cassandra-process.mjs';
import {
  readNodes,
  recordNode,
  waitForRing,
} from '../../scripts/backends/cassandra-ring-process.mjs';
import { fetchCassandra, findJava } from '../../scripts/backends/cassandra-setup.mjs';
import { isRunning } from '../../scripts/backends/redis-process.mjs';
import { createCassandraStorage } from '../../src/backends/cassandra/index.js';
import {
  type Activity,
  BackendError,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  StreamFrameworkError,
} from '../../src/index.js';
import {
  ensureSchema,
  hostTracker,
  TEST_KEYSPACE,
  testClient,
  uniqueNamespace,
} from '../support/cassandra.js';
import { assertRing, RING_CLIENT, RING_STORAGE, ringDir } from '../support/cassandra-ring.js';
import { faultActivity, untilDone } from '../support/retry.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { java } = findJava();
const { lib } = fetchCassandra();
const ring = ringDir();
/** The node killed: not the seed, so the ring's gossip keeps its seed. */
const VICTIM = '127.0.0.3';

// A short constant reconnection delay: the default exponential policy would wait up to tens of
// seconds before noticing that the node is back.
const client = testClient({
  ...RING_CLIENT,
  policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(200) },
});
const hosts = hostTracker(client);
after(() => hosts.shutdown());

const FOLLOWERS = Array.from({ length: 200 }, (_, i) => i + 100);
/** Activities written in each phase: before the kill, while the node is down, after its restart. */
const PER_PHASE = 3;
/** Upper bound on one write's retries (each 100 ms apart): a restart takes well under 2 minutes. */
const RETRY_OPTIONS = { attempts: 1200, delayMs: 100 };

function world() {
  const storage = createCassandraStorage({
    client,
    keyspace: TEST_KEYSPACE,
    namespace: uniqueNamespace(),
    ...RING_STORAGE,
  });
  return createManager({
    userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 }),
      aggregated: defineAggregatedFeed({ name: 'aggregated', storage }),
      notification: defineNotificationFeed({ name: 'notification', storage }),
    },
    getFollowerIds: () => FOLLOWERS,
  });
}

/** Counts ids missing from `seen` and ids seen more than once. */
function tally(seen: readonly string[], expected: readonly string[]) {
  const distinct = new Set(seen);
  return {
    duplicated: seen.length - distinct.size,
    lost: expected.filter((id) => !distinct.has(id)).length,
  };
}

describe('Cassandra ring faults', () => {
  it('a node killed mid fan-out and restarted: quorum writes go on, typed errors, every feed holds each activity once', async (t) => {
    await assertRing(client);
    await ensureSchema(client);
    hosts.remember();
    const manager = world();
    const victim = readNodes(ring).find((n) => n.host === VICTIM);
    assert.ok(victim, `the ring records a node on ${VICTIM}`);

    const written: Activity[] = [];
    const failures: unknown[] = [];
    let phase: 'before' | 'down' | 'after' = 'before';
    const failedIn = { before: 0, down: 0, after: 0 };
    let fanningOut = false;
    const startedAt = performance.now();
    // One writer, one activity at a time (each fans out to 200 followers x 3 feeds), until a few
    // have landed after the restart.
    let target = Number.POSITIVE_INFINITY;
    const writes = (async () => {
      for (let i = 0; written.length < target; i++) {
        if (i >= 200) throw new Error('the writer did not finish');
        const activity = faultActivity(i);
        fanningOut = true;
        const before = failures.length;
        await untilDone(() => manager.addUserActivity(1, activity), failures, RETRY_OPTIONS);
        failedIn[phase] += failures.length - before;
        fanningOut = false;
        written.push(activity);
      }
    })();
    writes.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
    const until = async (count: number) => {
      while (written.length < count) {
        await Promise.race([writes, sleep(20)]);
      }
    };

    await until(PER_PHASE);
    // Into the next fan-out, past its flat (blind, fast) feeds into the conditional writes of the
    // aggregated and notification feeds: about half an activity's time.
    await sleep(((performance.now() - startedAt) / written.length) * 0.5);
    const killedMidFanout = fanningOut;
    const killed = await stopCassandra(victim, { keepDir: true, signal: 'SIGKILL' });
    assert.equal(killed?.signal, 'SIGKILL');
    assert.equal(isRunning(victim.pid), false, 'the node is gone');
    phase = 'down';
    const writtenBeforeKill = written.length;
    const downAt = performance.now();
    // The driver notices: its host of the victim goes down (the socket closed, or gossip said so).
    const victimHost = () => client.hosts.values().find((h) => h.address.startsWith(`${VICTIM}:`));
    while (victimHost()?.isUp() && performance.now() - downAt < 60_000) await sleep(50);
    assert.equal(victimHost()?.isUp(), false, 'the driver saw the node go down');
    const noticedSeconds = (performance.now() - downAt) / 1000;
    // With replication factor 3, two replicas are a quorum: writes go on while the node is down.
    await until(writtenBeforeKill + PER_PHASE);
    const writtenWhileDown = written.length - writtenBeforeKill;
    const restarted = await startCassandra({ lib, java, restart: victim, own: false });
    recordNode(ring, restarted); // the group stops the running JVM by this PID
    const downSeconds = (performance.now() - downAt) / 1000;
    phase = 'after';
    target = written.length + PER_PHASE;
    await writes;
    await waitForRing(readNodes(ring)); // the next test file gets the whole ring
    const seconds = (performance.now() - startedAt) / 1000;
    const kinds = [...new Set(failures.map((e) => (e instanceof Error ? e.message : String(e))))];
    t.diagnostic(
      `failures by phase ${JSON.stringify(failedIn)}; first kinds: ${kinds.slice(0, 3)}`,
    );

    assert.ok(
      failures.every((e) => e instanceof BackendError && e instanceof StreamFrameworkError),
      `every failure is a typed BackendError: ${failures.filter((e) => !(e instanceof BackendError))[0]}`,
    );

    // Nothing lost, nothing duplicated: quorum reads of every feed. The restarted node missed the
    // writes of its outage (no hinted handoff here); a quorum read still finds them on the others.
    const ids = written.map((a) => a.id).sort();
    let lost = 0;
    let duplicated = 0;
    const check = (seen: readonly string[]) => {
      const found = tally(seen, ids);
      lost += found.lost;
      duplicated += found.duplicated;
    };
    const own = await manager.getUserFeed(1).read({ limit: 1000 });
    check(own.items.map((a) => a.id));
    for (const follower of FOLLOWERS) {
      const feeds = manager.getFeeds(follower);
      const page = await feeds.timeline.read({ limit: 1000 });
      check(page.items.map((a) => a.id));
      assert.deepEqual(page.items.map((a) => a.id).sort(), ids, `follower ${follower} timeline`);
      assert.equal(await feeds.timeline.count(), ids.length, `follower ${follower} timeline count`);
      for (const kind of ['aggregated', 'notification'] as const) {
        const groups = (await feeds[kind].read({ limit: 100 })).items;
        assert.equal(new Set(groups.map((g) => g.group)).size, groups.length, 'no duplicate group');
        const members = groups.flatMap((g) => g.activities.map((a) => a.id));
        assert.equal(new Set(members).size, members.length, `follower ${follower} ${kind} members`);
        assert.ok(
          members.every((id) => ids.includes(id)),
          `follower ${follower} ${kind}: only written activities`,
        );
        assert.equal(
          groups.reduce((n, g) => n + g.activityCount, 0),
          written.length,
          `follower ${follower} ${kind} activity count`,
        );
        if (members.length !== written.length) lost += written.length - members.length;
      }
    }
    assert.equal(lost, 0, 'nothing lost');
    assert.equal(duplicated, 0, 'nothing duplicated');
    assert.ok(writtenWhileDown >= PER_PHASE, 'writes went on with one node down');

    const line =
      `faults (ring of 3, RF 3, LOCAL_QUORUM): ${VICTIM} killed (SIGKILL) ` +
      `${killedMidFanout ? 'mid fan-out' : 'between fan-outs'} (the driver saw it down after ` +
      `${noticedSeconds.toFixed(1)}s), back ${downSeconds.toFixed(1)}s later (its restart on ` +
      `the same address, ports and data dir took ${restarted.seconds?.toFixed(1)}s of it); ` +
      `${written.length} activities (${writtenBeforeKill} before the kill, ${writtenWhileDown} ` +
      `while down) fanned out to ${FOLLOWERS.length} followers x 3 feeds (flat normalized, ` +
      `aggregated, notification) in ${seconds.toFixed(1)}s; operations failed with a typed ` +
      `BackendError and retried: ${failedIn.before} before, ${failedIn.down} while down or ` +
      `restarting, ` +
      `${failedIn.after} after the restart; ${lost} lost, ${duplicated} duplicated`;
    t.diagnostic(line);
    console.log(line);
  });
});
