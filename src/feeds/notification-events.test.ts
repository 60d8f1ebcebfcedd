import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../errors.js';
import { createNotificationEmitter, type NotificationChange } from './notification-events.js';

const change: NotificationChange = {
  feed: 'notif',
  userId: '1',
  key: 'notif:1',
  reason: 'add',
  unseen: 1,
  unread: 1,
};

describe('createNotificationEmitter', () => {
  it('delivers to listeners in order and reports listening', () => {
    const emitter = createNotificationEmitter(undefined);
    assert.equal(emitter.listening(), false);
    const got: string[] = [];
    emitter.events.on('change', () => {
      got.push('a');
    });
    emitter.events.on('change', () => {
      got.push('b');
    });
    assert.equal(emitter.listening(), true);
    emitter.emit(change);
    assert.deepEqual(got, ['a', 'b']);
  });

  it('routes listener errors to onError, also when onError itself throws', () => {
    const errors: unknown[] = [];
    const emitter = createNotificationEmitter((e, c) => {
      errors.push([e, c?.reason]);
      throw new Error('handler failed too');
    });
    const boom = new Error('boom');
    emitter.events.on('change', () => {
      throw boom;
    });
    assert.doesNotThrow(() => emitter.emit(change));
    assert.deepEqual(errors, [[boom, 'add']]);
  });

  it('rejects unknown event names and non-function listeners', () => {
    const { events } = createNotificationEmitter(undefined);
    assert.throws(() => events.on('update' as 'change', () => {}), ValidationError);
    assert.throws(() => events.on('change', 'x' as never), ValidationError);
    assert.equal(events.listenerCount('change'), 0);
  });
});
