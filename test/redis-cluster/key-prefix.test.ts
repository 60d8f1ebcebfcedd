import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { redisStorage } from '../../src/backends/redis/index.js';
import { describeFlatFeed, describeTimelineStorage } from '../../src/testing/index.js';
import { clusterClient } from '../support/redis.js';
import { describeKeyPrefixCases, prefixedBackend } from '../support/redis-key-prefix.js';

// Cluster clients with an ioredis keyPrefix: the per-node fan-out and activity scripts get key
// names in ARGV, which ioredis does not prefix; the backend must prefix them itself.
const raw = clusterClient();
const nodes = (process.env.REDIS_CLUSTER_NODES ?? '').split(',').map((n) => {
  const [host, port] = n.split(':');
  return { host: host!, port: Number(port) };
});
const both = new Cluster(nodes, { keyPrefix: 'app:', redisOptions: { keyPrefix: 'app:' } });
const clusterOnly = new Cluster(nodes, { keyPrefix: 'app:' });
const tagged = new Cluster(nodes, { keyPrefix: '{app}:' });
after(async () => {
  await Promise.all([both.quit(), clusterOnly.quit(), tagged.quit(), raw.quit()]);
});

describe('redis-cluster, keyPrefix on the cluster and its nodes', () => {
  describeKeyPrefixCases(both, raw, 'app:');
});
describe('redis-cluster, keyPrefix on the cluster only', () => {
  describeKeyPrefixCases(clusterOnly, raw, 'app:');
});
describe('redis-cluster, keyPrefix with a hash tag (every key in one slot)', () => {
  describeKeyPrefixCases(tagged, raw, '{app}:');
});
describeTimelineStorage(prefixedBackend('redis-cluster, keyPrefix app:', both, raw));
describeFlatFeed(prefixedBackend('redis-cluster, keyPrefix app:', both, raw));

describe('redis-cluster, keyPrefix settings the backend cannot follow', () => {
  const refused = (options: ConstructorParameters<typeof Cluster>[1], message: RegExp) => {
    const cluster = new Cluster(nodes, { ...options, lazyConnect: true });
    try {
      assert.throws(
        () => redisStorage({ client: cluster }),
        (e: { code?: string; message?: string }) =>
          e.code === 'INVALID_OPTION' && message.test(e.message ?? ''),
      );
    } finally {
      cluster.disconnect();
    }
  };

  it('refuses a cluster keyPrefix that differs from redisOptions.keyPrefix', () => {
    refused({ keyPrefix: 'a:', redisOptions: { keyPrefix: 'b:' } }, /differ/);
    refused({ keyPrefix: 'app:', redisOptions: { keyPrefix: 'ap' } }, /differ/);
  });

  it('refuses a Buffer or not well-formed keyPrefix', () => {
    refused({ keyPrefix: Buffer.from('app:') as unknown as string }, /must be a string/);
    refused({ keyPrefix: 'app\ud800:' }, /lone surrogate/);
  });

  it('accepts the same keyPrefix on both, or on one of them', () => {
    for (const options of [
      { keyPrefix: 'app:', redisOptions: { keyPrefix: 'app:' } },
      { keyPrefix: 'app:' },
      { redisOptions: { keyPrefix: 'app:' } },
    ]) {
      const cluster = new Cluster(nodes, { ...options, lazyConnect: true });
      try {
        assert.doesNotThrow(() => redisStorage({ client: cluster }));
      } finally {
        cluster.disconnect();
      }
    }
  });
});
