import { describe, test } from 'node:test';
// The flat feed conformance suite on the in-memory backend.
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeFlatFeed } from '../../src/testing/flat-feed.cases.js';

describeFlatFeed({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
