import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../errors.js';
import { activityLayout, DEFAULT_COLOCATED_BUCKET_MS } from './activity-layout.js';
import { activityShardKey } from './keys.js';

// The defaults of the activity layout (createRedisStorage): colocated one-minute buckets of one
// hash on a cluster, one hash on a single node, and every given option kept as it is.
describe('Redis activity layout defaults', () => {
  it('a single node keeps one hash without time buckets', () => {
    assert.deepEqual(activityLayout({}, false), {
      shards: 1,
      bucketMs: undefined,
      colocation: 'shard',
    });
  });

  it('a cluster colocates one-minute buckets of one hash', () => {
    assert.equal(DEFAULT_COLOCATED_BUCKET_MS, 60_000);
    assert.deepEqual(activityLayout({}, true), {
      shards: 1,
      bucketMs: 60_000,
      colocation: 'bucket',
    });
  });

  it("'shard' is the layout of 0.1: 16 hashes on a cluster, one on a single node", () => {
    assert.deepEqual(activityLayout({ activityColocation: 'shard' }, true), {
      shards: 16,
      bucketMs: undefined,
      colocation: 'shard',
    });
    assert.deepEqual(activityLayout({ activityColocation: 'shard' }, false), {
      shards: 1,
      bucketMs: undefined,
      colocation: 'shard',
    });
    assert.deepEqual(
      activityLayout({ activityColocation: 'shard', activityBucketMs: 600_000 }, true),
      { shards: 16, bucketMs: 600_000, colocation: 'shard' },
    );
  });

  it("'bucket' without a bucket size takes the default one, on either kind of client", () => {
    for (const isCluster of [false, true]) {
      assert.deepEqual(activityLayout({ activityColocation: 'bucket' }, isCluster), {
        shards: 1,
        bucketMs: 60_000,
        colocation: 'bucket',
      });
    }
  });

  it('given options are kept as they are', () => {
    const given = { activityShards: 4, activityBucketMs: 600_000 };
    const kept = { shards: 4, bucketMs: 600_000 };
    assert.deepEqual(activityLayout(given, true), { ...kept, colocation: 'bucket' });
    assert.deepEqual(activityLayout(given, false), { ...kept, colocation: 'shard' });
    assert.deepEqual(activityLayout({ activityShards: 3 }, true), {
      shards: 3,
      bucketMs: 60_000,
      colocation: 'bucket',
    });
  });

  it('the cluster default and the single-node default never name the same hash', () => {
    const id = '0lvnrm2o0kxtauvj';
    const single = activityLayout({}, false);
    const cluster = activityLayout({}, true);
    const keyOf = (l: typeof single) =>
      activityShardKey('sf', l.shards, id, l.bucketMs, l.colocation);
    assert.equal(keyOf(single), 'sf:a:{0}');
    assert.match(keyOf(cluster), /^sf:a:\{[0-9a-z]+\}\.0$/);
  });

  it('refuses bad values with INVALID_OPTION naming the option', () => {
    for (const [options, option] of [
      [{ activityColocation: 'node' }, 'activityColocation'],
      [{ activityColocation: null }, 'activityColocation'],
      [{ activityShards: 0 }, 'activityShards'],
      [{ activityBucketMs: 1.5 }, 'activityBucketMs'],
    ] as const) {
      for (const isCluster of [false, true]) {
        assert.throws(
          () => activityLayout(options, isCluster),
          (err: unknown) =>
            err instanceof ValidationError &&
            err.code === 'INVALID_OPTION' &&
            err.details.option === option,
          JSON.stringify(options),
        );
      }
    }
  });
});
