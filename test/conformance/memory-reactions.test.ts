// The reactions suite on the memory backend and on a driver with the required core only (the
// wrapper's rangeMany default, no markers: the notification case is skipped there).
import { describe, test } from 'node:test';
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { coreOnlyStorage } from '../../src/testing/core-only-storage.js';
import { describeReactions } from '../../src/testing/reactions.cases.js';

describeReactions({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
describeReactions(
  { describe, test },
  {
    name: 'core-only',
    create: () => coreOnlyStorage(),
    skip: { markers: 'the core-only driver has no markers (notification feeds need them)' },
  },
);
