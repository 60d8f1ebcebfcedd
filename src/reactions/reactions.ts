/**
 * `createReactions`: likes, comments and other reactions on activities, built on the timeline
 * storage contract only, so every backend (memory, SQLite, Redis, Redis Cluster, Cassandra,
 * tiered, yours) has them without code of its own. See docs/reactions.md for the layout, the
 * costs and the guarantees.
 * @module
 */
import { ValidationError } from '../errors.js';
import type { TimelineEntry, TimelineUpdate } from '../storage/contracts.js';
import { show } from '../validation/show.js';
import { countEntry, decodeCount, decodeReaction, reactionEntry } from './codec.js';
import { deliver, isDelivered, withdraw } from './delivery.js';
import { COUNT_ID, checkReactionId, checkTargetId } from './layout.js';
import { readPage } from './pages.js';
import { checkInput, checkKind, checkRef, managerOf, reactionSettings } from './settings.js';
import { readSummaries } from './summary.js';
import type { Reaction, Reactions, ReactionsOptions } from './types.js';

/** Where a reaction is and who acts on it. */
interface Place {
  readonly activityId: string;
  readonly kind: string;
  readonly userId: string;
}

function notOwner(stored: Reaction, userId: string): ValidationError {
  return new ValidationError(
    'NOT_OWNER',
    `reaction ${stored.id} belongs to user ${show(stored.userId)}, not to user ${show(userId)}; nothing was written`,
    { details: { reactionId: stored.id, owner: stored.userId, userId } },
  );
}

/**
 * Creates a store of reactions on `options.storage`'s timelines. Each reaction is counted in the
 * same atomic `update` that stores it, so counts are exact under any number of concurrent
 * writers; adding and removing are idempotent by reaction id, and every check runs before the
 * first write.
 * @example
 * const reactions = createReactions({ storage, kinds: { like: { unique: true }, comment: {} } });
 * await reactions.add({ activityId, kind: 'like', userId: 42 });
 * const [summary] = await reactions.summary([activityId], { userId: 42, latest: 3 });
 * summary.counts.like; // 1
 */
export function createReactions(options: ReactionsOptions): Reactions {
  const s = reactionSettings(options);
  const { timeline, keys } = s;

  /** The stored reaction at `entry` of `key`, checked against the acting user. */
  function owned(entry: TimelineEntry, key: string, at: Place): Reaction {
    const { activityId, kind, userId } = at;
    const stored = decodeReaction(entry, key, activityId, kind);
    if (stored.userId !== userId) throw notOwner(stored, userId);
    if (isDelivered(stored)) managerOf(s, 'a delivered reaction');
    return stored;
  }

  return {
    kinds: s.kinds === undefined ? undefined : Object.freeze([...s.kinds.keys()]),

    async add(input) {
      const wanted = checkInput(s, input);
      const { activityId, kind, userId, id } = wanted;
      const key = keys.all(activityId, kind);
      const { reaction, created } = await timeline.update(
        key,
        [id, COUNT_ID],
        ([current, count]): TimelineUpdate<{ reaction: Reaction; created: boolean }> => {
          if (current !== undefined) {
            const stored = owned(current, key, wanted);
            return { changes: {}, result: { reaction: stored, created: false } };
          }
          const put = [reactionEntry(wanted), countEntry(decodeCount(count, key) + 1)];
          return { changes: { put }, result: { reaction: wanted, created: true } };
        },
      );
      // Counted first, then delivered, then the own entry: a failure from here on leaves a
      // counted reaction without its own entry, which a retry with the same id completes (the
      // delivery and the own entry are upserts). An own entry means the add was complete: a
      // second like then notifies nobody again.
      const ownKey = keys.own(userId, activityId, kind);
      if (!created && (await timeline.get(ownKey, [id]))[0] !== undefined) {
        return { reaction, created };
      }
      const manager = isDelivered(reaction) ? managerOf(s, 'a delivered reaction') : undefined;
      const tasks = manager && (await deliver(manager, reaction));
      await timeline.add(ownKey, [reactionEntry(reaction)]);
      // A remove of the same reaction running meanwhile may have finished between our update and
      // our last write: then the reaction is gone and what we wrote after it is undone here.
      const [still] = await timeline.get(key, [id]);
      if (still === undefined) {
        await tasks?.done(); // a fan-out still running would land after its removal
        if (manager) await (await withdraw(manager, reaction))?.done();
        await timeline.remove(ownKey, [id]);
        return { reaction, created, removed: true };
      }
      return { reaction, created, tasks };
    },

    async remove(ref) {
      const place = checkRef(s, ref);
      const { activityId, kind, userId, id } = place;
      const key = keys.all(activityId, kind);
      const removed = await timeline.update(
        key,
        [id, COUNT_ID],
        ([current, count]): TimelineUpdate<Reaction | undefined> => {
          if (current === undefined) return { changes: {}, result: undefined };
          const stored = owned(current, key, place);
          const left = decodeCount(count, key) - 1;
          return {
            changes:
              left > 0 ? { remove: [id], put: [countEntry(left)] } : { remove: [id, COUNT_ID] },
            result: stored,
          };
        },
      );
      // The own entry goes last: until then it names what a retry still has to withdraw.
      const ownKey = keys.own(userId, activityId, kind);
      const [own] = removed === undefined ? await timeline.get(ownKey, [id]) : [undefined];
      const reaction = removed ?? (own && owned(own, ownKey, place));
      const tasks =
        reaction !== undefined && isDelivered(reaction)
          ? await withdraw(managerOf(s, 'a delivered reaction'), reaction)
          : undefined;
      await timeline.remove(ownKey, [id]);
      return { reaction, tasks };
    },

    async get(activityId, kind, id) {
      const key = keys.all(checkTargetId(activityId), checkKind(s, kind).kind);
      const [entry] = await timeline.get(key, [checkReactionId(id)]);
      return entry && decodeReaction(entry, key, activityId, kind);
    },

    async list(activityId, kind, listOptions) {
      const key = keys.all(checkTargetId(activityId), checkKind(s, kind).kind);
      return readPage(s, key, activityId, kind, listOptions);
    },

    async count(activityId, kind) {
      const key = keys.all(checkTargetId(activityId), checkKind(s, kind).kind);
      const [entry] = await timeline.get(key, [COUNT_ID]);
      return decodeCount(entry, key);
    },

    summary: (activityIds, summaryOptions) => readSummaries(s, activityIds, summaryOptions),
  };
}
