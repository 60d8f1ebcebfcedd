/**
 * How error messages show values: short, typed, and never throwing (BigInt, cycles, throwing
 * getters). Every validation message of the library goes through these two functions.
 * @module
 */

/** Short human description of a value's type for error messages. Never throws. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = constructorName(value);
    return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
  }
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

/**
 * A value as error messages show it: strings quoted (cut at 40 characters), numbers, booleans,
 * null and undefined as themselves, anything else described by type. Unlike `JSON.stringify`, it
 * never throws (BigInt, circular objects) and never prints a whole object.
 */
export function show(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null ||
    value === undefined
  ) {
    return Object.is(value, -0) ? '-0' : String(value);
  }
  return describe(value);
}

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** The constructor name of an object, if it has a usable one (a string). */
function constructorName(value: object): string | undefined {
  try {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined; // a throwing getter
  }
}
