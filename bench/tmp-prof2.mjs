import { Redis } from 'ioredis';
import { createInlineQueue, createManager, defineFlatFeed } from 'stream-framework';
import { startServers, stopServers } from './lib/servers.mjs';
import { activity, cleanup, storageOn } from './scenarios/world.mjs';
const N = Number(process.argv[2] ?? 21);
const env = await startServers({ cluster: false });
const c = new Redis(env.REDIS_URL);
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const t = { libAdd: [], rawAdd: [], libRange: [], rawRange: [], follow: [], multi: [] };
try {
  await cleanup(c);
  const storage = storageOn('redis', { redis: c });
  const view = storage.timeline.idsOnly();
  const acts = Array.from({ length: 5000 }, (_, i) => activity(i, 1));
  const entries = acts.map((a) => ({ id: a.id, score: a.time.getTime() }));
  await view.add('src', entries, {});
  await c.zadd('bench:{raw}:src', ...entries.flatMap((e) => [e.score, e.id]));
  for (let r = 0; r < N; r++) {
    let s = performance.now();
    const got = await view.range('src', { order: 'desc', limit: 5000 });
    t.libRange.push(performance.now() - s);
    s = performance.now();
    await view.add(`dst${r}`, got.map((e) => ({ id: e.id, score: e.score })), { maxLength: 10000 });
    t.libAdd.push(performance.now() - s);
    s = performance.now();
    const pairs = await c.zrange('bench:{raw}:src', 0, 4999, 'REV', 'WITHSCORES');
    t.rawRange.push(performance.now() - s);
    s = performance.now();
    const args = [];
    for (let i = 0; i < pairs.length; i += 2) args.push(pairs[i + 1], pairs[i]);
    await c.zadd(`bench:{raw}:dst${r}`, ...args);
    await c.zremrangebyrank(`bench:{raw}:dst${r}`, 0, -10_001);
    t.rawAdd.push(performance.now() - s);
    s = performance.now();
    await c.multi().zadd(`bench:{raw}:m${r}`, ...args).zremrangebyrank(`bench:{raw}:m${r}`, 0, -10_001).exec();
    t.multi.push(performance.now() - s);
  }
  console.log(Object.entries(t).map(([k, v]) => `${k} ${v.length ? med(v).toFixed(2) : '-'}`).join(' | '));
} finally {
  c.disconnect();
  await stopServers();
}
