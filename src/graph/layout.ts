/**
 * How the follow graph lies on the timeline storage contract: two timelines per user, and how a
 * user id becomes an entry id (the contract's entry ids are 1-64 ASCII characters; user ids may be
 * up to 512 characters of any script).
 *
 * | timeline key | entry id | score | payload |
 * |---|---|---|---|
 * | `<prefix>:following:<user>` | each followed user | follow time, ms | long or non-ASCII id |
 * | `<prefix>:followers:<user>` | each follower | follow time, ms | priority, long or non-ASCII id |
 *
 * A user id that is a valid entry id (and does not start with `~`) is its own entry id, and a
 * high-priority edge to it carries no payload. Any other id becomes `~` + the SHA-256 of the id
 * (base64url, 43 characters), with the id itself in the payload. A payload is one priority
 * character (`h` or `l`) followed by that long id, or nothing for a short one.
 * @module
 */
import { createHash } from 'node:crypto';
import { escapeKeyPart } from '../feeds/keys.js';
import { isEntryId } from '../storage/argument-checks.js';
import type { TimelineEntry } from '../storage/contracts.js';
import type { FollowPriority } from './types.js';

/** The two timelines of one user. */
export interface UserKeys {
  readonly following: string;
  readonly followers: string;
}

/** The timeline keys of `userId` (string form) under `prefix`; the id is escaped (injective). */
export function userKeys(prefix: string, userId: string): UserKeys {
  const user = escapeKeyPart(userId);
  return { following: `${prefix}:following:${user}`, followers: `${prefix}:followers:${user}` };
}

const DIGEST_MARK = '~';

/** The entry id naming `userId` in the graph's timelines. */
export function entryIdOf(userId: string): string {
  if (isEntryId(userId) && !userId.startsWith(DIGEST_MARK)) return userId;
  return DIGEST_MARK + createHash('sha256').update(userId, 'utf8').digest('base64url');
}

/** The entry recording an edge to or from `userId`, at `since`, with `priority` (followers side). */
export function edgeEntry(
  userId: string,
  entryId: string,
  since: number,
  priority: FollowPriority,
): TimelineEntry {
  const long = entryId === userId ? '' : userId;
  if (long === '' && priority === 'high') return { id: entryId, score: since };
  return { id: entryId, score: since, payload: (priority === 'low' ? 'l' : 'h') + long };
}

/** What an entry of a graph timeline records. */
export interface DecodedEdge {
  readonly userId: string;
  readonly since: number;
  readonly priority: FollowPriority;
}

/** Reads an entry written by {@link edgeEntry}. */
export function decodeEdge(entry: TimelineEntry): DecodedEdge {
  const { payload } = entry;
  const long = payload !== undefined && payload.length > 1 ? payload.slice(1) : undefined;
  return {
    userId: long ?? entry.id,
    since: entry.score,
    priority: payload?.[0] === 'l' ? 'low' : 'high',
  };
}
