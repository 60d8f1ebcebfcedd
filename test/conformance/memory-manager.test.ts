import { describe, test } from 'node:test';
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeManager } from '../../src/testing/manager.cases.js';

describeManager({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
