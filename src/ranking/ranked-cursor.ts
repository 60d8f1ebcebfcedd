/**
 * The page cursor of a ranked feed: where the previous page ended in the ranked order, plus what
 * keeps the order stable between pages (the window's newest id and the ranking's `now`).
 * @module
 */
import { isEntryId } from '../storage/argument-checks.js';
import { show } from '../validation/show.js';
import { invalidOption } from '../validation/values.js';

/** A decoded ranked-feed cursor. */
export interface RankedPosition {
  /** Newest id of the window the first page ranked: later pages rank the same window. */
  readonly top: string;
  /** The `now` (ms) every page of this reading passes to `score`. */
  readonly now: number;
  /** Score of the previous page's last item. */
  readonly score: number;
  /** Id of the previous page's last item (ties are ordered by id, newest first). */
  readonly id: string;
}

const VERSION = 1;
/** Two 64-character ids, a time and a double, as base64url JSON, stay far below this. */
const MAX_CURSOR_LENGTH = 512;

/**
 * Encodes a position as an opaque cursor: base64url of a small JSON array (ASCII only, since ids
 * are; `btoa`, not Node's Buffer, so the core runs wherever the library does).
 */
export function encodeRankedCursor(position: RankedPosition): string {
  const { top, now, score, id } = position;
  const base64 = btoa(JSON.stringify([VERSION, top, now, score, id]));
  return base64.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Decodes a cursor of {@link encodeRankedCursor}; throws `INVALID_OPTION` for anything else. */
export function decodeRankedCursor(cursor: unknown): RankedPosition {
  if (typeof cursor === 'string' && cursor.length <= MAX_CURSOR_LENGTH) {
    let value: unknown;
    try {
      value = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')));
    } catch {
      value = undefined;
    }
    if (Array.isArray(value) && value.length === 5) {
      const [version, top, now, score, id] = value as unknown[];
      if (
        version === VERSION &&
        typeof top === 'string' &&
        isEntryId(top) &&
        Number.isSafeInteger(now) &&
        typeof score === 'number' &&
        Number.isFinite(score) &&
        typeof id === 'string' &&
        isEntryId(id)
      ) {
        return { top, now: now as number, score, id };
      }
    }
  }
  throw invalidOption('cursor', `of a ranked feed is malformed: ${show(cursor)}`);
}
