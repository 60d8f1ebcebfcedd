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
