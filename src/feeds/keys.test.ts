import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createActivity } from '../activity/activity.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import { StreamFrameworkError, ValidationError } from '../errors.js';
import { hasCode } from '../testing/fixtures.js';
import { defineAggregatedFeed } from './aggregated-feed.js';
import { defineFlatFeed } from './flat-feed.js';
import { assertFeedName, defaultFeedKey, escapeKeyPart, userIdString } from './keys.js';

/** The inverse of escapeKeyPart, written independently: proves the mapping is injective. */
function unescapeKeyPart(escaped: string): string {
  return escaped.replace(/%u([0-9A-F]{4})|%([0-9A-F]{2})/g, (_, u: string, b: string) =>
    String.fromCharCode(Number.parseInt(u ?? b, 16)),
  );
}

const UNSAFE_OUTPUT = /[:{}*?[\]\\\s\p{Cc}]/u;
const trickyChar = fc.constantFrom(
  '%',
  ':',
  '{',
  '}',
  '*',
  '?',
  '[',
  ']',
  '\\',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff',
  'a',
  'Z',
  '0',
  'é',
  '😀',
  '%3A',
  '%u003A',
);
const trickyString = fc.string({ unit: trickyChar, maxLength: 12 });
const anyString = fc.oneof(trickyString, fc.string({ unit: 'binary', maxLength: 12 }));

describe('escapeKeyPart', () => {
  it('leaves ordinary ids alone', () => {
    for (const id of ['42', 'user-1', 'a_b.c', 'ünï', '😀', 'ABC']) {
      assert.equal(escapeKeyPart(id), id);
    }
  });

  it('escapes the characters that matter in keys', () => {
    assert.equal(escapeKeyPart('a:b'), 'a%3Ab');
    assert.equal(escapeKeyPart('{x}'), '%7Bx%7D');
    assert.equal(escapeKeyPart('*?'), '%2A%3F');
    assert.equal(escapeKeyPart('%'), '%25');
    assert.equal(escapeKeyPart('a b\n'), 'a%20b%0A');
    assert.equal(escapeKeyPart('\u3000'), '%u3000');
  });

  it('is injective on tricky inputs (it has an inverse)', () => {
    fc.assert(
      fc.property(anyString, (s) => unescapeKeyPart(escapeKeyPart(s)) === s),
      {
        numRuns: 2000,
      },
    );
  });

  it('property: distinct inputs give distinct outputs', () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => {
        fc.pre(a !== b);
        return escapeKeyPart(a) !== escapeKeyPart(b);
      }),
      { numRuns: 2000 },
    );
    assert.notEqual(escapeKeyPart('%3A'), escapeKeyPart(':'));
    assert.notEqual(escapeKeyPart('%u3000'), escapeKeyPart('\u3000'));
  });

  it('property: the output has no :, {, }, *, ?, [, ], \\, whitespace or control characters', () => {
    fc.assert(
      fc.property(anyString, (s) => !UNSAFE_OUTPUT.test(escapeKeyPart(s))),
      {
        numRuns: 2000,
      },
    );
  });
});

describe('userIdString', () => {
  it('gives 1 and "1" the same string form', () => {
    assert.equal(userIdString(1), userIdString('1'));
    assert.equal(userIdString(1), '1');
    assert.equal(userIdString('user:1'), 'user:1');
  });

  it('rejects invalid user ids with INVALID_ID', () => {
    for (const id of ['', -1, 1.5, Number.NaN, null, {}, 'x'.repeat(513)]) {
      assert.throws(
        () => userIdString(id as string),
        hasCode('INVALID_ID', ValidationError),
        String(id),
      );
    }
    assert.throws(
      () => userIdString('', 'followerId'),
      (err: ValidationError) => err.details.field === 'followerId',
    );
  });
});

describe('assertFeedName', () => {
  it('accepts a letter then letters, digits, _ or -', () => {
    for (const name of ['normal', 'user', 'Feed_2', 'a-b', 'a'.repeat(64)]) {
      assert.equal(assertFeedName(name), name);
    }
  });

  it('rejects anything else with INVALID_OPTION', () => {
    for (const name of ['', '1feed', '_x', 'a:b', 'a b', 'a'.repeat(65), 5, null]) {
      assert.throws(() => assertFeedName(name), hasCode('INVALID_OPTION'), String(name));
    }
  });
});

describe('defaultFeedKey', () => {
  it('is the feed name, a colon and the escaped user id', () => {
    assert.equal(defaultFeedKey('normal', '42'), 'normal:42');
    assert.equal(defaultFeedKey('normal', 'a:b'), 'normal:a%3Ab');
    assert.notEqual(defaultFeedKey('normal', 'a:b'), defaultFeedKey('normal:a', 'b'));
    assert.equal(defaultFeedKey('user', '{1}'), 'user:%7B1%7D');
  });
});

describe('feed key functions', () => {
  it('a key() returning a lone surrogate is refused before the activity is stored', async () => {
    const storage = createMemoryStorage();
    const activity = createActivity({ actor: 1, verb: 'love', object: 2, time: 1_764_000_000_000 });
    const feeds = [
      defineFlatFeed({ name: 'flat', storage, key: (u) => `f:${u}\ud800` }),
      defineAggregatedFeed({ name: 'agg', storage, key: (u) => `a:${u}\udfff` }),
    ];
    for (const feed of feeds) {
      await assert.rejects(feed.addToMany([1], [activity]), StreamFrameworkError);
      assert.deepEqual(await storage.activities.getMany([activity.id]), [undefined]);
      assert.throws(() => feed.for(1), hasCode('INVALID_OPTION'));
    }
  });
});
