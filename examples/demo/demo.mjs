// A short Pinterest-like scenario on the in-memory backend: users follow each other, pin items
// and love pins; the script prints a timeline, an aggregated feed and a notification feed.
// Run it with `npm start` (it builds the package first). It imports the library by package name.
import {
  createActivity,
  createManager,
  createMemoryStorage,
  createVerbRegistry,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
} from 'stream-framework';

const verbs = createVerbRegistry([{ id: 5, name: 'pin', pastTense: 'pinned' }]);
const storage = createMemoryStorage();

const users = { 1: 'Ana', 2: 'Ben', 3: 'Cleo', 4: 'Dev' };
const follows = new Map([
  [1, [2, 3, 4]], // Ana is followed by Ben, Cleo and Dev
  [2, [1, 3]],
  [3, [2]],
  [4, [2]],
]);

const userFeed = defineFlatFeed({ name: 'user', storage, verbs, maxLength: 10_000 });
const timeline = defineFlatFeed({ name: 'timeline', storage, verbs, maxLength: 1000 });
const aggregated = defineAggregatedFeed({ name: 'aggregated', storage, verbs });
const notification = defineNotificationFeed({ name: 'notification', storage, verbs });

notification.events.on('change', (change) => {
  console.log(
    `  [live] ${users[change.userId]}'s badge: ${change.unseen} unseen, ${change.unread} unread (${change.reason})`,
  );
});

const manager = createManager({
  userFeed,
  feeds: { timeline, aggregated },
  targetFeeds: { notification },
  getFollowerIds: (userId) => ({ high: follows.get(Number(userId)) ?? [] }),
});

const start = Date.UTC(2026, 10, 28, 9, 0, 0);
let minute = 0;
const at = () => start + minute++ * 60_000;

console.log('Ana pins five items to her "Kitchens" board; Ben and Cleo pin too.');
for (let i = 1; i <= 5; i++) {
  const pin = createActivity(
    {
      actor: 1,
      verb: 'pin',
      object: 100 + i,
      target: 'kitchens',
      time: at(),
      extra: { title: `Kitchen idea ${i}` },
    },
    { verbs },
  );
  await manager.addUserActivity(1, pin);
}
await manager.addUserActivity(
  2,
  createActivity(
    { actor: 2, verb: 'pin', object: 201, time: at(), extra: { title: 'Mountain cabin' } },
    { verbs },
  ),
);
await manager.addUserActivity(
  3,
  createActivity(
    { actor: 3, verb: 'pin', object: 301, time: at(), extra: { title: 'Reading nook' } },
    { verbs },
  ),
);

console.log(
  '\nBen, Cleo and Dev love Ana\'s first pin (each "love" also lands in Ana\'s notifications):',
);
for (const lover of [2, 3, 4]) {
  await manager.addUserActivity(
    lover,
    createActivity({ actor: lover, verb: 'love', object: 101, time: at(), to: ['notification:1'] }),
  );
}

const show = (a) =>
  `${users[a.actor]} ${verbs.get(a.verb)?.pastTense ?? a.verb} ${a.extra.title ?? `pin ${a.object}`}`;

console.log("\nBen's timeline (people he follows), newest first, 4 per page:");
const ben = manager.getFeeds(2);
let page = await ben.timeline.read({ limit: 4 });
for (const a of page.items) console.log(`  - ${show(a)}`);
page = await ben.timeline.read({ limit: 4, cursor: page.next });
console.log('  load more:');
for (const a of page.items) console.log(`  - ${show(a)}`);

console.log("\nBen's aggregated feed:");
for (const group of (await ben.aggregated.read()).items) {
  const newest = users[group.activities[0].actor];
  const others = group.actorCount - 1;
  const who = others > 0 ? `${newest} and ${others} other${others > 1 ? 's' : ''}` : newest;
  const verb = verbs.get(group.verb)?.pastTense ?? group.verb;
  const items = new Set(group.activities.map((a) => a.object)).size;
  console.log(
    `  - ${who} ${verb} ${items} item${items > 1 ? 's' : ''} (${group.activityCount} activities)`,
  );
}

console.log("\nAna's notifications:");
const ana = manager.getFeed('notification', 1);
for (const n of (await ana.read()).items) {
  const names = n.activities.map((a) => users[a.actor]).join(', ');
  console.log(
    `  - ${names} ${verbs.get(n.verb)?.pastTense} your pin ${n.activities[0].object} (${n.seen ? 'seen' : 'new'})`,
  );
}
console.log(`  counts: ${JSON.stringify(await ana.counts())}`);
console.log('Ana opens her notifications:');
await ana.markAll({ seen: true, read: true });
console.log(`  counts: ${JSON.stringify(await ana.counts())}`);

console.log('\nBen unfollows Ana; her pins leave his timeline:');
await manager.unfollowUser(2, 1);
console.log(
  `  Ben's timeline now holds ${await ben.timeline.count()} entries, none of them Ana's.`,
);
