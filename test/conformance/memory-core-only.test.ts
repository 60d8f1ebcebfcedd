// The storage and feed suites on a backend whose driver implements the required core only: the
// wrapper's defaults (addToMany, removeFromMany, indexOf) are checked by every suite that uses
// them. Notification feeds need markers, which this driver does not have, so the notification,
// manager and boundary suites (which define notification feeds) are not run on it.
import { describe, test } from 'node:test';
import { describeActivityStorage } from '../../src/testing/activity-storage.cases.js';
import { describeAggregatedFeed } from '../../src/testing/aggregated-feed.cases.js';
import type { BackendUnderTest } from '../../src/testing/backend.js';
import { coreOnlyStorage } from '../../src/testing/core-only-storage.js';
import { describeFlatFeed } from '../../src/testing/flat-feed.cases.js';
import { describeTimelineStorage } from '../../src/testing/timeline-storage.cases.js';

const coreOnly: BackendUnderTest = {
  name: 'core-only',
  create: () => coreOnlyStorage(),
  skip: {
    markers: 'the core-only driver has no marker methods (countMarked, isMarked, clearMarker)',
  },
};

describeTimelineStorage({ describe, test }, coreOnly);
describeActivityStorage({ describe, test }, coreOnly);
describeFlatFeed({ describe, test }, coreOnly);
describeAggregatedFeed({ describe, test }, coreOnly);
