// Issue #14, target T1 calibrated: "write amplification on the simulated graph: hybrid <= 0.2x
// pure push inserts", checked by a real run at a small size. The simulator's own graph and
// workload (src/simulate, from dist/) for U users become a real follow graph (lib/replay-graph.mjs);
// one window of posts and reads at the simulator's rates is replayed through a pure push manager
// and through a hybrid manager on the same backend (separate key prefixes), with a virtual clock
// (Date.now) so that rates, the 10-minute read recording and the 1-hour all-pull marker see the
// simulated times. The hybrid run starts from the counters the model assumes (each producer's
// rate; each active reader's rate as of its last read; inactive readers never read, so they have
// none). A counting storage (lib/counting-storage.mjs) counts every entry written to follower
// timelines and to pulled sets. Push reads are skipped (they write nothing).
import { createActivity, createInlineQueue, createManager, defineFlatFeed } from 'stream-framework';
import { decideEdge, resolveFanoutPolicy } from '../../dist/fanout/policy.js';
import { rateAt } from '../../dist/fanout/rates.js';
import { statsKey } from '../../dist/manager/hybrid.js';
import { resolveSimulationOptions } from '../../dist/simulate/options.js';
import { createRandom } from '../../dist/simulate/random.js';
import { buildWorkload, simulate, simulateWorkload } from '../../dist/simulate/simulate.js';
import { countingStorage } from '../lib/counting-storage.mjs';
import { drawEvents, drawFollowers } from '../lib/replay-graph.mjs';
import { cleanup, feeds, storageOn } from './world.mjs';

const DAY_MS = 86_400_000;

/** The world of the replay: graph, workload, events, seeded counters and the model's figures. */
export function buildReplay(quick) {
  const users = quick ? 3000 : 10_000;
  // F scaled from 100,000 at 1,000,000 users: without it nobody is a celebrity at this size.
  const policyOptions = { maxPushFollowers: Math.round((100_000 * users) / 1_000_000) };
  const o = resolveSimulationOptions({ users, samples: users, policy: policyOptions });
  const policy = resolveFanoutPolicy({ ...o.policy, mode: 'hybrid' });
  const workload = buildWorkload(o);
  const random = createRandom(o.seed + 1);
  const followersOf = drawFollowers(
    workload.followers,
    workload.consumers.map((c) => c.follows),
    random,
  );
  const follows = new Float64Array(users);
  for (const list of followersOf) for (const c of list) follows[c]++;
  const start = Math.floor(Date.now() / 1000) * 1000;
  const windowDays = quick ? 0.1 : 0.25;
  const events = drawEvents(workload, { start, windowDays, inactiveDays: o.inactiveDays }, random);
  const reads = workload.consumers.map((c) =>
    c.lastReadDaysAgo > o.inactiveDays
      ? undefined
      : { rate: c.readsPerDay, at: start - Math.round(c.lastReadDaysAgo * DAY_MS) },
  );
  const posts = [...workload.postsPerDay].map((rate) => ({ rate, at: start }));
  const model = {
    cli: simulate({ users, policy: policyOptions }).insertsRatio,
    sampled: simulateWorkload(workload, o, policy).insertsRatio,
    drawn: simulateWorkload(
      { ...workload, consumers: workload.consumers.map((c, i) => ({ ...c, follows: follows[i] })) },
      o,
      policy,
    ).insertsRatio,
    ...staticRatios(policy, followersOf, events, posts, reads, start),
  };
  return { users, windowDays, policyOptions, followersOf, events, posts, reads, start, model };
}

/**
 * The policy's decisions at the seeded counters on the real edges (no counter moves, no
 * rebuilds): pushed edges / all edges, weighted by the replayed posts (`static`) and by the
 * producers' rates (`expected`: what the model estimates, without its approximations).
 */
function staticRatios(policy, followersOf, events, posts, reads, now) {
  const half = policy.halfLifeDays * DAY_MS;
  const pushedOf = followersOf.map((list, p) => {
    let pushed = 0;
    for (const c of list) {
      const inputs = {
        producerRate: posts[p].rate,
        followerCount: list.length,
        consumerReadRate: rateAt(reads[c], now, half),
        consumerLastRead: reads[c]?.at,
        now,
      };
      if (decideEdge(policy, inputs).mode === 'push') pushed++;
    }
    return pushed;
  });
  let expectedPushed = 0;
  let expectedAll = 0;
  pushedOf.forEach((k, p) => {
    expectedPushed += k * posts[p].rate;
    expectedAll += followersOf[p].length * posts[p].rate;
  });
  let pushed = 0;
  let all = 0;
  for (const e of events) {
    if (e.kind !== 'post') continue;
    pushed += pushedOf[e.user];
    all += followersOf[e.user].length;
  }
  return { expected: expectedPushed / expectedAll, static: pushed / all };
}

/** Writes the counters the model assumes into the hybrid manager's storage. */
async function seedCounters(storage, replay) {
  const entries = (user) => {
    const out = [{ id: 'post', score: replay.start, payload: JSON.stringify(replay.posts[user]) }];
    const read = replay.reads[user];
    if (read) out.push({ id: 'read', score: read.at, payload: JSON.stringify(read) });
    return out;
  };
  const ids = Array.from({ length: replay.users }, (_, i) => i);
  for (let i = 0; i < ids.length; i += 200) {
    await Promise.all(
      ids.slice(i, i + 200).map((user) =>
        storage.timeline.update(statsKey('user', String(user)), [], () => ({
          changes: { put: entries(user) },
          result: undefined,
        })),
      ),
    );
  }
}

/** CPU seconds the Redis server has used (user + system), or 0 without a server. */
async function serverCpu(client) {
  if (!client) return 0;
  const info = await client.info('cpu');
  const value = (name) => Number(info.match(new RegExp(`${name}:([\\d.]+)`))[1]);
  return value('used_cpu_user') + value('used_cpu_sys');
}

/**
 * Replays the events through a manager in `mode`; returns the counts, and the ms and the Redis
 * CPU seconds per kind of event (posts of celebrities, other posts, reads).
 */
export async function replayOn(backend, clients, replay, mode) {
  const raw = storageOn(backend, clients);
  const { storage, counts } = countingStorage(raw, 'timeline');
  const hybrid = mode === 'hybrid';
  const manager = createManager({
    userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 1000 }),
    feeds: { timeline: feeds.flat(storage, { maxLength: 800 }) },
    getFollowerIds: (id) => replay.followersOf[Number(id)],
    queue: createInlineQueue({ concurrency: 8 }),
    ...(hybrid ? { fanout: { mode: 'hybrid', ...replay.policyOptions } } : {}),
  });
  if (hybrid) await seedCounters(raw, replay);
  const ms = { post: 0, celebrity: 0, read: 0 };
  const cpu = { post: 0, celebrity: 0, read: 0 };
  const client = clients[backend];
  const realNow = Date.now;
  let clock = replay.start;
  Date.now = () => clock;
  try {
    for (const [i, e] of replay.events.entries()) {
      if (e.kind === 'read' && !hybrid) continue;
      clock = e.time;
      // Posts of celebrities (all-pull producers) are counted apart: their passes.
      const celebrity = replay.followersOf[e.user].length > replay.policyOptions.maxPushFollowers;
      counts.phase = e.kind === 'post' && celebrity ? 'celebrity' : e.kind;
      const cpuBefore = await serverCpu(client);
      const started = performance.now();
      if (e.kind === 'post') {
        const a = createActivity({ actor: e.user, verb: 'add', object: i, time: e.time });
        await (await manager.addUserActivity(e.user, a)).done();
      } else {
        await manager.getFeeds(e.user).timeline.read({ limit: 25 });
      }
      ms[counts.phase] += performance.now() - started;
      cpu[counts.phase] += (await serverCpu(client)) - cpuBefore;
    }
  } finally {
    Date.now = realNow;
  }
  return { counts, ms, cpu };
}

export async function hybridReplay({ quick, backends, clients, record }) {
  const replay = buildReplay(quick);
  const { users, model } = replay;
  const posts = replay.events.filter((e) => e.kind === 'post').length;
  console.log(
    `  replay: ${users.toLocaleString('en')} users, ${replay.followersOf.flat().length.toLocaleString('en')} follow edges, ` +
      `${posts.toLocaleString('en')} posts and ${(replay.events.length - posts).toLocaleString('en')} reads ` +
      `in ${replay.windowDays} simulated days, maxPushFollowers ${replay.policyOptions.maxPushFollowers}`,
  );
  console.log(
    `  model: simulate --users ${users} --max-push-followers ${replay.policyOptions.maxPushFollowers} ` +
      `(2,000 samples) ${model.cli.toFixed(3)}x; every user sampled ${model.sampled.toFixed(3)}x; ` +
      `with the drawn follow counts ${model.drawn.toFixed(3)}x; decisions on the real edges ` +
      `${model.expected.toFixed(3)}x at the producers' rates, ${model.static.toFixed(3)}x for the replayed posts`,
  );
  for (const backend of backends) {
    const client = clients[backend];
    if (client) await cleanup(client);
    try {
      const push = await replayOn(backend, clients, replay, 'push');
      const hybrid = await replayOn(backend, clients, replay, 'hybrid');
      const count = ({ counts }, phase, kind) => counts[phase]?.[kind] ?? 0;
      const pushed = count(push, 'post', 'feed') + count(push, 'celebrity', 'feed');
      const edges = replay.events
        .filter((e) => e.kind === 'post')
        .reduce((sum, e) => sum + replay.followersOf[e.user].length, 0);
      if (pushed !== edges) {
        throw new Error(`push replay counted ${pushed} feed inserts, expected ${edges}`);
      }
      const fanned = count(hybrid, 'post', 'feed') + count(hybrid, 'celebrity', 'feed');
      const copied = count(hybrid, 'read', 'feed');
      const passes = count(hybrid, 'celebrity', 'pulled');
      const pulled = count(hybrid, 'post', 'pulled') + passes;
      const ratio = (scenario, value, predicted, predictedName) =>
        record({
          scenario,
          backend,
          n: users,
          metric: 'x push inserts',
          median: value / pushed,
          min: value / pushed,
          max: value / pushed,
          baseline: { median: predicted },
          baselineName: predictedName,
          lowerIsBetter: true,
        });
      const ms = ({ ms: t }) => [t.celebrity, t.post, t.read].map((v) => v.toFixed(0)).join(' / ');
      const cpu = ({ cpu: c }) =>
        [c.celebrity, c.post, c.read].map((v) => v.toFixed(2)).join(' / ');
      const cliName = `simulator: simulate --users ${users} (2,000 samples)`;
      ratio('hybrid replay: feed inserts by fan-out', fanned, model.cli, cliName);
      ratio('hybrid replay: + rebuild copies', fanned + copied, model.cli, cliName);
      ratio('hybrid replay: + pulled-set writes', fanned + copied + pulled, model.cli, cliName);
      ratio(
        'hybrid replay: feed inserts by fan-out vs static',
        fanned,
        model.static,
        'static decisions at the seeded counters, real edges',
      );
      record({
        scenario: 'hybrid replay: ms of the posts',
        backend,
        n: users,
        metric: 'ms',
        median: hybrid.ms.post + hybrid.ms.celebrity,
        min: hybrid.ms.post + hybrid.ms.celebrity,
        max: hybrid.ms.post + hybrid.ms.celebrity,
        baseline: { median: push.ms.post + push.ms.celebrity },
        baselineName: `pure push replay of the same posts (${pushed.toLocaleString('en')} inserts)`,
        lowerIsBetter: true,
      });
      if (client) {
        const posts = ({ cpu: c }) => c.post + c.celebrity;
        record({
          scenario: 'hybrid replay: Redis CPU of the posts',
          backend,
          n: users,
          metric: 's',
          median: posts(hybrid),
          min: posts(hybrid),
          max: posts(hybrid),
          baseline: { median: posts(push) },
          baselineName: 'pure push replay of the same posts (INFO cpu, user + sys)',
          lowerIsBetter: true,
        });
      }
      console.log(
        `  ${backend}: push ${pushed.toLocaleString('en')} feed inserts; hybrid ${fanned.toLocaleString('en')} by fan-out ` +
          `+ ${copied.toLocaleString('en')} rebuild copies + ${pulled.toLocaleString('en')} pulled-set writes ` +
          `(${passes.toLocaleString('en')} by celebrity passes)` +
          `; ms of posts by celebrities / others / reads: push ${ms(push)}, hybrid ${ms(hybrid)}` +
          (client ? `; Redis CPU s of the same: push ${cpu(push)}, hybrid ${cpu(hybrid)}` : '') +
          `; target T1 (<= 0.2x): ` +
          `${fanned + copied <= 0.2 * pushed ? 'met' : 'NOT met'} at ${((fanned + copied) / pushed).toFixed(3)}x feed inserts, ` +
          `${((fanned + copied + pulled) / pushed).toFixed(3)}x with pulled-set writes`,
      );
    } finally {
      if (client) await cleanup(client);
    }
  }
}
