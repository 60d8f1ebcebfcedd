// Compile-time proof (npx tsc, not run): the describe/test (and it) of node:test, Vitest and Jest
// are each a KitRunner as they come, with no cast and no wrapper.

import { describe as nodeDescribe, it as nodeIt, test as nodeTest } from 'node:test';
import { describe as jestDescribe, it as jestIt, test as jestTest } from '@jest/globals';
import type { KitRunner } from 'stream-framework/testing';
import { describe as vitestDescribe, it as vitestIt, test as vitestTest } from 'vitest';

/** Every runner the kit documents, as the kit's parameter type. */
export const runners: readonly KitRunner[] = [
  { describe: nodeDescribe, test: nodeTest },
  { describe: nodeDescribe, test: nodeIt },
  { describe: vitestDescribe, test: vitestTest },
  { describe: vitestDescribe, test: vitestIt },
  { describe: jestDescribe, test: jestTest },
  { describe: jestDescribe, test: jestIt },
];
