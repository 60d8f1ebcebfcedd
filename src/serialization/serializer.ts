import type { Activity } from '../activity/activity.js';
import type { ExtraData } from '../activity/json.js';
import type { GroupRecord } from '../aggregation/group.js';

/** Where a payload came from, so decode errors can name it. */
export interface DecodeContext {
  /** Storage key (feed key, hash key...) the payload was read from. */
  readonly key?: string | undefined;
  /**
   * Entry or activity id the payload was stored under. Required to decode a `'keyed'` activity
   * payload (see {@link ActivityForm}), which does not repeat the id.
   */
  readonly id?: string | undefined;
}

/**
 * How much of an activity a payload must carry:
 *
 * - `'full'`: self-contained, it holds the activity's id and time (task payloads, group members);
 * - `'keyed'`: for payloads stored under the activity id and always decoded with it as
 *   `context.id` (activity storage, denormalized flat-feed entries). It may omit what the storage
 *   key gives back: the id, and the time when it equals the time encoded in the id.
 *
 * A serializer may ignore the form and always write full payloads; every serializer must decode
 * whatever it wrote in either form, and full payloads written by earlier versions.
 */
export type ActivityForm = 'full' | 'keyed';

/**
 * Turns activities and aggregated groups into opaque string payloads and back. Storage backends
 * only see these strings. Implementations must be deterministic and must throw
 * {@link SerializationError} for anything they cannot read.
 */
export interface Serializer {
  /** Name recorded in logs and docs, e.g. `'json-v1'`. */
  readonly name: string;
  /**
   * Encodes an activity. `form` (default `'full'`) says whether the payload may omit what the
   * storage key gives back ({@link ActivityForm}); custom serializers may ignore it and always
   * write full payloads. Throws a `ValidationError` (e.g. `INVALID_ACTIVITY` for a value that
   * is not an activity, `LIMIT_EXCEEDED`) for an activity it will not store.
   */
  encodeActivity<E extends ExtraData>(activity: Activity<E>, form?: ActivityForm): string;
  /**
   * Decodes a payload of either form. A keyed payload needs `context.id`, the activity id it was
   * stored under; without it, or for anything unreadable, throws {@link SerializationError}.
   */
  decodeActivity<E extends ExtraData>(payload: string, context?: DecodeContext): Activity<E>;
  /**
   * Encodes an aggregated group; its members keep full activities (they need their ids). Throws a
   * `StreamFrameworkError` for a group its `decodeGroup` could not read back: what it writes decodes.
   */
  encodeGroup<E extends ExtraData>(group: GroupRecord<E>): string;
  /** Decodes what {@link Serializer.encodeGroup} wrote; throws {@link SerializationError} otherwise. */
  decodeGroup<E extends ExtraData>(payload: string, context?: DecodeContext): GroupRecord<E>;
}
