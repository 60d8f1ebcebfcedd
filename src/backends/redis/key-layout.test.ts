// The Redis key layout has one source, keys.ts: the Lua scripts get it pasted in from
// luaKeyLayout() and must not spell a key suffix themselves. (test/redis/keys.test.ts checks on
// a real server that what the scripts write is where keys.ts says.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  escapeTag,
  joinedTags,
  luaKeyLayout,
  markerKey,
  TIMELINE_KEY_SUFFIXES,
  timelineKeys,
  timelineZKey,
  zKeyParts,
} from './keys.js';
import { SCRIPT_NAMES, source } from './scripts.js';

const LUA = new URL('./lua/', import.meta.url);
const luaFiles = [
  ...readdirSync(LUA).filter((f) => f.endsWith('.lua')),
  ...readdirSync(new URL('includes/', LUA)).map((f) => `includes/${f}`),
];
const SUFFIXES = Object.values(TIMELINE_KEY_SUFFIXES);

describe('Redis key layout: keys.ts is the one source', () => {
  it('no Lua file spells a key suffix or cuts one off by a hard-coded length', () => {
    assert.ok(luaFiles.length > 10, 'the scripts were found');
    for (const file of luaFiles) {
      const text = readFileSync(new URL(file, LUA), 'utf8');
      const code = text.replace(/--\[\[[\s\S]*?\]\]/g, '').replace(/--[^\n]*/g, '');
      for (const suffix of SUFFIXES) {
        for (const quote of ["'", '"']) {
          assert.ok(
            !code.includes(`${suffix}${quote}`),
            `${file} spells the key suffix ${JSON.stringify(suffix)}: use the KEY_* names`,
          );
        }
      }
      assert.doesNotMatch(code, /string\.sub\([^)]*-\d/, `${file} cuts a suffix by its length`);
    }
  });

  it('every script that names a key suffix or markerKey gets the generated layout', () => {
    const layout = luaKeyLayout();
    for (const name of SCRIPT_NAMES) {
      const text = source(name);
      assert.doesNotMatch(text, /^--- @include "/m, `${name}: every include resolved`);
      if (/\bKEY_[A-Z]+\b|\bmarkerKey\(/.test(text.replace(layout, ''))) {
        assert.ok(text.includes(layout), `${name} uses the layout, so it must include it`);
      }
    }
  });

  it('the generated Lua holds exactly the suffixes of keys.ts', () => {
    const layout = luaKeyLayout();
    const literals = [...layout.matchAll(/'([^']*)'/g)].map((m) => m[1]);
    assert.deepEqual(literals, [
      TIMELINE_KEY_SUFFIXES.z,
      TIMELINE_KEY_SUFFIXES.p,
      TIMELINE_KEY_SUFFIXES.v,
      TIMELINE_KEY_SUFFIXES.mk,
      TIMELINE_KEY_SUFFIXES.marker,
    ]);
    const k = timelineKeys('sf', 'feed:1');
    assert.deepEqual(k, {
      z: `sf:{feed:1}${TIMELINE_KEY_SUFFIXES.z}`,
      p: `sf:{feed:1}${TIMELINE_KEY_SUFFIXES.p}`,
      v: `sf:{feed:1}${TIMELINE_KEY_SUFFIXES.v}`,
      mk: `sf:{feed:1}${TIMELINE_KEY_SUFFIXES.mk}`,
    });
    assert.equal(markerKey(k, 'unseen'), `sf:{feed:1}${TIMELINE_KEY_SUFFIXES.marker}unseen`);
  });

  it('the ZSET key parts of the id-only fan-out scripts build the keys timelineKeys names', () => {
    const { head, tail } = zKeyParts('app:sf');
    for (const feedKey of ['feed:1', 'f:{1}', '100%', 'é:鍵']) {
      const z = timelineKeys('app:sf', feedKey).z;
      assert.equal(head + escapeTag(feedKey) + tail, z, feedKey);
      assert.equal(timelineZKey('app:sf', feedKey), z, feedKey);
    }
    // Joined and escaped at once, each key as escapeTag alone; a NUL in a key cannot be joined.
    assert.equal(joinedTags(['f:{1}', '100%', 'x']), 'f:%7B1%7D\u0000100%25\u0000x');
    assert.equal(joinedTags(['a', 'b\u0000c']), undefined);
  });
});
