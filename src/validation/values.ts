/**
 * Checks of single option values: integers, numbers in a range, booleans, functions, one of a
 * set. Each throws a `ValidationError` (`INVALID_OPTION`, or `LIMIT_EXCEEDED` above a maximum)
 * naming the option; each `...Or` variant returns the fallback for `undefined`.
 * @module
 */
import { ValidationError } from '../errors.js';
import { show } from './show.js';

/** An `INVALID_OPTION` error naming the option. */
export function invalidOption(name: string, message: string): ValidationError {
  return new ValidationError('INVALID_OPTION', `${name} ${message}`, {
    details: { option: name },
  });
}

/** What an integer check names: the name in its messages, its error code and `details` key. */
export interface IntegerSubject {
  /** Its name, e.g. `'limit'` or `'activityCount'`: in the message and in `details`. */
  readonly name: string;
  /** What is checked, prefixed to the message, e.g. `'addGroups'`. */
  readonly where?: string | undefined;
  /** Code of a non-integer or a value below `min`. @default 'INVALID_OPTION' */
  readonly code?: 'INVALID_OPTION' | 'INVALID_ACTIVITY' | undefined;
  /** `details` key naming it. @default 'option' */
  readonly detail?: 'option' | 'field' | undefined;
}

/**
 * Checks an integer `min <= value <= max`: a non-integer or a value below `min` throws
 * `subject.code`, a value above `max` throws `LIMIT_EXCEEDED`. The one integer rule of the
 * library: {@link intOption} for options, and data checks such as group counts, use it.
 */
export function intValue(
  value: unknown,
  subject: IntegerSubject,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const { name, code = 'INVALID_OPTION', detail = 'option' } = subject;
  const shown = subject.where === undefined ? name : `${subject.where}: ${name}`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ValidationError(code, `${shown} must be an integer >= ${min}, got ${show(value)}`, {
      details: { [detail]: name },
    });
  }
  if (value > max) {
    throw new ValidationError('LIMIT_EXCEEDED', `${shown} is ${value}; the limit is ${max}`, {
      details: { [detail]: name, limit: max },
    });
  }
  return value === 0 ? 0 : value; // -0 becomes 0
}

/** Checks an integer option: `min <= value <= max`; throws `INVALID_OPTION` (or `LIMIT_EXCEEDED` above max). */
export function intOption(
  value: unknown,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  return intValue(value, { name }, min, max);
}

/** An optional integer option with a default. */
export function intOptionOr(
  value: unknown,
  fallback: number,
  name: string,
  min: number,
  max?: number,
): number {
  return value === undefined ? fallback : intOption(value, name, min, max);
}

/** Checks a finite number option in `[min, max]`. */
export function numberOption(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw invalidOption(name, `must be a number from ${min} to ${max}, got ${show(value)}`);
  }
  return value === 0 ? 0 : value;
}

/** Checks a probability in [0, 1]. */
export function chanceOption(value: unknown, name: string): number {
  return numberOption(value, name, 0, 1);
}

/** Checks a boolean option (`'no'`, `1` or `null` are not booleans). */
export function boolOption(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean')
    throw invalidOption(name, `must be a boolean, got ${show(value)}`);
  return value;
}

/** An optional boolean option with a default. */
export function boolOptionOr(value: unknown, fallback: boolean, name: string): boolean {
  return value === undefined ? fallback : boolOption(value, name);
}

/** Checks a function option. */
// biome-ignore lint/complexity/noBannedTypes: any function type the caller names
export function fnOption<F extends Function>(value: unknown, name: string): F {
  if (typeof value !== 'function') {
    throw invalidOption(name, `must be a function, got ${show(value)}`);
  }
  return value as F;
}

/** An optional function option with a default (which may be undefined). */
// biome-ignore lint/complexity/noBannedTypes: any function type the caller names
export function fnOptionOr<F extends Function, D extends F | undefined>(
  value: unknown,
  fallback: D,
  name: string,
): F | D {
  return value === undefined ? fallback : fnOption<F>(value, name);
}

/** Checks that an option is one of the listed values. */
export function oneOfOption<const T extends string | number | boolean>(
  value: unknown,
  allowed: readonly T[],
  name: string,
): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw invalidOption(name, `must be one of ${allowed.map(show).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}
