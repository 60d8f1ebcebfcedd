import { describe, test } from 'node:test';
// The aggregated and notification feed conformance suites on the in-memory backend.
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeAggregatedFeed } from '../../src/testing/aggregated-feed.cases.js';
import type { BackendUnderTest } from '../../src/testing/backend.js';
import { describeNotificationFeed } from '../../src/testing/notification-feed.cases.js';

const backend: BackendUnderTest = { name: 'memory', create: () => createMemoryStorage() };

describeAggregatedFeed({ describe, test }, backend);
describeNotificationFeed({ describe, test }, backend);
