import { describe, test } from 'node:test';
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeForeignIds } from '../../src/testing/foreign-ids.cases.js';

describeForeignIds({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
