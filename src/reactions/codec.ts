/**
 * Reactions as timeline entries and back: the payload is JSON `{ u, d, n?, p? }` (user, data,
 * notified feeds, published); the id, the time (the entry's score), the activity and the kind
 * come from the entry and its key. The count entry's payload is the count in decimal. Stored
 * payloads are checked when read: a malformed one is a `SerializationError`, never a crash
 * further on. Internal to reactions.
 * @module
 */
import type { JsonObject } from '../activity/json.js';
import { isPlainObject } from '../activity/json.js';
import { SerializationError } from '../errors.js';
import type { TimelineEntry } from '../storage/contracts.js';
import { COUNT_ID, COUNT_SCORE } from './layout.js';
import type { Reaction } from './types.js';

/** The payload of a reaction. */
export function encodeReaction(reaction: Reaction): string {
  const body: Record<string, unknown> = { u: reaction.userId, d: reaction.data };
  if (reaction.notify.length > 0) body.n = reaction.notify;
  if (reaction.published) body.p = true;
  return JSON.stringify(body);
}

/** A reaction as an entry of its timelines. */
export function reactionEntry(reaction: Reaction): TimelineEntry {
  return { id: reaction.id, score: reaction.time.getTime(), payload: encodeReaction(reaction) };
}

function malformed(key: string, id: string, why: string): SerializationError {
  return new SerializationError(`reaction ${id} in ${key} is malformed: ${why}`, {
    details: { key, id },
  });
}

/** The reaction an entry of `key` holds (`activityId` and `kind` are the key's). */
export function decodeReaction(
  entry: TimelineEntry,
  key: string,
  activityId: string,
  kind: string,
): Reaction {
  let body: unknown;
  try {
    body = JSON.parse(entry.payload ?? '');
  } catch (cause) {
    throw malformed(key, entry.id, `not JSON (${String(cause)})`);
  }
  if (!isPlainObject(body)) throw malformed(key, entry.id, 'not an object');
  const { u, d, n, p } = body;
  if (typeof u !== 'string' || u.length === 0) throw malformed(key, entry.id, 'no user');
  if (!isPlainObject(d)) throw malformed(key, entry.id, 'data is not an object');
  if (n !== undefined && !(Array.isArray(n) && n.every((x) => typeof x === 'string'))) {
    throw malformed(key, entry.id, 'notify is not a list of feeds');
  }
  if (p !== undefined && p !== true) throw malformed(key, entry.id, 'published is not true');
  return Object.freeze({
    id: entry.id,
    activityId,
    kind,
    userId: u,
    time: new Date(entry.score),
    data: d as JsonObject,
    notify: Object.freeze((n as string[] | undefined) ?? []),
    published: p === true,
  });
}

/** The count entry holding `count`. */
export function countEntry(count: number): TimelineEntry {
  return { id: COUNT_ID, score: COUNT_SCORE, payload: String(count) };
}

/** The count a count entry holds (0 when absent). */
export function decodeCount(entry: TimelineEntry | undefined, key: string): number {
  if (entry === undefined) return 0;
  const count = Number(entry.payload);
  if (!Number.isSafeInteger(count) || count < 0 || entry.payload !== String(count)) {
    throw malformed(key, COUNT_ID, `count is ${JSON.stringify(entry.payload)}`);
  }
  return count;
}
