// importPythonRedis refuses bad options with INVALID_OPTION before reading anything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStorage } from '../backends/memory/index.js';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { checkImportOptions } from './check-options.js';

const storage = createMemoryStorage();
const flat = defineFlatFeed({ name: 'flat', storage });
const aggregated = defineAggregatedFeed({ name: 'agg', storage });
/** A stand-in source: only its shape is checked here; nothing is read. */
const source = { scan: () => undefined, pipeline: () => undefined };
const invalid = (options: unknown, option: RegExp) =>
  assert.throws(
    () => checkImportOptions(options),
    (e: Error & { code?: string }) => e.code === 'INVALID_OPTION' && option.test(e.message),
  );

describe('checkImportOptions', () => {
  it('applies the defaults', () => {
    const o = checkImportOptions({ source, feeds: [{ keyFormat: 'f:%(user_id)s', feed: flat }] });
    assert.equal(o.activityKey, 'global');
    assert.equal(o.dryRun, false);
    assert.equal(o.skipMalformed, false);
  });

  it('refuses unknown keys, a missing source and empty mappings', () => {
    const feeds = [{ keyFormat: 'f:%(user_id)s', feed: flat }];
    invalid({ source, feeds, dryrun: true }, /dryrun/);
    invalid({ feeds }, /source must be an ioredis client/);
    invalid({ source, feeds: [] }, /feeds must list at least one mapping/);
    invalid({ source, feeds, activityKey: '' }, /activityKey/);
    invalid({ source, feeds, dryRun: 'yes' }, /dryRun/);
    invalid({ source, feeds, verbs: {} }, /verbs must be a VerbRegistry/);
  });

  it('refuses bad mappings', () => {
    invalid(
      { source, feeds: [{ keyFormat: 'f:%(user_id)s', feed: {} }] },
      /feeds\[0\]\.feed must be a feed definition/,
    );
    invalid(
      { source, feeds: [{ keyFormat: 'f:%(user_id)s:%(user_id)s', feed: flat }] },
      /exactly one/,
    );
    invalid({ source, feeds: [{ keyFormat: 'f:%s', feed: flat }] }, /exactly one/);
    invalid({ source, feeds: [{ keyFormat: 'f:%(user_id)s', feed: flat, stat: 'x' }] }, /stat/);
    invalid(
      { source, feeds: [{ keyFormat: 'f:%(user_id)s', feed: aggregated, state: 'dates' }] },
      /for notification feeds only/,
    );
  });
});
