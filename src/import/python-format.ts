/**
 * The wire formats of the Python Stream Framework 1.4.0 in Redis: the 26-digit serialization id,
 * `ActivitySerializer` values (`actor,verb,object,target|0,epoch,pickle`), the `v3` aggregated
 * envelope (`group;;created;;updated;;seen;;read;;activities;;minimized`, activities being ids or
 * full activity values) and the shard of the activity storage hash. Internal to the importer.
 * @module
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../activity/json.js';
import { SerializationError } from '../errors.js';
import { PickleError, unpickleObject } from './pickle.js';

/**
 * The error for data of the Python database that cannot be read: a {@link SerializationError}
 * (code `SERIALIZATION`) whose message names the Redis key (and the member or field), with
 * `details` `{ key, member, reason }`. Thrown by the importer, or reported and skipped with
 * `skipMalformed`.
 */
export function malformedData(
  key: string,
  member: string | undefined,
  reason: string,
): SerializationError {
  const where = member === undefined ? '' : ` (${JSON.stringify(clip(member))})`;
  return new SerializationError(
    `malformed Python Stream Framework data in ${JSON.stringify(key)}${where}: ${reason}`,
    { details: { key, member, reason } },
  );
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** An activity as the Python library stored it, with ids and times decoded. */
export interface PythonActivity {
  /** The 26-digit serialization id (ms ‖ object id on 10 digits ‖ verb id on 3 digits). */
  readonly id: string;
  /** Python ids are integers: beyond 2^53 they are kept as their decimal string. */
  readonly actor: number | string;
  readonly verb: number;
  readonly object: number;
  readonly target: number | string | undefined;
  /** Milliseconds since the epoch, as the serialization id holds them. */
  readonly timeMs: number;
  readonly extra: JsonObject;
}

/** An aggregated activity of the `v3` envelope. */
export interface PythonGroup {
  readonly group: string;
  /** Epoch milliseconds (the microseconds Python stored, truncated); undefined for -1. */
  readonly createdAtMs: number | undefined;
  readonly updatedAtMs: number | undefined;
  /** `is_seen()` of the deprecated notification feed: `seen_at` is at or after `updated_at`. */
  readonly seenByDate: boolean;
  /** `is_read()` likewise, with `read_at`. */
  readonly readByDate: boolean;
  /** Oldest first, as Python keeps them: serialization ids or full activities. */
  readonly activities: readonly (string | PythonActivity)[];
  readonly minimized: number;
}

const SERIALIZATION_ID = /^[1-9][0-9]{13,}$/;
const INT = /^(0|[1-9][0-9]*)$/;
const EPOCH = /^(-?)([0-9]+)\.([0-9]{6})$/;

/** Whether `s` is a serialization id (at least 14 digits: ms, 10 object digits, 3 verb digits). */
export function isSerializationId(s: string): boolean {
  return SERIALIZATION_ID.test(s);
}

/** The activity storage hash of a serialization id: `<key>:<md5(id) mod 10>` (ShardedHashCache). */
export function activityShardKey(key: string, id: string): string {
  const digest = createHash('md5').update(id, 'utf8').digest('hex');
  return `${key}:${BigInt(`0x${digest}`) % 10n}`;
}

/** The time part of a serialization id, in ms. */
export function timeOfSerializationId(id: string): number {
  return Number(id.slice(0, -13));
}

/**
 * Python's `int(datetime_to_epoch(t) * 1000)` for a `'%.6f'` epoch string, computed the same way
 * (exact microseconds, then the same double operations), so derived ids match Python's.
 */
function msOfEpoch(text: string): number | undefined {
  const micros = microsOfEpoch(text);
  return micros === undefined ? undefined : Math.trunc((micros / 1e6) * 1000);
}

/** The exact microseconds of a `'%.6f'` epoch string (from 1970 on). */
function microsOfEpoch(text: string): number | undefined {
  const m = EPOCH.exec(text);
  if (!m || m[1] === '-') return undefined;
  const micros = Number(m[2]) * 1_000_000 + Number(m[3]);
  return Number.isSafeInteger(micros) ? micros : undefined;
}

/**
 * Reads an `ActivitySerializer` value. `storedId` is the serialization id it is stored under, or
 * undefined inside a notification group (then it is derived as Python derives it). Throws a
 * plain Error with the reason; the importer adds the key.
 */
export function parseActivity(value: string, storedId: string | undefined): PythonActivity {
  const parts: string[] = [];
  let rest = value;
  for (let i = 0; i < 5; i++) {
    const comma = rest.indexOf(',');
    if (comma < 0) throw new Error('an activity value has fewer than 6 comma-separated fields');
    parts.push(rest.slice(0, comma));
    rest = rest.slice(comma + 1);
  }
  const [actorText, verbText, objectText, targetText, epochText] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  const int = (text: string, field: string): number => {
    const n = Number(text);
    if (!INT.test(text) || !Number.isSafeInteger(n)) {
      throw new Error(`field ${field} is not a non-negative integer: ${JSON.stringify(text)}`);
    }
    return n;
  };
  const id = (text: string, field: string): number | string => {
    if (!INT.test(text)) {
      throw new Error(`field ${field} is not a non-negative integer: ${JSON.stringify(text)}`);
    }
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  };
  const actor = id(actorText, 'actor_id');
  const verb = int(verbText, 'verb_id');
  const object = int(objectText, 'object_id');
  const target = id(targetText, 'target_id');
  const timeMs = msOfEpoch(epochText);
  if (timeMs === undefined) throw new Error(`bad time ${JSON.stringify(epochText)}`);
  if (verb >= 1000 || object >= 10 ** 10) {
    throw new Error('object_id or verb id has too many digits for a serialization id');
  }
  const derived = `${timeMs}${String(object).padStart(10, '0')}${String(verb).padStart(3, '0')}`;
  if (storedId !== undefined && storedId !== derived) {
    throw new Error(`the activity's fields give serialization id ${derived}, not ${storedId}`);
  }
  return {
    id: derived,
    actor,
    verb,
    object,
    target: target === 0 ? undefined : target,
    timeMs,
    extra: rest === '' ? {} : extraOf(rest),
  };
}

/**
 * extra_context: a pickle that Python decoded as Latin-1 into text, which Redis holds as UTF-8
 * (ioredis hands back the text, so each character is one byte of the pickle).
 */
function extraOf(text: string): JsonObject {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new Error('extra_context is not a Latin-1 pickle string');
    bytes[i] = c;
  }
  try {
    return unpickleObject(bytes);
  } catch (error) {
    if (error instanceof PickleError) throw new Error(`extra_context: ${error.message}`);
    throw error;
  }
}

/**
 * Reads a `v3` aggregated envelope: activities as ids (`AggregatedActivitySerializer`, Redis
 * aggregated feeds) or as full values (`NotificationSerializer`), told apart by their shape.
 */
export function parseGroup(member: string): PythonGroup {
  if (!member.startsWith('v3')) throw new Error('not a v3 aggregated activity');
  const parts = member.slice(2).split(';;');
  if (parts.length !== 7) throw new Error(`expected 7 ';;'-separated parts, got ${parts.length}`);
  const [group, created, updated, seen, read, acts, minimizedText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const micros = (text: string, field: string): number | undefined => {
    if (text === '-1') return undefined;
    const us = microsOfEpoch(text);
    if (us === undefined) throw new Error(`bad ${field} ${JSON.stringify(text)}`);
    return us;
  };
  const [createdUs, updatedUs, seenUs, readUs] = [
    micros(created, 'created_at'),
    micros(updated, 'updated_at'),
    micros(seen, 'seen_at'),
    micros(read, 'read_at'),
  ];
  const ms = (us: number | undefined) =>
    us === undefined ? undefined : Math.trunc((us / 1e6) * 1000);
  // AggregatedActivity.is_seen() / is_read(): the mark is at or after updated_at (to the microsecond).
  const atOrAfterUpdate = (us: number | undefined) =>
    us !== undefined && updatedUs !== undefined && us >= updatedUs;
  if (!INT.test(minimizedText)) throw new Error('bad minimized count');
  const activities = acts
    .split(';')
    .map((a) =>
      isSerializationId(a) ? a : a.includes(',') ? parseActivity(a, undefined) : bad(a),
    );
  return {
    group,
    createdAtMs: ms(createdUs),
    updatedAtMs: ms(updatedUs),
    seenByDate: atOrAfterUpdate(seenUs),
    readByDate: atOrAfterUpdate(readUs),
    activities,
    minimized: Number(minimizedText),
  };
}

function bad(a: string): never {
  throw new Error(`bad activity reference ${JSON.stringify(a.slice(0, 40))}`);
}

/** The id of a Python aggregated activity: `str(int(epoch(updated_at)) * 1000)`. */
export function pythonGroupId(updatedAtMs: number | undefined): string {
  return updatedAtMs === undefined ? '' : String(Math.floor(updatedAtMs / 1000) * 1000);
}
