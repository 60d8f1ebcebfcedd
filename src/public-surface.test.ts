/**
 * The public surface is written down: docs/architecture.md ("Public surface") lists every name each
 * package entry point exports, generated from the real entry modules by scripts/exports.mjs. Adding
 * or removing an export without re-running `node scripts/exports.mjs --write` fails here, and so
 * does an entry that exports a class other than an error, or a runtime factory not named create*
 * (define* for definitions, describe* for the kit's suites).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  documentedSurface,
  type EntrySurface,
  publicSurface,
  renderSurface,
} from '../scripts/exports.mjs';

const surface: readonly EntrySurface[] = publicSurface();

/** The entry module as it loads at run time. */
async function load(entry: EntrySurface): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(entry.file).href)) as Record<string, unknown>;
}

/** Whether `value` is a class (its source starts with `class`), not a plain function. */
function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
}

describe('public surface', () => {
  it('reads every entry point of package.json "exports"', () => {
    assert.deepEqual(
      surface.map((e) => e.name),
      [
        'stream-framework',
        'stream-framework/redis',
        'stream-framework/bullmq',
        'stream-framework/cassandra',
        'stream-framework/sqlite',
        'stream-framework/import',
        'stream-framework/testing',
      ],
    );
    for (const entry of surface) {
      assert.ok(entry.values.length > 0, `${entry.name} exports no value`);
    }
  });

  it('docs/architecture.md lists exactly what the entry modules export', () => {
    assert.equal(
      documentedSurface(),
      renderSurface(surface),
      'an export was added or removed: run `node scripts/exports.mjs --write` and review the list',
    );
  });

  it("each entry's run-time exports are exactly the values listed (types are erased)", async () => {
    for (const entry of surface) {
      const module = await load(entry);
      assert.deepEqual(Object.keys(module).sort(), [...entry.values], entry.name);
    }
  });

  it('backends export factories only: no class outside the error classes of the root entry', async () => {
    for (const entry of surface) {
      const module = await load(entry);
      const classes = Object.keys(module).filter((name) => isClass(module[name]));
      const allowed = entry.name === 'stream-framework' ? /Error$/ : /^$/;
      assert.deepEqual(
        classes.filter((name) => !allowed.test(name)),
        [],
        `${entry.name} exports classes`,
      );
    }
  });

  it('storage, serializer, queue and metrics factories are named create* (or define*, describe*)', () => {
    const factory = /(Storage|Serializer|Queue|Metrics|Worker)$/;
    const scheme = /^(create|define|describe)[A-Z]/;
    for (const entry of surface) {
      const misnamed = entry.values.filter((name) => factory.test(name) && !scheme.test(name));
      assert.deepEqual(misnamed, [], `${entry.name}: a runtime factory must be named create*`);
    }
  });
});
