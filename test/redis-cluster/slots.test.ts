import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { slotOf } from '../../src/backends/redis/cluster-pipeline.js';
import { timelineKeys } from '../../src/backends/redis/keys.js';
import { clusterClient } from '../support/redis.js';

const client = clusterClient();
after(() => client.quit());

describe('cluster slots', () => {
  it('slotOf agrees with CLUSTER KEYSLOT, including escaped and non-ASCII feed keys', async () => {
    const keys = [
      'foo',
      '{sf}',
      'a{}b',
      'x{y',
      ...['1', 'a:b', '{x}', 'über', '\u{1f600}', 'a b'].map(
        (u) => timelineKeys('sf', `timeline:${u}`).z,
      ),
    ];
    const [node] = client.nodes('master');
    for (const key of keys) {
      assert.equal(slotOf(key), Number(await node!.call('CLUSTER', 'KEYSLOT', key)), key);
    }
  });
});
