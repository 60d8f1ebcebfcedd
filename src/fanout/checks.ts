/**
 * The argument checks of the fan-out policy modules: each throws `INVALID_OPTION` with the
 * message `<where>: <name> must be ...` and `details.option` set to the bare name.
 * @module
 */
import { ValidationError } from '../errors.js';
import { show } from '../validation/show.js';

/** An `INVALID_OPTION` error: `<where>: <name> <message>`, `details.option` = `name`. */
export function invalidArgument(where: string, name: string, message: string): ValidationError {
  return new ValidationError('INVALID_OPTION', `${where}: ${name} ${message}`, {
    details: { option: name },
  });
}

/** Checks a finite time in ms (any sign: times before 1970 are times). */
export function checkTime(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidArgument(where, name, `must be a finite time in ms, got ${show(value)}`);
  }
  return value;
}

/** Checks a finite number >= 0, such as a rate in events per day. */
export function checkNonNegative(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(where, name, `must be a finite number >= 0, got ${show(value)}`);
  }
  return value === 0 ? 0 : value; // -0 becomes 0
}

/** Checks a finite number > 0, such as a cost or a half-life. */
export function checkPositive(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) {
    throw invalidArgument(where, name, `must be a finite number > 0, got ${show(value)}`);
  }
  return value;
}

/** Checks an integer >= 0 (a count); with `infinite`, `Infinity` ("no limit") passes too. */
export function checkCount(value: unknown, where: string, name: string, infinite = false): number {
  const ok =
    typeof value === 'number' &&
    value >= 0 &&
    (Number.isSafeInteger(value) || (infinite && value === Number.POSITIVE_INFINITY));
  if (!ok) {
    const what = infinite ? 'an integer >= 0 or Infinity' : 'an integer >= 0';
    throw invalidArgument(where, name, `must be ${what}, got ${show(value)}`);
  }
  return value === 0 ? 0 : value;
}

/** Checks a number >= 0 that may be `Infinity` ("no limit"), such as a rate or a day limit. */
export function checkLimit(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !(value >= 0)) {
    throw invalidArgument(where, name, `must be a number >= 0 or Infinity, got ${show(value)}`);
  }
  return value === 0 ? 0 : value;
}
