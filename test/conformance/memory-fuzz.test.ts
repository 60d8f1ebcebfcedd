import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_ID_LENGTH } from '../../src/activity/ids.js';
import {
  createActivity,
  createMemoryStorage,
  StreamFrameworkError,
  ValidationError,
} from '../../src/index.js';
import {
  anyValue,
  assertTyped,
  fuzzPublicCalls,
  fuzzWorld,
  guardAgainstCrashes,
  KEY_INJECTIONS,
  nested,
  POLLUTING_EXTRAS,
  settle,
} from '../support/bad-input.js';
import { checkCorruption, checkLimits, corruptionCases } from '../support/bad-storage.js';

// Bad input at the public boundary on the in-memory backend: createActivity with wrong types in
// every field, every public call with fuzzed arguments, payloads corrupted in storage, and the
// configurable limits. Every rejection must be a typed StreamFrameworkError that wrote nothing.
const soak = process.env.SF_SOAK === '1';
const SEED = Number(process.env.SF_SEED ?? 20_261_128);
guardAgainstCrashes();

const FIELDS = ['actor', 'verb', 'object', 'target', 'time', 'foreignId', 'extra', 'to'] as const;
const VALID = { actor: 1, verb: 'add', object: 2, time: 1_764_000_000_000 };

describe('bad input (memory): createActivity', () => {
  it('wrong types in any field: a valid activity or a typed ValidationError, never anything else', (t) => {
    let inputs = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.subarray([...FIELDS], { minLength: 1 }),
        fc.array(anyValue, { minLength: FIELDS.length, maxLength: FIELDS.length }),
        (fields, values) => {
          inputs += 1;
          const input: Record<string, unknown> = { ...VALID };
          fields.forEach((f, i) => {
            input[f] = values[i];
          });
          try {
            const a = createActivity(input as never);
            assert.match(a.id, /^[0-9a-z]{9}[0-9A-Za-z]{11}$/);
          } catch (error) {
            assertTyped(error, 'createActivity');
            assert.ok(error instanceof ValidationError);
            rejected += 1;
          }
        },
      ),
      { numRuns: soak ? 20_000 : 2000, seed: SEED },
    );
    const line = `fuzz (memory): createActivity, ${inputs} inputs with wrong types, ${rejected} rejected with a typed ValidationError, 0 crashes`;
    t.diagnostic(line);
    console.log(line);
    assert.ok(rejected > inputs / 2, 'most of these inputs are invalid');
  });

  it('hand-picked bad fields give the documented codes', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ actor: '' }, 'INVALID_ID'],
      [{ actor: 'x'.repeat(MAX_ID_LENGTH + 1) }, 'INVALID_ID'],
      [{ actor: 'x'.repeat(10_000) }, 'INVALID_ID'],
      [{ actor: -1 }, 'INVALID_ID'],
      [{ actor: 1.5 }, 'INVALID_ID'],
      [{ actor: 10n }, 'INVALID_ID'],
      [{ object: {} }, 'INVALID_ID'],
      [{ target: [] }, 'INVALID_ID'],
      [{ verb: '' }, 'INVALID_ACTIVITY'],
      [{ verb: Symbol('v') }, 'INVALID_ACTIVITY'],
      [{ time: 'yesterday' }, 'INVALID_TIME'],
      [{ time: Number.NaN }, 'INVALID_TIME'],
      [{ time: -1 }, 'INVALID_TIME'],
      [{ time: 'x'.repeat(100) }, 'INVALID_TIME'],
      [{ foreignId: '' }, 'INVALID_ACTIVITY'],
      [{ foreignId: 'f'.repeat(513) }, 'INVALID_ACTIVITY'],
      [{ to: 'notification:1' }, 'INVALID_ACTIVITY'],
      [{ to: ['notification:'] }, 'INVALID_ACTIVITY'],
      [{ to: [':1'] }, 'INVALID_ACTIVITY'],
      [{ to: [`notification:${'x'.repeat(700)}`] }, 'INVALID_ACTIVITY'],
      [{ extra: [] }, 'INVALID_EXTRA'],
      [{ extra: new Map() }, 'INVALID_EXTRA'],
      [{ extra: { d: new Date() } }, 'INVALID_EXTRA'],
      [{ extra: { n: 10n } }, 'INVALID_EXTRA'],
      [{ extra: { f: () => 1 } }, 'INVALID_EXTRA'],
      [{ extra: { n: Number.POSITIVE_INFINITY } }, 'INVALID_EXTRA'],
      [{ extra: nested(65) }, 'INVALID_EXTRA'],
      [{ extra: nested(100_000) }, 'INVALID_EXTRA'],
      ...POLLUTING_EXTRAS.map((extra): [Record<string, unknown>, string] => [
        { extra },
        'INVALID_EXTRA',
      ]),
    ];
    for (const [fields, code] of cases) {
      assert.throws(
        () => createActivity({ ...VALID, ...fields } as never),
        (e: unknown) => e instanceof ValidationError && e.code === code,
        `${Object.keys(fields)[0]} ${code}`,
      );
    }
    assert.throws(() => createActivity(null as never), ValidationError);
    assert.throws(() => createActivity('activity' as never), ValidationError);
  });

  it('key-injection characters are ordinary characters in ids (accepted, and distinct)', () => {
    const ids = new Set<string>();
    for (const s of KEY_INJECTIONS) {
      const a = createActivity({ ...VALID, actor: s, object: s, target: s, foreignId: undefined });
      assert.equal(a.actor, s);
      ids.add(a.id);
    }
    assert.equal(ids.size, KEY_INJECTIONS.length, 'no two hostile ids hash alike');
  });
});

describe('bad input (memory): every public call', () => {
  it('fuzzed arguments: each call resolves, or rejects with a typed error and writes nothing', async (t) => {
    const figures = await fuzzPublicCalls(
      {
        async create() {
          const storage = createMemoryStorage();
          // The backend-level view: how many timelines and activities the memory backend holds.
          const raw = async () => ({
            timelines: storage.timeline.size,
            activities: storage.activities.size,
          });
          return { world: await fuzzWorld(storage), raw };
        },
      },
      { runs: soak ? 8000 : 500, seed: SEED },
    );
    const codes = Object.entries(figures.byCode)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    const line = `fuzz (memory): ${figures.calls} public calls with fuzzed arguments, ${figures.rejected} rejected with a typed error and nothing written (${codes}), ${figures.accepted} accepted, 0 crashes`;
    t.diagnostic(line);
    console.log(line);
    assert.ok(figures.rejected > figures.calls / 2, 'most fuzzed calls are invalid');
  });

  it('regressions: null options, sparse arrays, non-arrays, BigInt, symbols and cycles give typed errors', async () => {
    const world = await fuzzWorld(createMemoryStorage());
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const feed = world.timeline.for(1);
    // biome-ignore lint/suspicious/noSparseArray: a sparse array is one of the bad inputs
    const sparse = [, 1];
    for (const value of [
      10n,
      Symbol('s'),
      circular,
      { constructor: { name: Symbol('x') } },
      null,
      sparse,
    ] as unknown[]) {
      for (const run of [
        () => feed.read({ limit: value as number }),
        () => feed.read({ cursor: value as string }),
        () => feed.read({ order: value as 'asc' }),
        () => feed.remove(value as string),
        () => feed.trim(value as number),
        () => world.notification.for(1).markSeen([value as string]),
        () => world.manager.getFeed(value as never, 1),
        () => world.manager.followUser(1, 2, { limit: value as number }),
        () => world.timeline.for(1).removeByActors(value as never),
        () => world.timeline.addToMany(value as never, []),
        () => world.timeline.removeFromMany(value as never, []),
        () => world.notification.for(1).markAll(value as never),
        () => world.notification.for(1).markRead([], value as never),
      ]) {
        const outcome = await settle(run); // null is a default for some options: may resolve
        if (!outcome.ok)
          assert.ok(outcome.error instanceof StreamFrameworkError, String(outcome.error));
      }
    }
    const rejects = (run: () => unknown, code: string) =>
      assert.rejects(async () => run(), { code });
    await rejects(() => world.notification.for(1).markAll(null as never), 'INVALID_OPTION');
    // biome-ignore lint/suspicious/noSparseArray: a sparse array is one of the bad inputs
    await rejects(() => world.manager.updateUserActivities([,] as never), 'INVALID_ACTIVITY');
    await rejects(() => world.timeline.for(1).removeByActors(5 as never), 'INVALID_ID');
    await rejects(() => world.timeline.addToMany(undefined as never, []), 'INVALID_ID');
    await rejects(() => world.timeline.removeFromMany({} as never, []), 'INVALID_ID');
    await rejects(() => world.timeline.for(1).read({ limit: 10n as never }), 'INVALID_OPTION');
    await rejects(() => world.manager.getFeed(10n as never, 1), 'UNKNOWN_FEED');
  });
});

describe('bad input (memory): payloads corrupted in storage', () => {
  it('every read and write touching a corrupted payload fails typed; nothing else is touched', async (t) => {
    const figures = await checkCorruption(async () => {
      const storage = createMemoryStorage();
      const world = await fuzzWorld(storage);
      return {
        world,
        // Planted through the storage contracts, as a buggy or hostile writer would.
        plantActivity: (id, payload) => storage.activities.putMany([{ id, payload }]),
        plantEntry: (key, id, score, payload) =>
          storage.timeline.add(key, [{ id, score, ...(payload === undefined ? {} : { payload }) }]),
        raw: async () => ({
          timelines: storage.timeline.size,
          activities: storage.activities.size,
        }),
      };
    });
    const line = `fuzz (memory): ${corruptionCases.length} kinds of corrupted payload planted, ${figures.operations} operations on them, ${figures.typed} failed with a typed error, ${figures.unaffected} reads of other feeds unaffected, 0 crashes`;
    t.diagnostic(line);
    console.log(line);
  });
});

describe('bad input (memory): configurable limits', () => {
  it('max activity size, max batch size, max page size, id lengths, nesting and task limits fail with clear typed errors', async (t) => {
    const checked = await checkLimits(() => createMemoryStorage());
    const line = `limits (memory): ${checked} limits checked, each rejected with a typed error naming it and nothing written`;
    t.diagnostic(line);
    console.log(line);
  });
});
