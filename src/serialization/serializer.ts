import type { Activity } from '../activity/activity.js';
import type { JsonObject } from '../activity/json.js';
import type { GroupRecord } from '../aggregation/group.js';

/** Where a payload came from, so decode errors can name it. */
export interface DecodeContext {
  /** Storage key (feed key, hash key...) the payload was read from. */
  readonly key?: string | undefined;
  /** Entry or activity id the payload was stored under. */
  readonly id?: string | undefined;
}

/**
 * Turns activities and aggregated groups into opaque string payloads and back. Storage backends
 * only see these strings. Implementations must be deterministic and must throw
 * {@link SerializationError} for anything they cannot read.
 */
export interface Serializer {
  /** Name recorded in logs and docs, e.g. `'json-v1'`. */
  readonly name: string;
  encodeActivity<E extends JsonObject>(activity: Activity<E>): string;
  decodeActivity<E extends JsonObject>(payload: string, context?: DecodeContext): Activity<E>;
  encodeGroup<E extends JsonObject>(group: GroupRecord<E>): string;
  decodeGroup<E extends JsonObject>(payload: string, context?: DecodeContext): GroupRecord<E>;
}
