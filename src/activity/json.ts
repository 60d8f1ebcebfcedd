import { ValidationError } from '../errors.js';
import { describe } from './ids.js';

/** A JSON value: what extra data may contain. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };
/** A JSON object: the default type of an activity's extra data. */
export type JsonObject = { [key: string]: JsonValue };
/**
 * What an activity's extra data type may be: any object type, `type` aliases and `interface`s
 * alike (an interface has no index signature, so `extends JsonObject` would refuse it). The
 * values must still be JSON: `createActivity` and every read check them at run time
 * (`INVALID_EXTRA`).
 */
export type ExtraData = object;

/** Deepest accepted nesting of extra data. */
export const MAX_JSON_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Validates that `value` is a plain JSON object and returns a deep copy of it. Rejects functions,
 * symbols, BigInt, non-finite numbers, class instances (Date, Map...), cycles, nesting deeper than
 * {@link MAX_JSON_DEPTH}, the prototype-pollution keys `__proto__`, `constructor`, `prototype` and
 * holes in arrays (sparse arrays, which JSON would turn into `null`). Object properties whose
 * value is `undefined` are dropped, as JSON.stringify does, and `-0` becomes `0`, as JSON writes
 * it: the copy is exactly what a serializer stores and reads back.
 */
export function copyJsonObject(value: unknown, field = 'extra'): JsonObject {
  if (!isPlainObject(value)) {
    throw new ValidationError(
      'INVALID_EXTRA',
      `${field} must be a plain JSON object, got ${describe(value)}`,
      { details: { field } },
    );
  }
  return copy(value, field, 0, new Set()) as JsonObject;
}

function copy(value: unknown, path: string, depth: number, seen: Set<object>): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value === 0 ? 0 : value; // -0 is written as 0: keep 0
      throw invalid(path, `a non-finite number (${value})`);
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_JSON_DEPTH) {
        throw new ValidationError(
          'INVALID_EXTRA',
          `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`,
          { details: { field: path, limit: MAX_JSON_DEPTH } },
        );
      }
      if (seen.has(value)) throw invalid(path, 'a circular reference');
      seen.add(value);
      let out: JsonValue;
      if (Array.isArray(value)) {
        const list: JsonValue[] = [];
        for (let i = 0; i < value.length; i++) {
          // JSON writes a hole as null: the stored array would differ from the accepted one.
          if (!(i in value)) throw invalid(`${path}[${i}]`, 'a hole (a sparse array)');
          const item: unknown = value[i];
          if (item === undefined) throw invalid(`${path}[${i}]`, 'undefined');
          list.push(copy(item, `${path}[${i}]`, depth + 1, seen));
        }
        out = list;
      } else if (isPlainObject(value)) {
        const obj: { [key: string]: JsonValue } = {};
        for (const key of Object.keys(value)) {
          if (FORBIDDEN_KEYS.has(key)) {
            throw new ValidationError(
              'INVALID_EXTRA',
              `${path} contains the forbidden key ${JSON.stringify(key)}`,
              { details: { field: path, key } },
            );
          }
          const item = (value as Record<string, unknown>)[key];
          if (item === undefined) continue;
          obj[key] = copy(item, `${path}.${key}`, depth + 1, seen);
        }
        out = obj;
      } else {
        throw invalid(path, describe(value));
      }
      seen.delete(value);
      return out;
    }
    default:
      throw invalid(path, describe(value));
  }
}

function invalid(path: string, what: string): ValidationError {
  return new ValidationError('INVALID_EXTRA', `${path} must be plain JSON, found ${what}`, {
    details: { field: path },
  });
}

/** True for `{}`-literal objects and `Object.create(null)` objects. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
