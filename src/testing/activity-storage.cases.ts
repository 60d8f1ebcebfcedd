/**
 * The conformance suite of {@link ActivityStorage} (the global id -> payload store of normalized
 * feeds): every backend must pass it unchanged. It only uses the contract.
 * @module
 */
import assert from 'node:assert/strict';
import type { BackendUnderTest } from './backend.js';
import { entryId, suiteContext } from './fixtures.js';
import { harnessTest } from './harness.js';
import type { KitRunner } from './runner.js';

const put = (n: number, payload = `payload-${n}`) => ({ id: entryId(n), payload });
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => put(from + i));

/**
 * Registers the ActivityStorage conformance suite (group `'activity-storage'`) against `backend`
 * with `runner`. `backend.create()` is called once per test and `backend.destroy` after it.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 * @example
 * describeActivityStorage({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
 */
export function describeActivityStorage(runner: KitRunner, backend: BackendUnderTest): void {
  const title = `ActivityStorage conformance (${backend.name})`;
  harnessTest(runner, backend, title, 'activity-storage', (harness) => {
    const test = harness.map(suiteContext);

    test('getMany is positional and returns undefined for missing ids', async ({ activities }) => {
      await activities.putMany([put(1), put(2)]);
      assert.deepEqual(await activities.getMany([entryId(2), 'missing', entryId(1), entryId(2)]), [
        'payload-2',
        undefined,
        'payload-1',
        'payload-2',
      ]);
      assert.deepEqual(await activities.getMany(['a', 'b']), [undefined, undefined]);
    });

    test('putMany upserts: a second put overwrites the payload', async ({ activities }) => {
      await activities.putMany([put(1, 'first'), put(2)]);
      await activities.putMany([put(1, 'second'), put(3)]);
      assert.deepEqual(await activities.getMany([entryId(1), entryId(2), entryId(3)]), [
        'second',
        'payload-2',
        'payload-3',
      ]);
    });

    test('putMany with an id repeated in one call keeps the last payload', async ({
      activities,
    }) => {
      await activities.putMany([put(1, 'a'), put(2), put(1, 'b')]);
      assert.deepEqual(await activities.getMany([entryId(1)]), ['b']);
      assert.equal(await activities.removeMany([entryId(1), entryId(2)]), 2);
    });

    test('putting the same payload twice is idempotent', async ({ activities }) => {
      await activities.putMany([put(1)]);
      await activities.putMany([put(1)]);
      assert.deepEqual(await activities.getMany([entryId(1)]), ['payload-1']);
      assert.equal(await activities.removeMany([entryId(1)]), 1);
      assert.deepEqual(await activities.getMany([entryId(1)]), [undefined]);
    });

    test('removeMany returns how many ids existed and removes them', async ({ activities }) => {
      await activities.putMany(range(0, 5));
      assert.equal(await activities.removeMany([entryId(1), 'missing', entryId(3)]), 2);
      assert.deepEqual(await activities.getMany(range(0, 5).map((e) => e.id)), [
        'payload-0',
        undefined,
        'payload-2',
        undefined,
        'payload-4',
      ]);
    });

    test('removeMany of missing ids is fine and returns 0', async ({ activities }) => {
      assert.equal(await activities.removeMany(['missing']), 0);
      await activities.putMany([put(1)]);
      assert.equal(await activities.removeMany([entryId(2), entryId(3)]), 0);
      assert.equal(await activities.removeMany([entryId(1), entryId(1)]), 1);
      assert.equal(await activities.removeMany([entryId(1)]), 0);
    });

    test('empty arrays are accepted by every method', async ({ activities }) => {
      assert.deepEqual(await activities.getMany([]), []);
      await activities.putMany([]);
      assert.equal(await activities.removeMany([]), 0);
    });

    test('a removed id can be stored again', async ({ activities }) => {
      await activities.putMany([put(1, 'old')]);
      await activities.removeMany([entryId(1)]);
      await activities.putMany([put(1, 'new')]);
      assert.deepEqual(await activities.getMany([entryId(1)]), ['new']);
    });

    test('1,000 ids in one call', async ({ activities }) => {
      const all = range(0, 1000);
      await activities.putMany(all);
      const got = await activities.getMany(all.map((e) => e.id));
      assert.deepEqual(
        got,
        all.map((e) => e.payload),
      );
      const odd = all.filter((_, i) => i % 2 === 1).map((e) => e.id);
      assert.equal(await activities.removeMany(odd), 500);
      const after = await activities.getMany(all.map((e) => e.id));
      assert.deepEqual(
        after,
        all.map((e, i) => (i % 2 === 1 ? undefined : e.payload)),
      );
    });

    test('payloads with unicode, separators and newlines round-trip exactly', async ({
      activities,
    }) => {
      const payloads = [
        '{"v":1,"x":{"t":"a;b,c;;d"}}',
        ';;',
        ',',
        '"\'\\',
        'line1\nline2\r\n',
        'ünïcödé “quotes” — 鍵 مرحبا e\u0301',
        '😀👍🏽🇫🇷',
        '\u2028',
        ' ',
        'null',
        `${'€;,'.repeat(34_000)}end`,
      ];
      const entries = payloads.map((payload, i) => ({ id: entryId(i), payload }));
      await activities.putMany(entries);
      assert.deepEqual(await activities.getMany(entries.map((e) => e.id)), payloads);
    });

    test('ASCII ids of any shape are distinct keys', async ({ activities }) => {
      const ids = ['a', 'A', 'a:b', 'a:', ':a', '{a}', '*', 'a b', '"', '%', 'x'.repeat(64)];
      await activities.putMany(ids.map((id, i) => ({ id, payload: `p${i}` })));
      assert.deepEqual(
        await activities.getMany(ids),
        ids.map((_, i) => `p${i}`),
      );
      assert.equal(await activities.removeMany(['a']), 1);
      assert.deepEqual(await activities.getMany(['a', 'A', 'a:b']), [undefined, 'p1', 'p2']);
    });

    test('two create() calls are isolated from each other', async ({ activities, another }) => {
      const second = await another();
      await activities.putMany([put(1, 'first storage')]);
      await second.activities.putMany([put(2, 'second storage')]);
      assert.deepEqual(await activities.getMany([entryId(1), entryId(2)]), [
        'first storage',
        undefined,
      ]);
      assert.deepEqual(await second.activities.getMany([entryId(1), entryId(2)]), [
        undefined,
        'second storage',
      ]);
      assert.equal(await second.activities.removeMany([entryId(1)]), 0);
      assert.deepEqual(await activities.getMany([entryId(1)]), ['first storage']);
    });
  });
}
