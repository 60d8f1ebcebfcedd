// Internal helpers of the Redis structures: codecs, option checks and reply parsing. Replies are
// read defensively because the caller owns the client: RESP2 or RESP3, legacy or `resp3` reply
// mapping, `stringNumbers` on or off all change their JavaScript shape.
import { BackendError, SerializationError, ValidationError } from '../../../errors.js';
import { isWellFormed } from '../../../validation/names.js';
import { checkOptions } from '../../../validation/options.js';
import { intValue } from '../../../validation/values.js';
import type { ValueCodec } from './types.js';

/**
 * Refuses options that are not an object, or that hold a key other than the shared ones (`client`,
 * `key`, `encode`, `decode`) and the structure's `own`: `INVALID_OPTION` naming the factory.
 */
export function checkStructureOptions(
  options: unknown,
  own: readonly string[],
  where: string,
): void {
  checkOptions(options, ['client', 'key', 'encode', 'decode', ...own], where);
}

/** A codec whose errors are {@link SerializationError}s naming the structure and key. */
export function resolveCodec<V>(options: Partial<ValueCodec<V>>, where: string): ValueCodec<V> {
  const { encode, decode } = options;
  return {
    encode(value) {
      let raw: unknown;
      try {
        raw = encode ? encode(value) : value;
      } catch (cause) {
        throw new SerializationError(`${where}: encode failed`, { cause });
      }
      if (typeof raw !== 'string') {
        throw new SerializationError(`${where}: values must encode to strings, got ${typeof raw}`);
      }
      return raw;
    },
    decode(raw) {
      if (!decode) return raw as V;
      try {
        return decode(raw);
      } catch (cause) {
        throw new SerializationError(`${where}: decode failed`, { cause });
      }
    },
  };
}

/**
 * Throws `INVALID_OPTION` unless `key` is a non-empty, well-formed string (UTF-8 would turn a lone
 * surrogate into U+FFFD, so `'a\ud800'` and `'a\udbff'` would name the same Redis key).
 */
export function assertKey(key: unknown, where: string): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ValidationError('INVALID_OPTION', `${where}: key must be a non-empty string`, {
      details: { option: 'key' },
    });
  }
  if (!isWellFormed(key)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${where}: key contains a lone surrogate (not well-formed UTF-16)`,
      { details: { option: 'key' } },
    );
  }
}

/**
 * Throws `INVALID_OPTION` unless `value` is an integer of at least `min`, and `LIMIT_EXCEEDED`
 * above `max` (the shared integer rule, {@link intValue}).
 */
export function assertInteger(
  value: unknown,
  name: string,
  where: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  intValue(value, { name, where }, min, max);
}

/** An integer reply (a string when the client has `stringNumbers`). */
export function toInteger(reply: unknown): number {
  return typeof reply === 'number' ? reply : Number(reply);
}

/** A score reply: a string under RESP2 or legacy mapping, a number under `resp3` mapping. */
export function toScore(reply: unknown): number {
  if (typeof reply === 'number') return reply;
  const text = String(reply);
  if (text === 'inf' || text === '+inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** A WITHSCORES reply, flat `[m, s, m, s]` (RESP2 shape) or nested `[[m, s]]` (RESP3 shape). */
export function toMemberScores(reply: unknown): [string, number][] {
  const items = reply as unknown[];
  const pairs: [string, number][] = [];
  if (items.length > 0 && Array.isArray(items[0])) {
    for (const item of items as [unknown, unknown][])
      pairs.push([String(item[0]), toScore(item[1])]);
    return pairs;
  }
  for (let i = 0; i + 1 < items.length; i += 2) {
    pairs.push([String(items[i]), toScore(items[i + 1])]);
  }
  return pairs;
}

/** The replies of a MULTI/EXEC or pipeline, throwing the first command error. */
export function execReplies(results: [Error | null, unknown][] | null, where: string): unknown[] {
  if (results === null) throw new BackendError(`${where}: the transaction was aborted`);
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
