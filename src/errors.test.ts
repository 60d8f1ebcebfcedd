import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BackendError,
  ConflictError,
  SerializationError,
  StreamFrameworkError,
  UnsupportedOperationError,
  ValidationError,
} from './errors.js';

describe('StreamFrameworkError', () => {
  it('carries a code, a name, a message and details', () => {
    const err = new StreamFrameworkError('BACKEND', 'it broke', { details: { key: 'k' } });
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'BACKEND');
    assert.equal(err.name, 'StreamFrameworkError');
    assert.equal(err.message, 'it broke');
    assert.deepEqual(err.details, { key: 'k' });
    assert.match(String(err.stack), /it broke/);
  });

  it('details default to an empty object and cause is absent unless given', () => {
    const err = new StreamFrameworkError('CONFLICT', 'x');
    assert.deepEqual(err.details, {});
    assert.equal(Object.hasOwn(err, 'cause'), false);
    assert.equal(err.cause, undefined);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    const err = new StreamFrameworkError('BACKEND', 'wrapped', { cause });
    assert.equal(err.cause, cause);
    assert.equal(new BackendError('b', { cause: 'text' }).cause, 'text');
  });
});

describe('error subclasses', () => {
  const cases = [
    [new ValidationError('INVALID_ID', 'v'), ValidationError, 'ValidationError', 'INVALID_ID'],
    [new SerializationError('s'), SerializationError, 'SerializationError', 'SERIALIZATION'],
    [
      new UnsupportedOperationError('u'),
      UnsupportedOperationError,
      'UnsupportedOperationError',
      'UNSUPPORTED',
    ],
    [new ConflictError('c'), ConflictError, 'ConflictError', 'CONFLICT'],
    [new BackendError('b'), BackendError, 'BackendError', 'BACKEND'],
  ] as const;

  for (const [err, type, name, code] of cases) {
    it(`${name}: instanceof chain, name and code`, () => {
      assert.ok(err instanceof type);
      assert.ok(err instanceof StreamFrameworkError);
      assert.ok(err instanceof Error);
      assert.equal(err.name, name);
      assert.equal(err.code, code);
      assert.equal(Object.getPrototypeOf(err), type.prototype);
      assert.match(String(err), new RegExp(`^${name}: `));
    });
  }

  it('subclasses are distinct: one is never an instance of another', () => {
    const all = cases.map(([err]) => err);
    for (const [, type] of cases) {
      assert.equal(all.filter((err) => err instanceof type).length, 1, type.name);
    }
  });

  it('ValidationError takes any validation code and keeps details and cause', () => {
    const cause = new RangeError('r');
    const err = new ValidationError('LIMIT_EXCEEDED', 'too big', {
      cause,
      details: { limit: 100 },
    });
    assert.equal(err.code, 'LIMIT_EXCEEDED');
    assert.equal(err.cause, cause);
    assert.deepEqual(err.details, { limit: 100 });
  });

  it('can be caught by code, through async boundaries', async () => {
    await assert.rejects(
      Promise.reject(new ConflictError('retry me')),
      (err: unknown) => err instanceof StreamFrameworkError && err.code === 'CONFLICT',
    );
  });
});
