import { describe, test } from 'node:test';
import { memoryStorage } from '../../src/backends/memory/index.js';
import { describeManager } from '../../src/testing/manager.cases.js';

describeManager({ describe, test }, { name: 'memory', create: () => memoryStorage() });
