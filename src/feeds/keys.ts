import { assertId, type Id } from '../activity/ids.js';

const UNSAFE = /[%:{}*?[\]\\\s\p{Cc}]/gu;
/** {@link UNSAFE} without the global flag, to test a user id (no state between calls). */
const HAS_UNSAFE = new RegExp(UNSAFE.source, 'u');

/**
 * Escapes a user id for use inside a storage key: `%`, `:`, `{`, `}`, `*`, `?`, `[`, `]`, `\`,
 * whitespace and control characters become `%XX` (or `%uXXXX`). The mapping is injective, so
 * two different user ids never produce the same key, and no id can reach outside its key.
 */
export function escapeKeyPart(value: string): string {
  // Most ids have nothing to escape: a test is about 4x cheaper than a replace that finds nothing.
  if (!HAS_UNSAFE.test(value)) return value;
  return value.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `%${code.toString(16).padStart(2, '0').toUpperCase()}`
      : `%u${code.toString(16).padStart(4, '0').toUpperCase()}`;
  });
}

/** Validates a user id and returns its string form (feed keys use strings: `1` and `'1'` are one user). */
export function userIdString(userId: Id, field = 'userId'): string {
  return String(assertId(userId, field));
}

export { assertFeedName } from '../validation/names.js';

/** The default key of a feed: `feed name` + `:` + escaped user id. */
export function defaultFeedKey(name: string, userId: string): string {
  return `${name}:${escapeKeyPart(userId)}`;
}
