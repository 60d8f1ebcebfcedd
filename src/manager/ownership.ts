import type { Activity } from '../activity/activity.js';
import type { ExtraData } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import { userIdString } from '../feeds/keys.js';
import { show } from '../validation/show.js';
import type { ManagerConfig } from './options.js';

/** The owner of an activity (the manager's `ownerOf`, default its actor), in string form. */
export function ownerOf<E extends ExtraData>(
  config: ManagerConfig<E>,
  activity: Activity<E>,
): string {
  return userIdString(config.ownerOf(activity), `ownerOf(activity ${activity.id})`);
}

/**
 * Throws `NOT_OWNER` unless `userId` owns `activity`. `stored` says the activity is the version
 * already in storage (someone else's activity with the same id) rather than the one given.
 */
export function assertOwner<E extends ExtraData>(
  config: ManagerConfig<E>,
  userId: string,
  activity: Activity<E>,
  where: string,
  stored = false,
): void {
  const owner = ownerOf(config, activity);
  if (owner === userId) return;
  const what = stored ? `the stored activity ${activity.id}` : `activity ${activity.id}`;
  throw new ValidationError(
    'NOT_OWNER',
    `${where}: ${what} belongs to user ${show(owner)}, not to user ${show(userId)}; nothing was written`,
    { details: { activityId: activity.id, owner, userId, stored } },
  );
}
