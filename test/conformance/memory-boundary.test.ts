import { describe, test } from 'node:test';
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeBoundary } from '../../src/testing/boundary.cases.js';

describeBoundary({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
