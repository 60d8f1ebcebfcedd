import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../errors.js';
import { hasCode } from '../testing/fixtures.js';
import { builtinVerbs, createVerbRegistry, defaultVerbs, type VerbDefinition } from './verbs.js';

const invalidOption = hasCode('INVALID_OPTION', ValidationError);

describe('built-in verbs', () => {
  it('are follow 1, comment 2, love 3 and add 4, as in the Python original', () => {
    assert.deepEqual(
      builtinVerbs.map((v) => [v.id, v.name, v.pastTense]),
      [
        [1, 'follow', 'followed'],
        [2, 'comment', 'commented'],
        [3, 'love', 'loved'],
        [4, 'add', 'added'],
      ],
    );
    assert.deepEqual(defaultVerbs.list(), builtinVerbs);
    assert.ok(Object.isFrozen(builtinVerbs));
    assert.ok(builtinVerbs.every((v) => Object.isFrozen(v)));
  });
});

describe('createVerbRegistry', () => {
  it('adds user verbs to the built-ins; pastTense defaults to name + "ed"', () => {
    const verbs = createVerbRegistry([
      { id: 5, name: 'pin', pastTense: 'pinned' },
      { id: 6, name: 'share' },
    ]);
    assert.deepEqual(
      verbs.list().map((v) => v.id),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(verbs.get('share'), { id: 6, name: 'share', pastTense: 'shareed' });
    assert.equal(verbs.get('pin')?.pastTense, 'pinned');
  });

  it('without built-ins holds only the given verbs', () => {
    const verbs = createVerbRegistry([{ id: 10, name: 'pin' }], { builtins: false });
    assert.deepEqual(
      verbs.list().map((v) => v.name),
      ['pin'],
    );
    assert.equal(verbs.has('add'), false);
    assert.equal(createVerbRegistry([], { builtins: false }).list().length, 0);
  });

  it('looks verbs up by name and by id', () => {
    const verbs = createVerbRegistry([{ id: 5, name: 'pin', pastTense: 'pinned' }]);
    assert.equal(verbs.get(5)?.name, 'pin');
    assert.equal(verbs.get('pin')?.id, 5);
    assert.equal(verbs.get(3)?.name, 'love');
    assert.equal(verbs.get('5'), undefined);
    assert.equal(verbs.get(99), undefined);
    assert.equal(verbs.has('pin'), true);
    assert.equal(verbs.has(5), true);
    assert.equal(verbs.has('nope'), false);
    assert.equal(verbs.require(4).name, 'add');
  });

  it('require of an unknown verb throws UNKNOWN_VERB', () => {
    assert.throws(() => defaultVerbs.require('pin'), hasCode('UNKNOWN_VERB', ValidationError));
    assert.throws(() => defaultVerbs.require(99), hasCode('UNKNOWN_VERB'));
  });

  it('list is sorted by id and frozen', () => {
    const verbs = createVerbRegistry([
      { id: 9, name: 'zz' },
      { id: 7, name: 'aa' },
    ]);
    assert.deepEqual(
      verbs.list().map((v) => v.id),
      [1, 2, 3, 4, 7, 9],
    );
    assert.ok(Object.isFrozen(verbs.list()));
    assert.ok(Object.isFrozen(verbs));
  });

  it('conflicting ids or names throw INVALID_OPTION', () => {
    const conflicts: VerbDefinition[][] = [
      [{ id: 1, name: 'pin' }],
      [{ id: 5, name: 'follow' }],
      [{ id: 3, name: 'love', pastTense: 'adored' }],
      [
        { id: 5, name: 'pin' },
        { id: 6, name: 'pin' },
      ],
      [
        { id: 5, name: 'pin' },
        { id: 5, name: 'share' },
      ],
    ];
    for (const verbs of conflicts) {
      assert.throws(() => createVerbRegistry(verbs), invalidOption, JSON.stringify(verbs));
    }
  });

  it('re-declaring an identical verb is fine', () => {
    const verbs = createVerbRegistry([
      { id: 1, name: 'follow', pastTense: 'followed' },
      { id: 4, name: 'add' },
      { id: 5, name: 'pin', pastTense: 'pinned' },
      { id: 5, name: 'pin', pastTense: 'pinned' },
    ]);
    assert.equal(verbs.list().length, 5);
  });

  it('malformed verbs throw INVALID_OPTION', () => {
    const bad: unknown[] = [
      null,
      'pin',
      { id: 0, name: 'pin' },
      { id: -1, name: 'pin' },
      { id: 1.5, name: 'pin' },
      { id: '5', name: 'pin' },
      { id: 5, name: '' },
      { id: 5, name: '1pin' },
      { id: 5, name: 'pin verb' },
      { id: 5, name: 'p'.repeat(65) },
      { id: 5, name: 5 },
      { id: 5, name: 'pin', pastTense: '' },
    ];
    for (const verb of bad) {
      assert.throws(
        () => createVerbRegistry([verb as VerbDefinition]),
        invalidOption,
        JSON.stringify(verb),
      );
    }
    assert.equal(createVerbRegistry([{ id: 5, name: 'p'.repeat(64) }]).has(5), true);
  });
});

describe('VerbRegistry.with', () => {
  it('returns a new registry and leaves the old one unchanged', () => {
    const base = createVerbRegistry([{ id: 5, name: 'pin' }]);
    const more = base.with({ id: 6, name: 'share', pastTense: 'shared' });
    assert.notEqual(more, base);
    assert.equal(more.get('share')?.id, 6);
    assert.equal(more.get('pin')?.id, 5);
    assert.equal(more.get('add')?.id, 4);
    assert.equal(base.has('share'), false);
    assert.equal(base.list().length, 5);
    assert.equal(defaultVerbs.with({ id: 5, name: 'pin' }).list().length, 5);
    assert.equal(defaultVerbs.list().length, 4);
  });

  it('rejects conflicts with verbs already in the registry', () => {
    const base = createVerbRegistry([{ id: 5, name: 'pin' }]);
    assert.throws(() => base.with({ id: 5, name: 'share' }), invalidOption);
    assert.throws(() => base.with({ id: 6, name: 'pin' }), invalidOption);
    assert.equal(base.with({ id: 5, name: 'pin' }).list().length, 5);
  });
});
