import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createMemoryStorage } from '../backends/memory/index.js';
import { ValidationError } from '../errors.js';
import type { Storage } from '../storage/contracts.js';
import type { BackendUnderTest } from './backend.js';
import { harnessTest } from './harness.js';
import { describeBackend, describeTimelineStorage } from './index.js';
import type { KitCase, KitRunner } from './runner.js';

interface Registered {
  readonly path: readonly string[];
  readonly name: string;
  readonly skipped: boolean;
  readonly fn: KitCase;
}

/** A runner that records what the kit registers: describe blocks run at once, cases are kept. */
function recordingRunner(): { runner: KitRunner; cases: Registered[] } {
  const cases: Registered[] = [];
  const path: string[] = [];
  const add = (skipped: boolean) => (name: string, fn: KitCase) => {
    cases.push({ path: [...path], name, skipped, fn });
  };
  const runner: KitRunner = {
    describe: (name, fn) => {
      path.push(name);
      try {
        fn();
      } finally {
        path.pop();
      }
    },
    test: Object.assign(add(false), { skip: add(true) }),
  };
  return { runner, cases };
}

const memory: BackendUnderTest = { name: 'memory', create: () => createMemoryStorage() };

describe('conformance kit registration', () => {
  test('a skipped group skips exactly the cases in its blocks, the reason in their names', () => {
    const { runner, cases } = recordingRunner();
    describeTimelineStorage(runner, { ...memory, skip: { markers: 'not yet' } });
    const inMarkers = cases.filter((c) => c.path.includes('markers'));
    assert.ok(inMarkers.length > 0);
    assert.ok(inMarkers.every((c) => c.skipped && c.name.endsWith('(skipped: markers: not yet)')));
    const others = cases.filter((c) => !c.path.includes('markers'));
    assert.ok(others.length > 0);
    assert.ok(others.every((c) => !c.skipped));
  });

  test('a mode group skips that mode in every feed suite and nothing else', () => {
    const { runner, cases } = recordingRunner();
    describeBackend(runner, { ...memory, skip: { denormalized: 'reason' } });
    for (const c of cases) assert.equal(c.skipped, c.path.includes('denormalized'), c.name);
    const suites = new Set(cases.filter((c) => c.skipped).map((c) => c.path[0]));
    assert.deepEqual([...suites].sort(), [
      'aggregated feed conformance (memory)',
      'flat feed conformance (memory)',
    ]);
  });

  test('every suite registers the same cases with and without skips', () => {
    const plain = recordingRunner();
    const skipping = recordingRunner();
    describeBackend(plain.runner, memory);
    describeBackend(skipping.runner, {
      ...memory,
      skip: { 'timeline-storage': 'r', manager: 'r' },
    });
    assert.equal(plain.cases.length, skipping.cases.length);
    assert.ok(plain.cases.every((c) => !c.skipped));
    assert.ok(skipping.cases.some((c) => c.skipped));
  });

  test('an unknown group or an empty reason is refused with INVALID_OPTION, nothing registered', () => {
    for (const skip of [{ marker: 'typo' }, { markers: '' }]) {
      const { runner, cases } = recordingRunner();
      const backend = { ...memory, skip } as unknown as BackendUnderTest;
      assert.throws(
        () => describeBackend(runner, backend),
        (err) => err instanceof ValidationError && err.code === 'INVALID_OPTION',
      );
      assert.equal(cases.length, 0);
    }
  });

  test('a runner without test.skip is refused with INVALID_OPTION', () => {
    const runner = { describe: () => {}, test: () => {} } as unknown as KitRunner;
    assert.throws(
      () => describeBackend(runner, memory),
      (err) => err instanceof ValidationError && err.code === 'INVALID_OPTION',
    );
  });

  test('a case gets fresh storage; cleanups, then destroy, run after it, also when it fails', async () => {
    const { runner, cases } = recordingRunner();
    const events: string[] = [];
    const created: Storage[] = [];
    const backend: BackendUnderTest = {
      name: 'memory',
      create: () => {
        const s = createMemoryStorage();
        created.push(s);
        return s;
      },
      destroy: (s) => {
        events.push(`destroy ${created.indexOf(s)}`);
      },
    };
    harnessTest(runner, backend, 'suite', 'boundary', (register) => {
      register('fails', async ({ storage, another, cleanup }) => {
        assert.equal(storage, created[0]);
        await another();
        cleanup(() => {
          events.push('cleanup 1');
        });
        cleanup(() => {
          events.push('cleanup 2');
        });
        throw new Error('case failed');
      });
    });
    assert.equal(cases.length, 1);
    assert.equal(created.length, 0, 'nothing is created at registration');
    await assert.rejects(cases[0]!.fn(), /case failed/);
    assert.deepEqual(events, ['cleanup 2', 'cleanup 1', 'destroy 0', 'destroy 1']);
  });

  test('no module of the kit imports a test runner', () => {
    const dir = new URL('.', import.meta.url);
    const modules = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    assert.ok(modules.length > 10);
    for (const file of modules) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      assert.doesNotMatch(
        text,
        /^(import|export)[^;]*from '(node:test|vitest|@jest\/globals)'/m,
        file,
      );
    }
  });
});
