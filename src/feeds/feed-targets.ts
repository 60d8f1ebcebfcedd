/**
 * The feeds a call changes: one user's feed is a {@link FeedTarget} (its user id and storage
 * key). Shared by flat and group feeds. Internal to the feeds layer.
 * @module
 */
import type { Id } from '../activity/ids.js';
import { ValidationError } from '../errors.js';
import type { FeedConfig } from './feed-config.js';
import { userIdString } from './keys.js';

/** One user's feed being changed: the user id in string form and the feed's storage key. */
export interface FeedTarget {
  readonly userId: string;
  readonly key: string;
}

/** The feed of one user (throws `INVALID_ID` for a bad user id). */
export function targetOf(config: FeedConfig, userId: Id): FeedTarget {
  const uid = userIdString(userId);
  return { userId: uid, key: config.keyFor(uid) };
}

/**
 * The feeds of many users, one per storage key (a user listed twice, as `1` and `'1'`, is one
 * feed), in the order given; throws `INVALID_ID` before anything is written.
 */
export function targetsOf(config: FeedConfig, userIds: readonly Id[], what: string): FeedTarget[] {
  if (!Array.isArray(userIds))
    throw new ValidationError('INVALID_ID', `${what}: userIds must be an array`);
  const keys = new Set<string>();
  const targets: FeedTarget[] = [];
  for (const userId of userIds) {
    const target = targetOf(config, userId);
    if (keys.has(target.key)) continue;
    keys.add(target.key);
    targets.push(target);
  }
  return targets;
}
