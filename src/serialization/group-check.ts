/**
 * What `createJsonSerializer().encodeGroup` accepts: exactly the groups its `decodeGroup` reads back, so
 * that an encoded group always decodes (the predicates, the decoder's, are in `checked-groups.ts`).
 * @module
 */
import { assertActivity, MAX_TO_LIMIT } from '../activity/activity.js';
import { type Id, isActivityId } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import type { GroupMember, GroupRecord, MinimizedMember } from '../aggregation/group.js';
import { SerializationError } from '../errors.js';
import { describe } from '../validation/show.js';
import { isCount, isId, isValidGroup, isValidMember, zero } from './checked-groups.js';

/** Validation of activities handed to a serializer: the shape only, no `to` policy. */
export const ENCODE_CHECK = Object.freeze({ maxTo: MAX_TO_LIMIT });

/** A group ready to encode: its fields checked, its member activities validated (copied when hand-built). */
export interface CheckedGroup<E extends ExtraData> {
  readonly id: string;
  readonly group: string;
  readonly members: readonly GroupMember<E>[];
  readonly minimized: readonly MinimizedMember[];
  readonly activityCount: number;
  readonly actors: readonly Id[];
  readonly actorOverflow: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

function bad(what: string): SerializationError {
  return new SerializationError(`cannot encode the aggregated group: ${what}`);
}

/**
 * Checks a group before encoding and returns the values to write; throws a
 * `SerializationError` (or a `ValidationError` for a malformed member activity).
 */
export function checkGroup<E extends ExtraData>(value: unknown): CheckedGroup<E> {
  if (typeof value !== 'object' || value === null)
    throw bad(`expected a group, got ${describe(value)}`);
  if (isValidGroup(value)) {
    const record = value as GroupRecord<E>;
    return { ...record, minimized: record.minimized ?? [] };
  }
  const g = value as Partial<Record<keyof GroupRecord<E>, unknown>>;
  const { id, group, members, minimized, activityCount, actors, actorOverflow } = g;
  const { createdAt, updatedAt } = g;
  if (typeof group !== 'string') throw bad(`group must be a string, got ${describe(group)}`);
  if (typeof id !== 'string') throw bad(`id must be a string, got ${describe(id)}`);
  if (!Array.isArray(members) || members.length === 0)
    throw bad('members must be a non-empty array');
  const checkedMembers = Array.from(members, (m: unknown) => member<E>(m));
  if (minimized !== undefined && !Array.isArray(minimized))
    throw bad('minimized must be an array when present');
  const checkedMinimized = Array.from((minimized ?? []) as unknown[], (m) => {
    if (isValidMember(m)) return m;
    const pair = idPair(m);
    if (!pair)
      throw bad(`a minimized member must be { id: activity id, actor }, got ${describe(m)}`);
    return pair;
  });
  if (!isCount(activityCount) || activityCount < checkedMembers.length + checkedMinimized.length)
    throw bad('activityCount must be an integer of at least the members and minimized ones');
  if (!Array.isArray(actors) || !actors.every(isId))
    throw bad('actors must be an array of actor ids');
  // Named one by one: a list of [name, value] pairs here was three arrays per encoded group.
  checkCount('actorOverflow', actorOverflow);
  checkCount('createdAt', createdAt);
  checkCount('updatedAt', updatedAt);
  return {
    id,
    group,
    members: checkedMembers,
    minimized: checkedMinimized,
    activityCount: zero(activityCount),
    actors: (actors as Id[]).map(zero),
    actorOverflow: zero(actorOverflow as number),
    createdAt: zero(createdAt as number),
    updatedAt: zero(updatedAt as number),
  };
}

function checkCount(name: string, n: unknown): void {
  if (!isCount(n)) throw bad(`${name} must be a non-negative integer, got ${describe(n)}`);
}

function idPair(value: unknown): MinimizedMember | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, actor } = value as { id?: unknown; actor?: unknown };
  return isActivityId(id) && isId(actor) ? { id, actor: zero(actor) } : undefined;
}

/** A member: `{ id, actor }`, or `{ id, actor, activity }` whose id and actor are the activity's. */
function member<E extends ExtraData>(value: unknown): GroupMember<E> {
  if (isValidMember(value)) return value;
  if (typeof value === 'object' && value !== null) {
    const { activity } = value as { activity?: unknown };
    if (activity === undefined) {
      const pair = idPair(value);
      if (pair) return pair;
    } else {
      const a = assertActivity<E>(activity, undefined, ENCODE_CHECK);
      const pair = idPair(value);
      if (pair?.id !== a.id || pair.actor !== a.actor)
        throw bad(`member ${describe(pair?.id)}: its id and actor must be its activity's`);
      return { id: a.id, actor: a.actor, activity: a };
    }
  }
  throw bad(`a member must be { id: activity id, actor, activity? }, got ${describe(value)}`);
}
