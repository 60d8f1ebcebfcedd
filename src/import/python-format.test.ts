// The Python wire formats: activity values, v3 envelopes, serialization ids derived as Python
// derives them, and the activity storage shard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SerializationError } from '../errors.js';
import {
  activityShardKey,
  malformedData,
  parseActivity,
  parseGroup,
  pythonGroupId,
  timeOfSerializationId,
} from './python-format.js';

describe('parseActivity', () => {
  it('reads the six fields; target 0 is none; an empty pickle is {}', () => {
    const a = parseActivity('13,3,42,0,1714566645.123456,', undefined);
    assert.deepEqual(a, {
      id: '17145666451230000000042003',
      actor: 13,
      verb: 3,
      object: 42,
      target: undefined,
      timeMs: 1714566645123,
      extra: {},
    });
    assert.equal(timeOfSerializationId(a.id), 1714566645123);
  });

  it('checks the id it is stored under against its fields', () => {
    assert.throws(
      () => parseActivity('13,3,42,7,1714566645.123456,', '17145666451230000000042004'),
      /give serialization id 17145666451230000000042003, not 17145666451230000000042004/,
    );
  });

  it('refuses short, non-numeric and oversized fields', () => {
    assert.throws(() => parseActivity('13,3,42', undefined), /fewer than 6/);
    assert.throws(() => parseActivity('x,3,42,0,1.000000,', undefined), /actor_id/);
    assert.throws(() => parseActivity('1,3,-4,0,1.000000,', undefined), /object_id/);
    assert.throws(() => parseActivity('1,3,4,0,1.5,', undefined), /bad time/);
    assert.throws(() => parseActivity('1,1000,4,0,1.000000,', undefined), /too many digits/);
    assert.throws(() => parseActivity('1,3,4,0,1.000000,\u0100', undefined), /Latin-1/);
  });
});

describe('parseGroup', () => {
  it('reads a dehydrated envelope (ids) and a notification envelope (activities)', () => {
    const ids = parseGroup(
      'v33-2024-05-01;;1714566645.123456;;1714566650.123456;;-1;;-1;;17145666451230000000042003;17145666501230000000043003;;2',
    );
    assert.equal(ids.group, '3-2024-05-01');
    assert.deepEqual(ids.activities, ['17145666451230000000042003', '17145666501230000000043003']);
    assert.equal(ids.minimized, 2);
    assert.equal(ids.seenByDate, false);
    assert.equal(pythonGroupId(ids.updatedAtMs), '1714566650000');
    const full = parseGroup(
      'v33-42-2024-05-01;;1714566645.123456;;1714566645.123456;;1714566700.000000;;-1;;13,3,42,0,1714566645.123456,;;0',
    );
    assert.equal((full.activities[0] as { actor: number }).actor, 13);
    assert.equal(full.seenByDate, true);
    assert.equal(full.readByDate, false);
  });

  it('seen/read by date as is_seen(): at or after updated_at, to the microsecond', () => {
    const at = (seen: string) =>
      parseGroup(`v3g;;1.000000;;5.000002;;${seen};;-1;;17145666451230000000042003;;0`).seenByDate;
    assert.equal(at('5.000002'), true);
    assert.equal(at('5.000001'), false); // the same millisecond, one microsecond earlier
    assert.equal(at('9.000000'), true);
    assert.equal(at('-1'), false);
  });

  it('refuses other versions and broken envelopes', () => {
    assert.throws(() => parseGroup('v2x;;1;;1;;-1;;-1;;1;;0'), /not a v3/);
    assert.throws(() => parseGroup('v3a;;b'), /expected 7/);
    assert.throws(
      () => parseGroup('v3a;;1.000000;;1.000000;;-1;;-1;;oops;;0'),
      /bad activity reference/,
    );
    assert.throws(
      () => parseGroup('v3a;;1.000000;;1.000000;;-1;;-1;;17145666451230000000042003;;x'),
      /minimized/,
    );
  });
});

describe('activityShardKey', () => {
  it('is md5(id) mod 10 over the key, as ShardedHashCache', () => {
    // Known answers of Python's int(hashlib.md5(id).hexdigest(), 16) % 10 (the second id is in
    // global:3 of the database the Python fixture writes).
    assert.equal(activityShardKey('global', '17145666451230000000042003'), 'global:1');
    assert.equal(activityShardKey('global', '17147471521230000000115003'), 'global:3');
    assert.equal(activityShardKey('acts', '1'), 'acts:1');
  });
});

describe('malformedData', () => {
  it('names the key and member, with code SERIALIZATION', () => {
    const e = malformedData('feed:1', 'v3x', 'bad');
    assert.ok(e instanceof SerializationError);
    assert.equal(e.code, 'SERIALIZATION');
    assert.equal(e.message, 'malformed Python Stream Framework data in "feed:1" ("v3x"): bad');
    assert.deepEqual(e.details, { key: 'feed:1', member: 'v3x', reason: 'bad' });
  });
});
