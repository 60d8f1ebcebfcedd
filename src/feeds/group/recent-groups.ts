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
 * Decoded groups by the payload they were encoded to: when a storage hands back the very payload
 * it was given (the memory backend and the Redis update cache do), a merge reuses the record
 * instead of parsing and validating it again. Payloads are deterministic, so equal strings mean
 * equal records. The characters of the payloads held (each key is held once, and its record is
 * about as large) never exceed `maxCharacters`; the least recently stored are forgotten first; a
 * bound of 0 keeps nothing, and a payload larger than the bound is never kept.
 */
export class RecentGroups<E extends ExtraData> {
  readonly #max: number;
  readonly #groups = new Map<string, GroupRecord<E>>();
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

  /** The record encoded to `payload`, if held. */
  get(payload: string): GroupRecord<E> | undefined {
    return this.#max === 0 ? undefined : this.#groups.get(payload);
  }

  /** Remembers that `record` was encoded to `payload`, forgetting the oldest beyond the bound. */
  set(payload: string, record: GroupRecord<E>): void {
    if (payload.length > this.#max || this.#groups.has(payload)) return;
    this.#groups.set(payload, record);
    this.#characters += payload.length;
    while (this.#characters > this.#max) {
      const oldest = this.#groups.keys().next().value as string;
      this.#groups.delete(oldest);
      this.#characters -= oldest.length;
    }
  }
}
