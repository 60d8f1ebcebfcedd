import type { Activity } from '../activity/activity.js';
import type { ExtraData } from '../activity/json.js';
import { StreamFrameworkError, ValidationError } from '../errors.js';
import { TASK_LIMITS } from '../queue/task.js';
import type { ManagerConfig } from './options.js';

/**
 * Encodes activities for fan-out tasks with the manager's serializer. One longer than a task may
 * carry (`TASK_LIMITS.payloadLength`) throws `LIMIT_EXCEEDED`, so a publish is refused before its
 * first write instead of failing its tasks after the user feed was written.
 */
export function taskPayloads<E extends ExtraData>(
  config: ManagerConfig<E>,
  activities: readonly Activity<E>[],
  where: string,
): string[] {
  return activities.map((a) => {
    const payload = config.serializer.encodeActivity(a);
    if (config.taskFeeds.size > 0 && payload.length > TASK_LIMITS.payloadLength) {
      throw new ValidationError(
        'LIMIT_EXCEEDED',
        `${where}: activity ${a.id} encodes to ${payload.length} characters; a fan-out task carries at most ${TASK_LIMITS.payloadLength}`,
        { details: { activityId: a.id, limit: TASK_LIMITS.payloadLength } },
      );
    }
    return payload;
  });
}

/**
 * The payload a task may carry for an activity already stored (a removal, or the previous
 * version of an update), or undefined to go by id: an activity stored before the size limit was
 * lowered (or a corrupt one) must not be impossible to remove.
 */
export function encodableForRemoval<E extends ExtraData>(
  config: ManagerConfig<E>,
  activity: Activity<E>,
): string | undefined {
  try {
    const payload = config.serializer.encodeActivity(activity);
    return payload.length <= TASK_LIMITS.payloadLength ? payload : undefined;
  } catch (error) {
    if (error instanceof StreamFrameworkError) return undefined;
    throw error;
  }
}
