// The scenario both failover tests run: publishers and readers against a manager while a primary
// dies, then the losses measured against a model of what was acknowledged, the activities of the
// last seconds republished, and every feed checked exact. `manager()` is read at every call, so
// a test can point the clients at a promoted replica in the middle.
import assert from 'node:assert/strict';
import {
  type Activity,
  createActivity,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
  type Storage,
  StreamFrameworkError,
  type TaskQueue,
} from '../../src/index.js';

/** The manager of the scenario: a user feed, then a timeline and an aggregated feed per follower. */
export function worldManager(storage: Storage, followers: readonly number[], queue?: TaskQueue) {
  return createManager({
    userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 }),
      aggregated: defineAggregatedFeed({ name: 'aggregated', storage }),
    },
    getFollowerIds: () => followers,
    ...(queue ? { queue } : {}),
    limits: { fanoutChunkSize: 60 },
  });
}

/** A manager of the scenario. */
export type World = ReturnType<typeof worldManager>;

/** Activities acknowledged this long before the kill are republished (the replication lag bound). */
export const REPUBLISH_WINDOW_MS = 5000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const isTyped = (error: unknown): boolean => error instanceof StreamFrameworkError;

function pin(n: number): Activity {
  return createActivity({
    actor: 1,
    verb: n % 2 ? 'add' : 'love',
    object: n,
    time: 1_764_000_000_000 + n * 1000,
  });
}

/** How long a publisher waits for `addUserActivity` and `done()` before it publishes again. */
export const PUBLISH_TIMEOUT_MS = 20_000;

/** A publish call that did not settle in time. */
export interface Stalled {
  readonly step: 'addUserActivity' | 'done';
  readonly activity: string;
}

/**
 * Publishes `activity` until its fan-out is done. A failed attempt is retried every 100 ms, as a
 * client retries a request, and so is one that has not settled after PUBLISH_TIMEOUT_MS (a
 * client's request timeout; recorded in `stalled` with the step it hung in): publishing again is
 * idempotent.
 */
async function publishUntilAcknowledged(
  manager: () => World,
  activity: Activity,
  seen: { publishErrors: unknown[]; stalled: Stalled[] },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let step: Stalled['step'] = 'addUserActivity';
    const publish = (async () => {
      const handle = await manager().addUserActivity(1, activity);
      step = 'done';
      await handle.done();
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), PUBLISH_TIMEOUT_MS);
    });
    try {
      if ((await Promise.race([publish, timeout])) !== 'timeout') return;
      publish.catch(() => undefined); // abandoned, like a request the client gave up on
      seen.stalled.push({ step, activity: activity.id });
    } catch (error) {
      seen.publishErrors.push(error);
      if (attempt >= 300) throw error;
      await sleep(100);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Publishers and readers running until {@link Traffic.stop}. */
export class Traffic {
  readonly attempted = new Map<string, Activity>();
  readonly acked: { activity: Activity; at: number }[] = [];
  readonly publishErrors: unknown[] = [];
  /** Publish calls that had not settled after PUBLISH_TIMEOUT_MS, and the step they hung in. */
  readonly stalled: Stalled[] = [];
  readonly reads = { ok: 0, errors: [] as unknown[], wrong: [] as string[] };
  #stop = false;
  #next = 0;
  #lanes: Promise<void>[] = [];

  constructor(
    private readonly manager: () => World,
    private readonly followers: readonly number[],
  ) {}

  start({ publishers, readers }: { publishers: number; readers: number }): void {
    for (let i = 0; i < publishers; i++) this.#lanes.push(this.#publish());
    for (let i = 0; i < readers; i++) this.#lanes.push(this.#read(i));
  }

  /** Resolves once `n` more activities were acknowledged (published and fanned out). */
  async acknowledged(n: number, timeoutMs = 90_000): Promise<void> {
    const target = this.acked.length + n;
    const deadline = Date.now() + timeoutMs;
    while (this.acked.length < target) {
      if (Date.now() > deadline) {
        throw new Error(
          `${this.acked.length} of ${target} activities acknowledged after ${timeoutMs} ms; ${this.stalled.length} publish calls never settled`,
        );
      }
      await sleep(20);
    }
  }

  /** Stops the lanes and waits for them, at most `timeoutMs` (cleanup after a failure). */
  async stop(timeoutMs?: number): Promise<void> {
    this.#stop = true;
    if (timeoutMs === undefined) return void (await Promise.all(this.#lanes));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.#lanes),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Publishes until stopped. */
  async #publish(): Promise<void> {
    while (!this.#stop) {
      const activity = pin(this.#next++);
      this.attempted.set(activity.id, activity);
      await publishUntilAcknowledged(() => this.manager(), activity, this);
      this.acked.push({ activity, at: Date.now() });
    }
  }

  /** A read is a typed error, or published activities, newest first, unique, unaltered. */
  async #read(lane: number): Promise<void> {
    for (let i = lane; !this.#stop; i += 2) {
      const follower = this.followers[(i * 37) % this.followers.length]!;
      try {
        const page = await this.manager().getFeeds(follower).timeline.read({ limit: 100 });
        const ids = page.items.map((a) => a.id);
        if (new Set(ids).size !== ids.length) this.reads.wrong.push(`duplicate in ${follower}`);
        if (page.items.some((a, k) => k > 0 && a.time > page.items[k - 1]!.time)) {
          this.reads.wrong.push(`out of order in ${follower}`);
        }
        for (const item of page.items) {
          const sent = this.attempted.get(item.id);
          if (!sent || JSON.stringify(sent) !== JSON.stringify(item)) {
            this.reads.wrong.push(`unknown or altered ${item.id} in ${follower}`);
          }
        }
        this.reads.ok += 1;
      } catch (error) {
        this.reads.errors.push(error);
      }
      await sleep(5);
    }
  }
}

/** What was acknowledged and is missing afterwards. */
export interface Losses {
  timeline: number;
  aggregated: number;
  author: number;
  payloads: number;
  /** Activities missing from a timeline or the author's feed (an activity whose writes were cut
   * between its timelines and its aggregated groups shows in `aggregated` only). */
  activities: number;
  /** Feed keys (`timeline:<id>`, `aggregated:<id>`) that lost something. */
  feeds: string[];
  /** How long before the kill the oldest lost activity was acknowledged, in ms (0: none lost). */
  oldestLossAgeMs: number;
}

/** Publish calls that did not settle in time, as the tests print them. */
export function stalledSummary(traffic: Traffic): string {
  if (traffic.stalled.length === 0) return '0 publish calls unsettled';
  const steps = [...new Set(traffic.stalled.map((s) => s.step))].join(', ');
  return `${traffic.stalled.length} publish calls unsettled after ${PUBLISH_TIMEOUT_MS / 1000} s (in ${steps}), published again`;
}

/** The figures of {@link Losses} as the tests print them. */
export function lossSummary(lost: Losses): string {
  const when =
    lost.activities === 0
      ? ''
      : `, all acknowledged at most ${lost.oldestLossAgeMs} ms before the kill`;
  return `acknowledged then lost: ${lost.timeline} timeline + ${lost.aggregated} aggregated entries in ${lost.feeds.length} feeds, ${lost.author} author-feed entries, ${lost.payloads} activity payloads (${lost.activities} activities missing from timelines${when})`;
}

export async function measureLosses(
  world: World,
  followers: readonly number[],
  traffic: Traffic,
  killedAt: number,
): Promise<Losses> {
  const all = traffic.acked.map((a) => a.activity);
  const lostIds = new Set<string>();
  const losses: Losses = {
    timeline: 0,
    aggregated: 0,
    author: 0,
    payloads: 0,
    activities: 0,
    feeds: [],
    oldestLossAgeMs: 0,
  };
  for (const follower of followers) {
    const feeds = world.getFeeds(follower);
    const page = await feeds.timeline.read({ limit: 1000 });
    const present = new Set([...page.items.map((a) => a.id), ...page.missing]);
    losses.payloads += page.missing.length;
    const lost = all.filter((a) => !present.has(a.id));
    const groups = (await feeds.aggregated.read({ limit: 100 })).items;
    assert.equal(new Set(groups.map((g) => g.group)).size, groups.length, 'no duplicate group');
    const counted = groups.reduce((n, g) => n + g.activityCount, 0);
    assert.ok(counted <= all.length, `follower ${follower}: ${counted} counted, no duplicates`);
    losses.timeline += lost.length;
    losses.aggregated += all.length - counted;
    for (const a of lost) lostIds.add(a.id);
    if (lost.length > 0) losses.feeds.push(`timeline:${follower}`);
    if (counted < all.length) losses.feeds.push(`aggregated:${follower}`);
  }
  const author = await world.getUserFeed(1).read({ limit: 1000 });
  losses.author = all.length - author.items.length - author.missing.length;
  for (const a of all) if (!author.items.some((b) => b.id === a.id)) lostIds.add(a.id);
  losses.activities = lostIds.size;
  for (const { activity, at } of traffic.acked) {
    if (lostIds.has(activity.id)) {
      losses.oldestLossAgeMs = Math.max(losses.oldestLossAgeMs, killedAt - at);
    }
  }
  return losses;
}

/**
 * Publishes again every activity acknowledged from REPUBLISH_WINDOW_MS before the kill on, then
 * checks that every feed holds every acknowledged activity exactly once. Returns how many were
 * republished.
 */
export async function republishAndVerify(
  world: World,
  followers: readonly number[],
  traffic: Traffic,
  killedAt: number,
): Promise<number> {
  const again = traffic.acked.filter((a) => a.at >= killedAt - REPUBLISH_WINDOW_MS);
  for (const { activity } of again) await publishUntilAcknowledged(() => world, activity, traffic);
  const all = traffic.acked.map((a) => a.activity);
  const expected = all.map((a) => a.id).sort();
  for (const follower of followers) {
    const feeds = world.getFeeds(follower);
    const page = await feeds.timeline.read({ limit: 1000 });
    assert.deepEqual(page.missing, [], `follower ${follower}: no payload missing`);
    assert.deepEqual(page.items.map((a) => a.id).sort(), expected, `follower ${follower}`);
    const groups = (await feeds.aggregated.read({ limit: 100 })).items;
    assert.equal(new Set(groups.map((g) => g.group)).size, groups.length, 'no duplicate group');
    assert.equal(
      groups.reduce((n, g) => n + g.activityCount, 0),
      all.length,
      `follower ${follower} aggregated`,
    );
  }
  const author = await world.getUserFeed(1).read({ limit: 1000 });
  assert.deepEqual(author.items.map((a) => a.id).sort(), expected, 'author feed');
  return again.length;
}

/** Asserts no wrong read and every error typed; returns the errors' count. */
export function assertTyped(traffic: Traffic, more: readonly unknown[] = []): number {
  assert.deepEqual(
    traffic.reads.wrong.slice(0, 5),
    [],
    `${traffic.reads.wrong.length} wrong reads`,
  );
  const errors = [...traffic.publishErrors, ...traffic.reads.errors, ...more];
  const untyped = errors.filter((e) => !isTyped(e));
  assert.deepEqual(untyped.map(String).slice(0, 5), [], 'every error is typed');
  return errors.length;
}
