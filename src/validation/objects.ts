/**
 * Options that are objects with methods: a serializer, a client, a verb registry... Each check
 * throws `INVALID_OPTION` naming the option.
 * @module
 */
import { show } from './show.js';
import { invalidOption } from './values.js';

/**
 * Checks an option that must be an object with these methods (a serializer, a storage part, a
 * verb registry...); returns it typed. Throws `INVALID_OPTION` naming the option.
 */
export function objectOption<T>(
  value: unknown,
  name: string,
  methods: readonly string[],
  example: string,
): T {
  const ok =
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  if (!ok) {
    throw invalidOption(
      name,
      `must be ${example} (with ${methods.join(', ')}), got ${show(value)}`,
    );
  }
  return value as T;
}
