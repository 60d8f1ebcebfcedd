// The tiered storage's own cases (test/support/tiered.ts) on two memory storages.
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeTieredCases } from '../support/tiered.js';

describeTieredCases({
  name: 'memory over memory',
  async create() {
    const hot = createMemoryStorage();
    const durable = createMemoryStorage();
    return {
      hot,
      durable,
      async evictHot(keys, activityIds = []) {
        for (const key of keys) await hot.timeline.delete(key);
        await hot.activities.removeMany(activityIds);
      },
      async close() {},
    };
  },
});
