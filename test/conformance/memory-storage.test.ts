import { describe, test } from 'node:test';
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeActivityStorage } from '../../src/testing/activity-storage.cases.js';
import type { BackendUnderTest } from '../../src/testing/backend.js';
import { describeTimelineStorage } from '../../src/testing/timeline-storage.cases.js';

const memory: BackendUnderTest = { name: 'memory', create: () => createMemoryStorage() };

describeTimelineStorage({ describe, test }, memory);
describeActivityStorage({ describe, test }, memory);
