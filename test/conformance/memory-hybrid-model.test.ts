import { it } from 'node:test';
import type { FanoutMode } from '../../src/fanout/policy.js';
import { createMemoryStorage } from '../../src/index.js';
import { checkHybridModel } from '../../src/testing/manager-hybrid-model.cases.js';
import { propertySize } from '../support/feed-properties.js';

// The kit's mixed push/pull property (src/testing/manager-hybrid-model.cases.ts: publish, import,
// remove, update, follow, unfollow with and without keepHistory, reads, restarts) with many more
// sequences than the kit runs on every backend. SF_SOAK=1 runs many more; SF_SEED replays one.
const size = propertySize({ runs: 20, steps: 60, soakRuns: 1000 });

for (const mode of ['hybrid', 'pull', 'push'] satisfies FanoutMode[]) {
  it(`memory: ${size.runs} random ${mode}-mode sequences of ${size.steps} commands read as the model predicts`, async () => {
    await checkHybridModel(async () => createMemoryStorage(), mode, size);
  });
}
