import { describe, test } from 'node:test';
// The whole conformance kit on a tiered storage over two memory storages, with a hot tier of 3
// entries per timeline, so that nearly every read and write of the kit crosses the boundary.
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { createTieredStorage } from '../../src/backends/tiered/index.js';
import { describeBackend } from '../../src/testing/index.js';

for (const hotMaxLength of [3, 1000]) {
  describeBackend(
    { describe, test },
    {
      name: `tiered(memory, memory), hotMaxLength ${hotMaxLength}`,
      create: () =>
        createTieredStorage({
          hot: createMemoryStorage(),
          durable: createMemoryStorage(),
          hotMaxLength,
        }),
    },
  );
}
