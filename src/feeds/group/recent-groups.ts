/**
 * The groups a group feed writer encoded last, by payload, bounded by characters. Internal to the
 * feeds layer (see `createGroupWriter`).
 * @module
 */
import type { ExtraData } from '../../activity/json.js';
import type { GroupRecord } from '../../aggregation/group.js';

/** Default bound of a {@link RecentGroups} cache, in payload characters (about 2 MB of strings). */
export const DEFAULT_GROUP_CACHE_CHARACTERS = 2 ** 20;

/**
 * The decoded group each slot (a feed key and group id) was last encoded to, with its payload:
 * when a storage hands back the very payload it was given (the memory backend and the Redis update
 * cache do), a merge reuses the record instead of parsing and validating it again. Payloads are
 * deterministic, so equal strings mean equal records. Slots are short strings, so a lookup hashes
 * a few characters instead of a payload of kilobytes, and the payload comparison is usually one of
 * the very string the writer made. The characters of the payloads held never exceed
 * `maxCharacters`; the least recently stored are forgotten first; a bound of 0 keeps nothing, and
 * a payload larger than the bound is never kept.
 */
export class RecentGroups<E extends ExtraData> {
  readonly #max: number;
  readonly #groups = new Map<string, { payload: string; record: GroupRecord<E> }>();
  #characters = 0;

  /** @param maxCharacters - bound on the characters of the payloads held; 0 turns the cache off. */
  constructor(maxCharacters: number) {
    this.#max = maxCharacters;
  }

  /** Characters of the payloads held now (its own accounting, for tests and metrics). */
  get characters(): number {
    return this.#characters;
  }

  /** Groups held now. */
  get size(): number {
    return this.#groups.size;
  }

  /** The record `slot` was last encoded to, if that was `payload`. */
  get(slot: string, payload: string): GroupRecord<E> | undefined {
    if (this.#max === 0) return undefined;
    const held = this.#groups.get(slot);
    return held !== undefined && held.payload === payload ? held.record : undefined;
  }

  /** Remembers that `record` was encoded to `payload` in `slot`, forgetting the oldest beyond the bound. */
  set(slot: string, payload: string, record: GroupRecord<E>): void {
    if (payload.length > this.#max) return;
    this.#forget(slot);
    this.#groups.set(slot, { payload, record });
    this.#characters += payload.length;
    while (this.#characters > this.#max) {
      this.#forget(this.#groups.keys().next().value as string);
    }
  }

  #forget(slot: string): void {
    const held = this.#groups.get(slot);
    if (held === undefined) return;
    this.#groups.delete(slot);
    this.#characters -= held.payload.length;
  }
}
