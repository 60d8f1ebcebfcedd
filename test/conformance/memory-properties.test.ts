import { it } from 'node:test';
import { createMemoryStorage } from '../../src/index.js';
import { checkFeedModel, describeFigures, propertySize } from '../support/feed-properties.js';

// Random sequences of add / remove / follow / unfollow / batch import / mark seen or read over the
// public API on the in-memory backend, each step compared with the reference model
// (test/support/feed-model.ts). SF_SOAK=1 runs many more sequences; SF_SEED replays one.
const size = propertySize({ runs: 150, steps: 30, soakRuns: 5000 });

it(`memory: ${size.runs} random sequences of up to ${size.steps} public-API calls match the reference model after every call`, async (t) => {
  const figures = await checkFeedModel({ create: () => createMemoryStorage() }, size);
  const line = describeFigures('memory', figures, size.seed);
  t.diagnostic(line);
  console.log(line);
});
