/**
 * The read fast path of the keyed activity form: the payloads the library writes for a plain
 * activity (`[1,actor,verb,object]`, then an optional target and flat extra) read in one pass
 * over the characters, without `JSON.parse` and the intermediate array. Internal to the JSON
 * serializer.
 *
 * It only ever answers for payloads inside a strict subset of JSON, where it gives exactly what
 * `JSON.parse` followed by the keyed decoder's checks gives: the text is
 * `[1,` ACTOR `,` VERB `,` OBJECT (`,` TARGET (`,` EXTRA)?)? `]` with nothing before or after
 * and no whitespace; ids (actor, object, target) are non-negative integers of at most 15 digits
 * without a leading zero (all safe integers, read exactly) or non-empty strings; the verb a
 * non-empty string; the target may be `null`; extra is `null` or a flat object whose values are
 * such integers, strings, `true`, `false` or `null`, and whose keys are not `__proto__`,
 * `constructor` or `prototype`. A string is anything between two quotes holding no backslash and
 * no control character (below U+0020), so its text is its value. Everything else (a foreignId,
 * `to` or time element, negative or decimal numbers, escapes, nested extra, a corrupt payload of
 * any kind) is left to the general path, which parses with `JSON.parse` and names what is wrong.
 * Reading stops at the first character outside the subset, so a payload is never read past its
 * end, and a page's payloads are read one by one (no text of one payload can be taken for
 * another's). A string of 13 characters or more is a slice of its payload (V8 keeps the payload
 * while the activity lives; JSON.parse would copy): a decoded activity holds at most its payload
 * more, and only while it is referenced.
 * @module
 */
import { charCodeAt } from '../util/char-code.js';

/** The fields read by {@link readPlainKeyed}: one record, overwritten by every call. */
export interface PlainKeyed {
  actor: string | number;
  verb: string;
  object: string | number;
  target: string | number | undefined;
  extra: Record<string, unknown> | undefined;
}

// String methods called through the builtins (see util/char-code.ts: in a process that loaded
// ioredis, a method looked up on the string is not inlined).
const { slice, startsWith } = String.prototype;

const fields: PlainKeyed = {
  actor: 0,
  verb: '',
  object: 0,
  target: undefined,
  extra: undefined,
};

// Character codes.
const QUOTE = 34;
const COMMA = 44;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const SPACE = 32;

/** Longest integer read here: 15 digits are below 2^53, so every one is a safe integer. */
const MAX_DIGITS = 15;

/** Where the last token read ended (the index after it): set by the token readers. */
const cursor = { end: 0 };

/**
 * The string starting with the quote at `from` (its value is its text: no backslash, no control
 * character), `cursor.end` after its closing quote; `undefined` otherwise.
 */
function stringAt(s: string, from: number): string | undefined {
  for (let i = from + 1; i < s.length; i++) {
    const c = charCodeAt(s, i);
    if (c === QUOTE) {
      cursor.end = i + 1;
      return slice.call(s, from + 1, i);
    }
    if (c < SPACE || c === BACKSLASH) return undefined;
  }
  return undefined;
}

/**
 * The integer starting at `from` (JSON digits: no leading zero, at most {@link MAX_DIGITS}),
 * `cursor.end` after its last digit; -1 otherwise. The caller checks the character after it.
 */
function integerAt(s: string, from: number): number {
  let i = from;
  let n = 0;
  for (let c = charCodeAt(s, i); c >= ZERO && c <= NINE; c = charCodeAt(s, ++i))
    n = n * 10 + c - ZERO;
  const digits = i - from;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && charCodeAt(s, from) === ZERO))
    return -1;
  cursor.end = i;
  return n;
}

/** An actor, object or target id at `from` (a non-empty string or an integer); else undefined. */
function idAt(s: string, from: number): string | number | undefined {
  if (charCodeAt(s, from) === QUOTE) {
    const text = stringAt(s, from);
    return text === undefined || text.length === 0 ? undefined : text;
  }
  const n = integerAt(s, from);
  return n < 0 ? undefined : n;
}

/** Whether the text at `from` is `word`; `cursor.end` after it then. */
function wordAt(s: string, from: number, word: string): boolean {
  if (!startsWith.call(s, word, from)) return false;
  cursor.end = from + word.length;
  return true;
}

/** A value of flat extra at `from`: an integer, a string, true, false or null; else undefined. */
function scalarAt(s: string, from: number): unknown {
  const c = charCodeAt(s, from);
  if (c === QUOTE) return stringAt(s, from);
  if (c >= ZERO && c <= NINE) {
    const n = integerAt(s, from);
    return n < 0 ? undefined : n;
  }
  if (wordAt(s, from, 'true')) return true;
  if (wordAt(s, from, 'false')) return false;
  if (wordAt(s, from, 'null')) return null;
  return undefined;
}

/**
 * The keys of the last objects read, by place: the extra of a feed's activities mostly has the
 * same keys in the same order, and an object gets its properties faster by the string it had them
 * by (no new string to look up in V8's table of property names).
 */
const recentKeys: string[] = [];
const RECENT_KEYS = 8;

/** The flat extra object at `from` (its `{`), `cursor.end` after its `}`; undefined otherwise. */
function flatObjectAt(s: string, from: number): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let i = from + 1;
  if (charCodeAt(s, i) === CLOSE_BRACE) {
    cursor.end = i + 1;
    return out;
  }
  for (let n = 0; ; n++) {
    if (charCodeAt(s, i) !== QUOTE) return undefined;
    // The key read at the same place of the previous object, when the text holds it again: the
    // same characters up to the first quote are the same string, checked already.
    const known = n < RECENT_KEYS ? recentKeys[n] : undefined;
    let key: string | undefined;
    if (
      known !== undefined &&
      startsWith.call(s, known, i + 1) &&
      charCodeAt(s, i + 1 + known.length) === QUOTE
    ) {
      key = known;
      cursor.end = i + 2 + known.length;
    } else {
      key = stringAt(s, i);
      // The forbidden keys are the general path's to refuse (an assignment to __proto__ would
      // even set the prototype, where JSON.parse makes an own property).
      if (key === undefined || key === '__proto__' || key === 'constructor' || key === 'prototype')
        return undefined;
      if (n < RECENT_KEYS) recentKeys[n] = key;
    }
    if (charCodeAt(s, cursor.end) !== COLON) return undefined;
    const value = scalarAt(s, cursor.end + 1);
    if (value === undefined) return undefined;
    out[key] = value; // a repeated key: the last value in the first place, as JSON.parse does
    const next = charCodeAt(s, cursor.end);
    i = cursor.end + 1;
    if (next === CLOSE_BRACE) {
      cursor.end = i;
      return out;
    }
    if (next !== COMMA) return undefined;
  }
}

/**
 * Reads a keyed payload of the subset described above ({@link PlainKeyed}); the record is
 * overwritten by the next call, so read it at once. Returns undefined (and the caller takes the
 * general path) for any other text.
 */
export function readPlainKeyed(s: string): PlainKeyed | undefined {
  // "[1," then the three required fields.
  if (charCodeAt(s, 0) !== OPEN_BRACKET || charCodeAt(s, 1) !== 49 || charCodeAt(s, 2) !== COMMA)
    return undefined;
  const actor = idAt(s, 3);
  if (
    actor === undefined ||
    charCodeAt(s, cursor.end) !== COMMA ||
    charCodeAt(s, cursor.end + 1) !== QUOTE
  )
    return undefined;
  const verb = stringAt(s, cursor.end + 1);
  if (verb === undefined || verb.length === 0 || charCodeAt(s, cursor.end) !== COMMA)
    return undefined;
  const object = idAt(s, cursor.end + 1);
  if (object === undefined) return undefined;
  let target: string | number | undefined;
  let extra: Record<string, unknown> | undefined;
  let at = cursor.end;
  if (charCodeAt(s, at) === COMMA) {
    if (wordAt(s, at + 1, 'null')) target = undefined;
    else {
      target = idAt(s, at + 1);
      if (target === undefined) return undefined;
    }
    at = cursor.end;
    if (charCodeAt(s, at) === COMMA) {
      if (charCodeAt(s, at + 1) === OPEN_BRACE) {
        extra = flatObjectAt(s, at + 1);
        if (extra === undefined) return undefined;
      } else if (!wordAt(s, at + 1, 'null')) return undefined;
      at = cursor.end;
    }
  }
  // The closing bracket ends the text: a foreignId, to or time element is the general path's.
  if (charCodeAt(s, at) !== CLOSE_BRACKET || at + 1 !== s.length) return undefined;
  fields.actor = actor;
  fields.verb = verb;
  fields.object = object;
  fields.target = target;
  fields.extra = extra;
  return fields;
}
