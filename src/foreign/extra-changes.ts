/**
 * Checks and applies an {@link ExtraChanges} patch to an activity's `extra`: top-level keys only,
 * JSON values (the same copy as `createActivity`: no `__proto__`, no cycles, no holes), bounded
 * in count and key length. Nothing but `extra` can change.
 * @module
 */
import {
  copyJsonObject,
  type ExtraData,
  isPlainObject,
  type JsonObject,
} from '../activity/json.js';
import { ValidationError } from '../errors.js';
import { isWellFormed } from '../validation/names.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { show } from '../validation/show.js';
import type { ExtraChanges } from './types.js';

/** Most keys one patch may set and unset together. */
export const MAX_CHANGED_KEYS = 1000;
/** Longest key, in UTF-16 code units. */
export const MAX_EXTRA_KEY_LENGTH = 256;

const CHANGE_KEYS = new Set(optionKeys<ExtraChanges>({ set: true, unset: true }));
const FIXED =
  'only extra keys change here (set, unset); actor, verb, object, target, time, foreignId, id ' +
  'and to define the activity: use updateUserActivity, or remove it and add another';
const MOVED: Readonly<Record<string, string>> = Object.fromEntries(
  ['actor', 'verb', 'object', 'target', 'time', 'foreignId', 'id', 'to', 'extra'].map((k) => [
    k,
    FIXED,
  ]),
);
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A checked patch: what to set (a JSON copy) and which keys to remove. */
export interface CheckedChanges {
  readonly set: JsonObject;
  readonly unset: readonly string[];
}

/** Checks a patch before anything is read or written; throws a ValidationError. */
export function checkExtraChanges(changes: unknown, where: string): CheckedChanges {
  const o = checkOptions<ExtraChanges>(changes, CHANGE_KEYS, where, false, { moved: MOVED });
  const rawSet: unknown = o.set;
  if (isPlainObject(rawSet) && Object.keys(rawSet).length > MAX_CHANGED_KEYS) {
    throw tooMany(Object.keys(rawSet).length);
  }
  const set = rawSet === undefined ? {} : copyJsonObject(rawSet, 'set');
  const unset = o.unset === undefined ? [] : unsetKeys(o.unset);
  const keys = [...Object.keys(set), ...unset];
  if (keys.length > MAX_CHANGED_KEYS) throw tooMany(keys.length);
  const seen = new Set<string>();
  for (const key of keys) {
    checkKey(key, where);
    if (seen.has(key)) {
      throw new ValidationError(
        'INVALID_EXTRA',
        `${where}: key ${show(key)} is both set and unset (or unset twice)`,
        { details: { field: key } },
      );
    }
    seen.add(key);
  }
  return { set, unset };
}

function unsetKeys(value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw new ValidationError('INVALID_EXTRA', 'unset must be an array of extra keys', {
      details: { field: 'unset' },
    });
  }
  if (value.length > MAX_CHANGED_KEYS) throw tooMany(value.length);
  return Array.from(value, (key: unknown) => {
    if (typeof key !== 'string') {
      throw new ValidationError('INVALID_EXTRA', `unset keys must be strings, got ${show(key)}`, {
        details: { field: 'unset' },
      });
    }
    return key;
  });
}

function tooMany(count: number): ValidationError {
  return new ValidationError(
    'LIMIT_EXCEEDED',
    `${count} extra keys changed in one call; the limit is ${MAX_CHANGED_KEYS}`,
    { details: { limit: MAX_CHANGED_KEYS } },
  );
}

function checkKey(key: string, where: string): void {
  if (
    key.length === 0 ||
    key.length > MAX_EXTRA_KEY_LENGTH ||
    !isWellFormed(key) ||
    FORBIDDEN.has(key)
  ) {
    throw new ValidationError(
      'INVALID_EXTRA',
      `${where}: extra keys must be 1-${MAX_EXTRA_KEY_LENGTH} well-formed characters and not __proto__, constructor or prototype, got ${show(key)}`,
      { details: { field: key.slice(0, 80) } },
    );
  }
}

/** The extra data after the patch: a fresh object, keys in their old order, new keys last. */
export function applyExtraChanges<E extends ExtraData>(extra: E, changes: CheckedChanges): E {
  const out: Record<string, unknown> = {};
  const removed = new Set(changes.unset);
  for (const [key, value] of Object.entries(extra)) {
    if (!removed.has(key)) out[key] = value;
  }
  for (const [key, value] of Object.entries(changes.set)) out[key] = value;
  return out as E;
}
