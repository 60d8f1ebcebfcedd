import { ValidationError } from '../errors.js';

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
