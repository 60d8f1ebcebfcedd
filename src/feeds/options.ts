import { show } from '../activity/ids.js';
import { ValidationError } from '../errors.js';

/** Checks an integer option: `min <= value <= max`; throws `INVALID_OPTION` (or `LIMIT_EXCEEDED` above max). */
export function intOption(
  value: unknown,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${name} must be an integer >= ${min}, got ${show(value)}`,
      { details: { option: name } },
    );
  }
  if (value > max) {
    throw new ValidationError('LIMIT_EXCEEDED', `${name} is ${value}; the limit is ${max}`, {
      details: { option: name, limit: max },
    });
  }
  return value;
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

/** Checks a probability in [0, 1]. */
export function chanceOption(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${name} must be a number between 0 and 1, got ${String(value)}`,
      { details: { option: name } },
    );
  }
  return value;
}

/** Throws when a batch is larger than `max`. */
export function checkBatch(length: number, max: number, what: string): void {
  if (length > max) {
    throw new ValidationError(
      'LIMIT_EXCEEDED',
      `${what}: ${length} items in one call; the limit is ${max}`,
      { details: { limit: max } },
    );
  }
}
