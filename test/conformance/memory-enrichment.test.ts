import { describe, test } from 'node:test';
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { describeEnrichment } from '../../src/testing/enrichment.cases.js';

describeEnrichment({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
