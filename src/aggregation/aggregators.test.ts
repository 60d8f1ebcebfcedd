import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupIdOf } from '../activity/ids.js';
import { BASE_TIME_MS, makeActivity } from '../testing/fixtures.js';
import { byVerbAndDay, byVerbObjectAndDay, createAggregator, utcDay } from './aggregators.js';
import { mergeIntoGroup } from './group.js';

const DAY = 24 * 3600 * 1000;
const midnight = Date.UTC(2024, 4, 2);

describe('utcDay', () => {
  it('is the UTC calendar day, whatever the local time zone', () => {
    assert.equal(utcDay(new Date(BASE_TIME_MS)), '2024-05-01');
    assert.equal(utcDay(new Date(midnight - 1)), '2024-05-01');
    assert.equal(utcDay(new Date(midnight)), '2024-05-02');
    assert.equal(utcDay(new Date(0)), '1970-01-01');
  });

  it('keeps the last day it formatted without mixing days up: alternating, before 1970, invalid', () => {
    const times = [midnight - 1, midnight, midnight - 1, midnight + DAY, -1, 0, -DAY, -DAY - 1];
    for (const t of [...times, ...times.reverse()])
      assert.equal(utcDay(new Date(t)), new Date(t).toISOString().slice(0, 10), `time ${t}`);
    assert.throws(() => utcDay(new Date(Number.NaN)), RangeError);
    assert.throws(() => utcDay(new Date(Number.NaN)), RangeError, 'not kept either');
  });
});

describe('byVerbAndDay (the original RecentVerbAggregator)', () => {
  const key = byVerbAndDay.groupKey;

  it('groups the same verb on the same UTC day, whatever actor, object or time of day', () => {
    const a = makeActivity({ actor: 1, object: 1, time: Date.UTC(2024, 4, 1, 0, 0) });
    const b = makeActivity({ actor: 2, object: 'x', target: 3, time: midnight - 1 });
    assert.equal(key(a), key(b));
  });

  it('splits by verb', () => {
    assert.notEqual(key(makeActivity({ verb: 'add' })), key(makeActivity({ verb: 'love' })));
  });

  it('splits by UTC day, at midnight UTC', () => {
    const before = makeActivity({ time: midnight - 1 });
    const after = makeActivity({ time: midnight });
    assert.notEqual(key(before), key(after));
    assert.equal(key(after), key(makeActivity({ time: midnight + DAY - 1 })));
    assert.notEqual(key(after), key(makeActivity({ time: midnight + DAY })));
  });

  it('has a name and ranks by default (no rank function)', () => {
    assert.equal(byVerbAndDay.name, 'verb+day');
    assert.equal(byVerbAndDay.rank, undefined);
    assert.ok(Object.isFrozen(byVerbAndDay));
  });

  it('aggregates a day of mixed activities into one group per verb', () => {
    const activities = [
      makeActivity({ verb: 'add', object: 1 }, 1),
      makeActivity({ verb: 'love', object: 1 }, 2),
      makeActivity({ verb: 'add', object: 2 }, 3),
      makeActivity({ verb: 'add', object: 3 }, DAY),
    ];
    const groups = new Map<string, number>();
    for (const a of activities) groups.set(key(a), (groups.get(key(a)) ?? 0) + 1);
    assert.deepEqual([...groups.values()], [2, 1, 1]);
  });
});

describe('byVerbObjectAndDay (the original NotificationAggregator)', () => {
  const key = byVerbObjectAndDay.groupKey;

  it('groups the same verb and object on one day, whatever the actor', () => {
    assert.equal(
      key(makeActivity({ actor: 1, object: 7 }, 0)),
      key(makeActivity({ actor: 2, object: 7 }, 3600_000)),
    );
  });

  it('splits by object, by verb and by day', () => {
    const base = makeActivity({ object: 7 });
    assert.notEqual(key(base), key(makeActivity({ object: 8 })));
    assert.notEqual(key(base), key(makeActivity({ object: 7, verb: 'love' })));
    assert.notEqual(key(base), key(makeActivity({ object: 7 }, DAY)));
  });

  it('a number object and the same string object are different groups', () => {
    assert.notEqual(key(makeActivity({ object: 1 })), key(makeActivity({ object: '1' })));
    assert.notEqual(key(makeActivity({ object: 'n1' })), key(makeActivity({ object: 1 })));
  });

  it('has a name', () => {
    assert.equal(byVerbObjectAndDay.name, 'verb+object+day');
  });
});

describe('createAggregator', () => {
  it('builds a frozen aggregator from a group-key function and an optional rank', () => {
    const byActor = createAggregator(
      'actor',
      (a) => String(a.actor),
      (g) => g.activityCount,
    );
    assert.equal(byActor.name, 'actor');
    assert.ok(Object.isFrozen(byActor));
    const a = makeActivity({ actor: 5 });
    assert.equal(byActor.groupKey(a), '5');
    const key = byActor.groupKey(a);
    const g = mergeIntoGroup(undefined, groupIdOf(key), key, [a, makeActivity({ actor: 5 }, 1)], {
      maxActivities: 15,
      maxTrackedActors: 10,
      denormalized: false,
    });
    assert.ok(g);
    assert.equal(byActor.rank?.(g), 2);
    assert.equal(createAggregator('plain', () => 'x').rank, undefined);
  });
});
