import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../activity/activity.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import { createManager } from '../manager/manager.js';
import { type AdminCommand, parseAdminCommand } from './admin-args.js';
import { type AdminConfig, adminConfig, runAdminCommand } from './admin-command.js';
import { UsageError } from './args.js';
import { ConfigError } from './config.js';

/** A small world: users 1..4, `follows` says who follows whom; posts of 2, 3 and 4. */
async function world() {
  const storage = createMemoryStorage();
  const follows = new Map<string, string[]>([
    ['1', ['2', '3']],
    ['2', []],
    ['3', ['2']],
    ['4', []],
  ]);
  const followers = (producer: string) =>
    [...follows].filter(([, following]) => following.includes(producer)).map(([id]) => id);
  const manager = createManager({
    userFeed: defineFlatFeed({ name: 'user', storage }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage }),
      activity: defineAggregatedFeed({ name: 'activity', storage }),
    },
    targetFeeds: { notification: defineNotificationFeed({ name: 'notification', storage }) },
    getFollowerIds: (id) => followers(String(id)),
  });
  const time = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 6; i++) {
    const actor = [2, 3, 4][i % 3] as number;
    const activity = createActivity({
      actor,
      verb: i % 2 ? 'love' : 'pin',
      object: 100 + i,
      time: time + i * 60_000,
      to: actor === 2 ? ['notification:1'] : [],
    });
    await (await manager.addUserActivity(actor, activity)).done();
  }
  const config: AdminConfig = adminConfig(
    { manager, getFollowingIds: (id: string | number) => follows.get(String(id)) ?? [] },
    'feeds.js',
  );
  return { manager, config, follows };
}

const command = (argv: string[]): AdminCommand => {
  const parsed = parseAdminCommand([...argv, '--config', 'feeds.js']);
  assert.notEqual(parsed.kind, 'help');
  return parsed as AdminCommand;
};

describe('stream-framework admin commands', () => {
  it('inspect shows every feed of a user: role, key, size, newest entries, groups and marks', async () => {
    const { manager, config } = await world();
    const result = await runAdminCommand(
      command(['inspect', '--user', '1', '--limit', '3']),
      config,
    );
    const json = result.json as {
      feeds: {
        feed: string;
        role: string;
        key: string;
        size: number;
        newest: Record<string, unknown>[];
        counts?: { unseen: number };
      }[];
    };
    assert.deepEqual(
      json.feeds.map((f) => [f.feed, f.role]),
      [
        ['user', 'user'],
        ['timeline', 'fan-out'],
        ['activity', 'fan-out'],
        ['notification', 'target'],
      ],
    );
    const feeds = manager.getFeeds(1);
    const timeline = json.feeds.find((f) => f.feed === 'timeline');
    assert.equal(timeline?.size, await feeds.timeline.count());
    assert.equal(timeline?.size, 4, 'the posts of 2 and 3');
    const newest = (await feeds.timeline.read({ limit: 3 })).items;
    assert.deepEqual(
      timeline?.newest.map((item) => item.id),
      newest.map((a) => a.id),
    );
    assert.equal(timeline?.key, manager.definitions.timeline?.keyFor(1));
    const groups = (await feeds.activity.read({ limit: 3 })).items;
    const activity = json.feeds.find((f) => f.feed === 'activity');
    assert.deepEqual(
      activity?.newest.map((g) => [g.group, g.activityCount]),
      groups.map((g) => [g.id, g.activityCount]),
    );
    const notification = json.feeds.find((f) => f.feed === 'notification');
    const counts = await manager.getFeed('notification', 1).counts();
    assert.equal(counts.unseen, 2, "user 2's pin and love went to notification:1, one group each");
    assert.deepEqual(notification?.counts, counts);
    assert.equal(notification?.newest[0]?.seen, false);
    // The text form says the same.
    assert.match(result.text.join('\n'), /^timeline \(fan-out feed, key timeline:1\): 4 entries$/m);
    assert.match(
      result.text.join('\n'),
      /^notification \(target feed, key notification:1\): 2 entries, 2 unseen, 2 unread$/m,
    );
  });

  it('inspect --feed shows one feed; an unknown feed name says which feeds exist', async () => {
    const { config } = await world();
    const one = await runAdminCommand(
      command(['inspect', '--user', '3', '--feed', 'timeline']),
      config,
    );
    assert.deepEqual(
      (one.json as { feeds: { feed: string; size: number }[] }).feeds.map((f) => [f.feed, f.size]),
      [['timeline', 2]],
    );
    await assert.rejects(
      runAdminCommand(command(['inspect', '--user', '3', '--feed', 'timelines']), config),
      (error: Error) =>
        error instanceof ConfigError &&
        /no feed named "timelines"; .*user, timeline, activity, notification/.test(error.message),
    );
  });

  it('inspect of a hostile user id reads only that user’s own (empty) feeds', async () => {
    const { config } = await world();
    for (const user of ['1:timeline', '*', '{1}', 'ü\u0000', '%31']) {
      const result = await runAdminCommand(command(['inspect', '--user', user]), config);
      const sizes = (result.json as { feeds: { size: number }[] }).feeds.map((f) => f.size);
      assert.deepEqual(sizes, [0, 0, 0, 0], user);
    }
  });

  it('rebuild empties the fan-out feeds and copies back the followed accounts’ posts; --dry-run writes nothing', async () => {
    const { manager, config } = await world();
    const feeds = manager.getFeeds(1);
    const expected = (await feeds.timeline.read({ limit: 100 })).items.map((a) => a.id);
    const expectedGroups = (await feeds.activity.read({ limit: 100 })).items.map((g) => [
      g.group,
      g.activityCount,
    ]);
    // Damage: a post of 4 (not followed) lands in 1's timeline, another feed entry is lost.
    const stray = createActivity({
      actor: 4,
      verb: 'pin',
      object: 999,
      time: Date.UTC(2026, 0, 2),
    });
    await manager.getUserFeed(4).add(stray);
    await feeds.timeline.add(stray);
    await feeds.timeline.remove(expected[0] as string);
    const damaged = (await feeds.timeline.read({ limit: 100 })).items.map((a) => a.id);

    const dry = await runAdminCommand(command(['rebuild', '--user', '1', '--dry-run']), config);
    assert.deepEqual(
      (await feeds.timeline.read({ limit: 100 })).items.map((a) => a.id),
      damaged,
    );
    assert.match(
      dry.text.join('\n'),
      /would empty 2 fan-out feed\(s\) of user 1 .*would copy the user feeds of 2 followed/s,
    );

    const done = await runAdminCommand(command(['rebuild', '--user', '1']), config);
    assert.deepEqual(
      (await feeds.timeline.read({ limit: 100 })).items.map((a) => a.id),
      expected,
    );
    assert.deepEqual(
      (await feeds.activity.read({ limit: 100 })).items.map((g) => [g.group, g.activityCount]),
      expectedGroups,
    );
    assert.deepEqual(
      (done.json as { after: Record<string, number> }).after.timeline,
      expected.length,
    );
    // The user feed and other users' feeds are untouched.
    assert.equal(await manager.getUserFeed(4).count(), 3);
  });

  it('rebuild without getFollowingIds, and queue commands on a non-BullMQ queue, are clear errors', async () => {
    const { manager } = await world();
    const config = adminConfig({ manager }, 'feeds.js');
    await assert.rejects(
      runAdminCommand(command(['rebuild', '--user', '1']), config),
      /export getFollowingIds\(userId\)/,
    );
    for (const name of ['queue', 'failed', 'retry-failed']) {
      await assert.rejects(runAdminCommand(command([name]), config), /not a BullMQ queue/);
    }
    assert.throws(
      () => adminConfig({ manager: {} }, 'feeds.js'),
      /must be a manager from createManager/,
    );
    assert.throws(
      () => adminConfig({ manager, getFollowingIds: [1] }, 'feeds.js'),
      /getFollowingIds` must be a function/,
    );
  });

  it('parses its options and refuses mistakes with the admin usage', () => {
    assert.deepEqual(parseAdminCommand(['inspect', '-c', 'f.js', '-u', '7', '--json']), {
      kind: 'inspect',
      config: 'f.js',
      user: '7',
      feed: undefined,
      limit: undefined,
      dryRun: false,
      json: true,
    });
    assert.deepEqual(parseAdminCommand(['queue', '--help']), { kind: 'help' });
    const refused: [string[], RegExp][] = [
      [['inspect', '--user', '1'], /inspect needs --config/],
      [['inspect', '--config', 'f.js'], /inspect needs --user/],
      [['queue', '--config', 'f.js', '--user', '1'], /queue takes no --user/],
      [['rebuild', '--config', 'f.js', '--user', '1', '--limit', '5'], /rebuild takes no --limit/],
      [['failed', '--config', 'f.js', '--dry-run'], /failed takes no --dry-run/],
      [
        ['inspect', '--config', 'f.js', '--user', '1', '--limit', '0'],
        /--limit must be an integer from 1 to 1000/,
      ],
      [['inspect', '--config', 'f.js', '--user', '1', '--limit', '1e3'], /--limit must be/],
      [['inspect', '--config', 'f.js', '--user', '1', 'extra'], /unexpected argument "extra"/],
      [['inspect', '--config', 'f.js', '--user', '1', '--color'], /Unknown option '--color'/],
    ];
    for (const [argv, message] of refused) {
      assert.throws(
        () => parseAdminCommand(argv),
        (error: Error) =>
          error instanceof UsageError &&
          message.test(error.message) &&
          /stream-framework inspect/.test(error.usage ?? ''),
        argv.join(' '),
      );
    }
  });
});
