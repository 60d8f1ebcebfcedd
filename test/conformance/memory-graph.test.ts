import { describe, test } from 'node:test';
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeFollowGraph } from '../../src/testing/follow-graph.cases.js';

describeFollowGraph({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
