/**
 * Options objects: every factory and call of the library rejects a non-object and any key it does
 * not know (a typo such as `maxlength` must not be silently ignored).
 * @module
 */
import { ValidationError } from '../errors.js';
import { describe, show } from './show.js';

/** Where an options object sits and what became of removed keys, for {@link checkOptions}' errors. */
export interface OptionsPlace {
  /** Path of a nested options object, e.g. `'limits'`: errors name `limits.maxPageSiz`. */
  readonly path?: string | undefined;
  /** Keys that were removed or moved, each with what to use instead (told in the error). */
  readonly moved?: Readonly<Record<string, string>> | undefined;
}

/**
 * Checks an options object: `undefined` gives `{}` when `optional`; anything that is not a plain
 * object, or that has a key outside `keys`, throws `INVALID_OPTION` naming `where` and the key's
 * path (`details.option`, e.g. `limits.maxPageSiz` for a nested object at `place.path`). A key of
 * `place.moved` is refused with what to use instead. Only own enumerable keys are read. Returns
 * the object, typed as `T`.
 * @example
 * const o = checkOptions<FlatFeedOptions>(options, FLAT_KEYS, 'defineFlatFeed');
 */
export function checkOptions<T extends object>(
  options: unknown,
  keys: ReadonlySet<string> | readonly string[],
  where: string,
  optional = false,
  place?: OptionsPlace,
): Partial<T> {
  if (options === undefined && optional) return {};
  const prefix = place?.path === undefined ? '' : `${place.path}.`;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const what = prefix === '' ? 'options' : `option ${place?.path}`;
    throw new ValidationError(
      'INVALID_OPTION',
      `${where}: ${what} must be an object, got ${describe(options)}`,
      prefix === '' ? undefined : { details: { option: place?.path } },
    );
  }
  // No allocation per call: this runs on every write and read (per call, not per entry).
  const set = keys instanceof Set ? keys : undefined;
  for (const key in options) {
    if (!Object.hasOwn(options, key)) continue; // for...in also yields inherited keys
    if (set ? set.has(key) : (keys as readonly string[]).includes(key)) continue;
    const instead = place?.moved && Object.hasOwn(place.moved, key) ? place.moved[key] : undefined;
    throw new ValidationError(
      'INVALID_OPTION',
      instead === undefined
        ? `${where}: unknown option ${show(prefix + key)}; known: ${[...keys].join(', ')}`
        : `${where}: option ${show(prefix + key)} was removed; ${instead}`,
      { details: { option: prefix + key } },
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
