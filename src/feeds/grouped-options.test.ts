/**
 * Feed options grouped in 1.0 (`trim`, `limits`, `groups`, `track`): each nested object refuses an
 * unknown key naming its path, and every option that moved is refused with what to use instead,
 * so an application written for 0.x fails at startup with the fix in the message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStorage } from '../backends/memory/index.js';
import type { StreamFrameworkError } from '../errors.js';
import { defineAggregatedFeed } from './aggregated-feed.js';
import { defineFlatFeed } from './flat-feed.js';
import { defineNotificationFeed } from './notification-feed.js';

const storage = createMemoryStorage();
type Define = (options: Record<string, unknown>) => unknown;
const flat: Define = (o) => defineFlatFeed({ name: 'f', storage, ...o } as never);
const aggregated: Define = (o) => defineAggregatedFeed({ name: 'a', storage, ...o } as never);
const notification: Define = (o) => defineNotificationFeed({ name: 'n', storage, ...o } as never);

function refused(define: Define, options: Record<string, unknown>, option: string, hint: RegExp) {
  assert.throws(
    () => define(options),
    (error: StreamFrameworkError) => {
      assert.equal(error.code, 'INVALID_OPTION', error.message);
      assert.equal(error.details['option'], option);
      assert.match(error.message, hint);
      return true;
    },
  );
}

describe('grouped feed options', () => {
  it('the options moved into trim and limits are refused by every feed kind, saying where they went', () => {
    const moved: [string, unknown, RegExp][] = [
      ['trimChance', 0.5, /use trim: \{ chance \}/],
      ['random', () => 0, /use trim: \{ chance, random \}/],
      ['maxPageSize', 10, /use limits: \{ maxPageSize \}/],
      ['maxBatchSize', 10, /use limits: \{ maxBatchSize \}/],
      ['maxTo', 10, /use limits: \{ maxTo \}/],
    ];
    for (const define of [flat, aggregated, notification]) {
      for (const [key, value, hint] of moved) refused(define, { [key]: value }, key, hint);
    }
  });

  it('the group options moved into groups and track are refused, saying where they went', () => {
    const moved: [string, RegExp][] = [
      ['maxActivitiesPerGroup', /use groups: \{ maxActivities \}/],
      ['maxTrackedActors', /use groups: \{ maxTrackedActors \}/],
      ['maxTrackedActivities', /use groups: \{ maxTrackedActivities \}/],
      ['groupCacheCharacters', /use groups: \{ cacheCharacters \}/],
    ];
    for (const define of [aggregated, notification]) {
      for (const [key, hint] of moved) refused(define, { [key]: 5 }, key, hint);
    }
    refused(notification, { trackUnseen: false }, 'trackUnseen', /use track: \{ unseen \}/);
    refused(notification, { trackUnread: false }, 'trackUnread', /use track: \{ unread \}/);
    // A flat feed has no groups: their old names are plain unknown options there.
    refused(flat, { maxActivitiesPerGroup: 5 }, 'maxActivitiesPerGroup', /unknown option/);
  });

  it('an unknown key in a nested object is INVALID_OPTION naming its path', () => {
    refused(flat, { limits: { maxPageSiz: 5 } }, 'limits.maxPageSiz', /unknown option/);
    refused(flat, { trim: { chance: 0.1, seed: 1 } }, 'trim.seed', /unknown option/);
    refused(
      aggregated,
      { groups: { maxActivitiesPerGroup: 5 } },
      'groups.maxActivitiesPerGroup',
      /unknown/,
    );
    refused(notification, { track: { seen: true } }, 'track.seen', /unknown option/);
    refused(flat, { limits: 5 }, 'limits', /option limits must be an object/);
  });

  it('nested values are read: limits, trim, groups and track take effect', async () => {
    const f = defineFlatFeed({
      name: 'f',
      storage: createMemoryStorage(),
      limits: { maxPageSize: 3, maxBatchSize: 4, maxTo: 7 },
      trim: { chance: 0.25, random: () => 0 },
    });
    assert.deepEqual(
      [f.config.maxPageSize, f.config.maxBatchSize, f.config.maxTo, f.config.trimChance],
      [3, 4, 7, 0.25],
    );
    await assert.rejects(f.for(1).read({ limit: 4 }), { code: 'LIMIT_EXCEEDED' });
    const n = defineNotificationFeed({
      name: 'n',
      storage: createMemoryStorage(),
      groups: { maxActivities: 4, maxTrackedActors: 3, maxTrackedActivities: 2 },
      track: { unread: false },
    });
    assert.deepEqual(
      [n.maxActivitiesPerGroup, n.maxTrackedActors, n.maxTrackedActivities],
      [4, 3, 2],
    );
    assert.deepEqual([n.trackUnseen, n.trackUnread], [true, false]);
  });
});
