import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeBoundary } from '../../src/testing/boundary.cases.js';

describeBoundary({ name: 'memory', create: () => createMemoryStorage() });
