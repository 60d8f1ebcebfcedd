/**
 * A reaction as an activity, delivered through the manager: the reaction's user is the actor,
 * the verb is its kind, the object is the reaction id and the target the activity reacted to.
 * Its foreignId names the reaction, so the same reaction always makes the same activity (id
 * included): a retried delivery is an upsert and removal finds what was delivered. Internal to
 * reactions.
 * @module
 */
import { type Activity, createActivity } from '../activity/activity.js';
import type { TaskBatch } from '../queue/task-queue.js';
import { settleAll } from '../util/settle-all.js';
import { parseFeedRef } from '../validation/names.js';
import type { Reaction, ReactionPublisher } from './types.js';

/** Whether a reaction goes anywhere beyond its timelines. */
export function isDelivered(reaction: Reaction): boolean {
  return reaction.published || reaction.notify.length > 0;
}

/**
 * The activity a reaction is delivered as (to notified feeds and, published, to the reacting
 * user's followers): actor the reacting user, verb the kind, object the reaction id, target the
 * activity reacted to, a foreignId naming the reaction (so it always has the same id), and
 * `extra.reaction`. Use it to rebuild or recognize delivered reactions (e.g. a feed regenerated
 * from the reactions a store holds, which a later `remove` must still find).
 */
export function reactionActivity(reaction: Reaction): Activity {
  const { id, activityId, kind, data } = reaction;
  return createActivity({
    actor: reaction.userId,
    verb: kind,
    object: id,
    target: activityId,
    time: reaction.time,
    foreignId: `reaction:${activityId}:${kind}:${id}`,
    extra: { reaction: { id, activityId, kind, data } },
  });
}

function notified(manager: ReactionPublisher, reaction: Reaction) {
  return reaction.notify.map((ref) => {
    const { feed, userId } = parseFeedRef(ref, 'notify');
    return manager.getFeed(feed, userId);
  });
}

/** Delivers (`undo` false) or withdraws a reaction. */
async function send(
  manager: ReactionPublisher,
  reaction: Reaction,
  undo: boolean,
): Promise<TaskBatch | undefined> {
  const activity = reactionActivity(reaction);
  const { userId } = reaction;
  const feeds = notified(manager, reaction);
  const batch = !reaction.published
    ? undefined
    : undo
      ? await manager.removeUserActivity(userId, activity)
      : await manager.addUserActivity(userId, activity);
  await settleAll(feeds.map((feed) => (undo ? feed.remove(activity) : feed.add(activity))));
  return batch;
}

/**
 * Delivers a reaction: into each notified feed (`feed.add`, at once), and for a published one
 * through `addUserActivity` (the user feed, then fan-out tasks). The notified feeds are not put
 * in the activity's `to`: `getFeed` accepts feeds (the user feed) that `to` refuses, and a
 * refusal after the reaction was counted would make every retry fail. Idempotent.
 */
export function deliver(
  manager: ReactionPublisher,
  reaction: Reaction,
): Promise<TaskBatch | undefined> {
  return send(manager, reaction, false);
}

/** Undoes {@link deliver}: `removeUserActivity` and a remove from each notified feed. Idempotent. */
export function withdraw(
  manager: ReactionPublisher,
  reaction: Reaction,
): Promise<TaskBatch | undefined> {
  return send(manager, reaction, true);
}
