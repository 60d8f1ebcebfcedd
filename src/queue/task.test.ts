import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamFrameworkError } from '../errors.js';
import {
  type FanoutTask,
  type FollowTask,
  parseTask,
  TASK_LIMITS,
  type TrimTask,
  type UnfollowTask,
} from './task.js';

const fanout: FanoutTask = {
  v: 1,
  type: 'fanout',
  op: 'add',
  feed: 'timeline',
  userIds: ['1', 'u-2'],
  activities: ['{"v":1}'],
  trim: true,
};
const follow: FollowTask = { v: 1, type: 'follow', userId: '1', targetIds: ['2', '3'], limit: 10 };
const unfollow: UnfollowTask = {
  v: 1,
  type: 'unfollow',
  userId: '1',
  targetIds: ['2'],
  keepHistory: false,
};
const trim: TrimTask = { v: 1, type: 'trim', feed: 'timeline', userIds: ['1', '2'] };
const withPrevious: FanoutTask = { ...fanout, previous: ['{"v":1,"old":true}'] };

function rejects(value: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseTask(value),
    (error: unknown) => {
      assert.ok(error instanceof StreamFrameworkError);
      assert.equal(error.name, 'ValidationError');
      assert.equal(error.code, 'INVALID_TASK');
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('parseTask', () => {
  it('accepts each task type and returns an equal, frozen task', () => {
    for (const task of [fanout, follow, unfollow, trim, withPrevious]) {
      const parsed = parseTask(JSON.parse(JSON.stringify(task)));
      assert.deepEqual(parsed, task);
      assert.ok(Object.isFrozen(parsed));
    }
  });

  it('accepts a JSON string and a remove task carrying ids only', () => {
    const remove = {
      ...fanout,
      op: 'remove',
      activities: [],
      ids: ['00abc00000000000'],
      trim: false,
    };
    assert.deepEqual(parseTask(JSON.stringify(remove)), remove);
  });

  it('rejects non-objects and invalid JSON strings', () => {
    for (const value of [null, 42, [fanout], undefined]) rejects(value, /JSON object/);
    rejects('{not json', /must be JSON/);
  });

  it('rejects a wrong or missing version', () => {
    rejects({ ...fanout, v: 2 }, /unsupported task version/);
    rejects({ ...fanout, v: '1' }, /unsupported task version/);
    const { v: _v, ...noVersion } = fanout;
    rejects(noVersion, /unsupported task version/);
  });

  it('rejects unknown types, ops and keys', () => {
    rejects({ ...fanout, type: 'fanout_operation' }, /unknown task type/);
    rejects({ ...fanout, op: 'update' }, /unknown fanout op/);
    rejects({ ...fanout, operation_kwargs: {} }, /unknown key "operation_kwargs"/);
    rejects({ ...follow, keepHistory: true }, /unknown key "keepHistory"/);
  });

  it('rejects bad feed names and user ids', () => {
    rejects({ ...fanout, feed: 'bad name' }, /feed must be a feed name/);
    rejects({ ...fanout, feed: 7 }, /feed must be a feed name/);
    rejects({ ...fanout, userIds: ['1', 2] }, /userIds\[1\]/);
    rejects({ ...fanout, userIds: [''] }, /userIds\[0\]/);
    rejects({ ...fanout, userIds: ['x'.repeat(513)] }, /userIds\[0\]/);
    rejects({ ...fanout, userIds: [] }, /must not be empty/);
    rejects({ ...fanout, userIds: '1' }, /must be an array/);
    rejects({ ...follow, userId: 1 }, /userId/);
    rejects({ ...unfollow, targetIds: [null] }, /targetIds\[0\]/);
  });

  it('rejects too many user ids', () => {
    const userIds = Array.from({ length: TASK_LIMITS.userIds + 1 }, (_, i) => String(i));
    rejects({ ...fanout, userIds }, /limit is 10000/);
  });

  it('rejects non-string, empty or missing activities', () => {
    rejects({ ...fanout, activities: [{ id: 'x' }] }, /activities\[0\]/);
    rejects({ ...fanout, activities: [''] }, /activities\[0\]/);
    rejects({ ...fanout, activities: 'x' }, /activities must be an array/);
    rejects({ ...fanout, activities: [] }, /at least one activity/);
  });

  it('rejects ids on an add task and malformed ids on a remove task', () => {
    rejects({ ...fanout, ids: ['00abc00000000000'] }, /only remove tasks/);
    rejects({ ...fanout, op: 'remove', ids: ['12'] }, /ids\[0\] is not an activity id/);
  });

  it('rejects malformed trim tasks and previous versions outside add tasks', () => {
    rejects({ ...trim, feed: 'bad name' }, /trim task feed must be a feed name/);
    rejects({ ...trim, userIds: [] }, /must not be empty/);
    rejects({ ...trim, maxLength: 5 }, /unknown key "maxLength"/);
    rejects({ ...withPrevious, op: 'remove' }, /only add tasks may carry previous/);
    rejects({ ...withPrevious, previous: 'x' }, /previous must be an array/);
    rejects({ ...withPrevious, previous: [''] }, /previous\[0\]/);
    rejects({ ...withPrevious, previous: ['a', 'b'] }, /more previous versions than activities/);
  });

  it('accepts a hybrid pull field on add tasks and rejects a malformed one', () => {
    const pull = { producer: '7', rate: 0.25, all: false };
    assert.deepEqual(parseTask(JSON.stringify({ ...fanout, pull })), { ...fanout, pull });
    rejects({ ...fanout, op: 'remove', pull }, /only add tasks may carry pull/);
    rejects({ ...fanout, pull: 'x' }, /pull must be an object/);
    rejects({ ...fanout, pull: { ...pull, rate: -1 } }, /pull.rate/);
    rejects({ ...fanout, pull: { ...pull, rate: Number.NaN } }, /pull.rate/);
    rejects({ ...fanout, pull: { ...pull, all: 1 } }, /pull.all must be a boolean/);
    rejects({ ...fanout, pull: { ...pull, producer: '' } }, /pull.producer/);
    rejects({ ...fanout, pull: { ...pull, extra: 1 } }, /unknown key "extra"/);
  });

  it('rejects a non-boolean trim or keepHistory and a bad follow limit', () => {
    rejects({ ...fanout, trim: 'yes' }, /trim must be a boolean/);
    rejects({ ...unfollow, keepHistory: 1 }, /keepHistory must be a boolean/);
    rejects({ ...follow, limit: -1 }, /limit must be an integer/);
    rejects({ ...follow, limit: 1.5 }, /limit must be an integer/);
    rejects({ ...follow, limit: TASK_LIMITS.followLimit + 1 }, /exceeds/);
  });
});
