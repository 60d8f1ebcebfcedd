/**
 * The predicates of stored group values (the JSON decoder's), and the registry of group members
 * and groups the library built itself from checked parts, which the group encoder takes as they
 * are instead of validating and copying every member of a group on every write (a group remembers
 * up to 115 members by default). Kept apart from `group-check.ts` so that the group merge code can
 * use it without an import cycle. Internal.
 * @module
 */
import { type Id, isActivityId } from '../activity/ids.js';

/** A normalized member: an activity id and its actor. */
interface Pair {
  readonly id: string;
  readonly actor: Id;
}

/** What a group must hold to be marked (structurally, so that no group module is imported). */
interface MarkableGroup {
  readonly members: readonly object[];
  readonly minimized?: readonly object[] | undefined;
  readonly actors: readonly Id[];
}

/** An actor or object id as the decoder reads it back. */
export function isId(value: unknown): value is Id {
  return (
    (typeof value === 'string' && value.length > 0) ||
    (Number.isSafeInteger(value) && (value as number) >= 0)
  );
}

/** A non-negative safe integer: counts and times. */
export function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** `-0` as `0` (JSON writes it so): what is encoded must decode back equal. */
export const zero = <T>(value: T): T => (value === 0 ? (0 as T) : value);

/** A normalized group member or a minimized one: `[activity id, actor]`. */
export function isIdPair(value: unknown): value is [string, Id] {
  return Array.isArray(value) && value.length === 2 && isActivityId(value[0]) && isId(value[1]);
}

/** Members built by {@link validMember} or {@link memberOf}: frozen, and valid when built. */
const checkedMembers = new WeakSet<object>();

/**
 * A frozen `{ id, actor }` member that `checkGroup` takes as it is (no check, no copy: a
 * group remembers up to 115 of them by default and is encoded on every write). The caller
 * guarantees that `isIdPair([id, actor])` holds.
 */
export function validMember(id: string, actor: Id): Pair {
  const member = Object.freeze({ id, actor: zero(actor) });
  checkedMembers.add(member);
  return member;
}

/** {@link validMember} when `id` and `actor` are valid, else a plain member that encoding refuses. */
export function memberOf(id: string, actor: Id): Pair {
  return isActivityId(id) && isId(actor) ? validMember(id, actor) : { id, actor };
}

/** True for a member built by {@link validMember}. */
export function isValidMember(value: unknown): value is Pair {
  return typeof value === 'object' && value !== null && checkedMembers.has(value);
}

/** Groups built by {@link markValidGroup}: frozen, with valid members, counts and times. */
const validGroups = new WeakSet<object>();

/**
 * Freezes a normalized group (with its members, minimized members and actors) that the library
 * built from checked parts, and marks it so that `checkGroup` takes it as it is. The caller
 * guarantees that every member is a {@link validMember} and that the counts, actors and times are
 * what `checkGroup` (serialization/group-check.ts) accepts.
 */
export function markValidGroup<G extends MarkableGroup>(record: G): G {
  Object.freeze(record.members);
  if (record.minimized) Object.freeze(record.minimized);
  Object.freeze(record.actors);
  validGroups.add(Object.freeze(record));
  return record;
}

/** True for a group marked by {@link markValidGroup}. */
export function isValidGroup(value: unknown): boolean {
  return typeof value === 'object' && value !== null && validGroups.has(value);
}

/** A list built from an earlier one: see {@link markDerivedList}. */
export interface ListDerivation {
  /** The earlier list. */
  readonly base: readonly object[];
  /** How many new items come first; the rest are the first items of `base`, in order. */
  readonly head: number;
}

/** Lists built by {@link markDerivedList}, until an encoder takes the hint. */
const derivations = new WeakMap<object, ListDerivation>();

/**
 * Records that the frozen member list `list` is `head` new members followed by the first
 * `list.length - head` members of the frozen list `base` (a group's minimized members after one
 * add: the members pushed out first, then the older ones, the oldest dropped), so that an encoder
 * which kept the text of `base` can build the text of `list` from it instead of from every member.
 * A hint only: an encoder may ignore it.
 */
export function markDerivedList(
  list: readonly object[],
  base: readonly object[],
  head: number,
): void {
  derivations.set(list, { base, head });
}

/**
 * The derivation of `list` recorded by {@link markDerivedList}, forgotten once taken (so that a
 * chain of lists does not keep each earlier one alive).
 */
export function takeDerivation(list: readonly object[]): ListDerivation | undefined {
  const derivation = derivations.get(list);
  if (derivation) derivations.delete(list);
  return derivation;
}
