import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeManager } from '../../src/testing/manager.cases.js';

describeManager({ name: 'memory', create: () => createMemoryStorage() });
