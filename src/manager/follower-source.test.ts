import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStorage } from '../backends/memory/index.js';
import { createFollowGraph } from '../graph/follow-graph.js';
import type { FollowGraph, FollowPriority } from '../graph/types.js';
import { functionSource, graphSource } from './follower-source.js';

/** `graph` with every `followers` call's limit recorded. */
function spied(graph: FollowGraph) {
  const limits: number[] = [];
  const spy: FollowGraph = {
    ...graph,
    followers: (userId, options) => {
      limits.push(options?.limit ?? -1);
      return graph.followers(userId, options);
    },
  };
  return { graph: spy, limits };
}

async function collect(pages: AsyncIterable<readonly string[]>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const page of pages) out.push([...page]);
  return out;
}

describe('follower source', () => {
  it('a graph is read in pages of the chunk size, and the low pass is skipped without low edges', async () => {
    const base = createFollowGraph({ storage: createMemoryStorage() });
    for (let i = 0; i < 7; i++) await base.follow(`h${i}`, 'star');
    const { graph, limits } = spied(base);
    const list = await graphSource(graph, 3)('star');
    assert.equal(list.count, 7);
    const high = await collect(list.pages('high'));
    assert.deepEqual(
      high.map((p) => p.length),
      [3, 3, 1],
    );
    assert.deepEqual(high.flat().sort(), ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
    assert.deepEqual(limits, [3, 3, 3], 'never more than a chunk per read');
    assert.deepEqual(await collect(list.pages('low')), []);
    assert.equal(limits.length, 3, 'no low pass: the high pass saw no low edge');
  });

  it('low edges are split out of the pages and read in a second pass; the graph page limit caps the size', async () => {
    const base = createFollowGraph({ storage: createMemoryStorage(), limits: { maxPageSize: 2 } });
    const priorities: FollowPriority[] = ['high', 'low', 'high', 'low', 'low'];
    for (const [i, priority] of priorities.entries())
      await base.follow(`u${i}`, 'star', { priority });
    const { graph, limits } = spied(base);
    const list = await graphSource(graph, 100)('star');
    const high = (await collect(list.pages('high'))).flat().sort();
    const low = (await collect(list.pages('low'))).flat().sort();
    assert.deepEqual(high, ['u0', 'u2']);
    assert.deepEqual(low, ['u1', 'u3', 'u4']);
    assert.ok(
      limits.every((l) => l === 2),
      'pages of the graph maxPageSize (2 < chunk 100)',
    );
    assert.equal(limits.length, 6, 'two passes of three pages');
    const none = await graphSource(graph, 100)('nobody');
    assert.equal(none.count, 0);
    assert.deepEqual(await collect(none.pages('high')), []);
  });

  it('getFollowerIds gives its whole answer as one page per priority', async () => {
    const list = await functionSource(() => ({ high: [1, 2, 2], low: ['3', 1] }))('x');
    assert.equal(list.count, 3);
    assert.deepEqual(await collect(list.pages('high')), [['1', '2']]);
    assert.deepEqual(await collect(list.pages('low')), [['3']]);
    const empty = await functionSource(() => [])('x');
    assert.deepEqual(await collect(empty.pages('high')), []);
  });
});
