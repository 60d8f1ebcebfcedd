// The importer's pickle reader against pickles made by Python itself: every protocol from 0 to
// the interpreter's highest, for dicts of plain data (unicode, memoized shared lists, big and
// negative integers, tuples, sets, int keys, a '__proto__' key, OrderedDict), and data with no
// JSON form (datetime, bytes, integers beyond 2^53, NaN) refused with the reason. Env from
// scripts/backends/python-import.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { unpickleObject } from '../../src/import/pickle.js';

const python = process.env.PYTHON_SF_PYTHON;
const skip = python
  ? false
  : 'run by the python-import group (node scripts/test.mjs --only python-import)';

test('pickles of every protocol read as the JSON of their data', { skip }, () => {
  const script = fileURLToPath(new URL('./fixtures/pickles.py', import.meta.url));
  const run = spawnSync(python!, [script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  const cases: { protocol: number; hex: string; json?: unknown; rejected?: string }[] = JSON.parse(
    run.stdout,
  );
  const protocols = new Set(cases.map((c) => c.protocol));
  assert.ok(protocols.has(0) && protocols.has(2) && protocols.has(4) && protocols.has(5));
  for (const c of cases) {
    if (c.rejected !== undefined) {
      assert.throws(
        () => unpickleObject(Buffer.from(c.hex, 'hex')),
        (error: Error) => error.name === 'PickleError' && error.message.includes(c.rejected!),
        `protocol ${c.protocol}: ${c.rejected}`,
      );
      continue;
    }
    const value = unpickleObject(Buffer.from(c.hex, 'hex'));
    assert.deepEqual(
      value,
      c.json,
      `protocol ${c.protocol}: ${JSON.stringify(c.json).slice(0, 80)}`,
    );
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  }
});
