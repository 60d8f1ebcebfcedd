/**
 * Options objects: every factory and call of the library rejects a non-object and any key it does
 * not know (a typo such as `maxlength` must not be silently ignored).
 * @module
 */
import { ValidationError } from '../errors.js';
import { describe, show } from './show.js';

/**
 * Checks an options object: `undefined` gives `{}` when `optional`; anything that is not a plain
 * object, or that has a key outside `keys`, throws `INVALID_OPTION` naming `where`. Only own
 * enumerable keys are read. Returns the object, typed as `T`.
 * @example
 * const o = checkOptions<FlatFeedOptions>(options, FLAT_KEYS, 'defineFlatFeed');
 */
export function checkOptions<T extends object>(
  options: unknown,
  keys: ReadonlySet<string> | readonly string[],
  where: string,
  optional = false,
): Partial<T> {
  if (options === undefined && optional) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${where}: options must be an object, got ${describe(options)}`,
    );
  }
  // No allocation per call: this runs on every write and read (per call, not per entry).
  const set = keys instanceof Set ? keys : undefined;
  for (const key in options) {
    if (!Object.hasOwn(options, key)) continue; // for...in also yields inherited keys
    if (set ? set.has(key) : (keys as readonly string[]).includes(key)) continue;
    throw new ValidationError(
      'INVALID_OPTION',
      `${where}: unknown option ${show(key)}; known: ${[...keys].join(', ')}`,
      { details: { option: key } },
    );
  }
  return options as Partial<T>;
}

/**
 * The option keys of an options type, written as an object with every key of `T` set to `true`,
 * so the compiler refuses a list that misses or misspells a key: an option added to the type
 * cannot be forgotten by the strict check (it would be refused as unknown at run time).
 * @example
 * const KEYS = optionKeys<WriteOptions>({ storeActivities: true, trim: true, previous: true });
 */
export function optionKeys<T extends object>(
  keys: { readonly [K in keyof Required<T>]: true },
): readonly string[] {
  return Object.freeze(Object.keys(keys));
}
