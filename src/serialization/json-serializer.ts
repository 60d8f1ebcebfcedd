import { type Activity, assertActivity, freezeActivity } from '../activity/activity.js';
import {
  type Id,
  isActivityId,
  timeOfActivityId,
  timeOfCheckedActivityId,
} from '../activity/ids.js';
import { type ExtraData, type JsonObject, MAX_JSON_DEPTH } from '../activity/json.js';
import type { GroupMember, GroupRecord, MinimizedMember } from '../aggregation/group.js';
import { SerializationError, ValidationError } from '../errors.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { show } from '../validation/show.js';
import { intOptionOr, oneOfOption } from '../validation/values.js';
import {
  isCount,
  isId,
  isIdPair,
  isValidGroup,
  isValidMember,
  markValidGroup,
  takeDerivation,
  validMember,
} from './checked-groups.js';
import { checkGroup, ENCODE_CHECK } from './group-check.js';
import { readPlainKeyed } from './keyed-fast-path.js';
import type { ActivityForm, DecodeContext, Serializer } from './serializer.js';

/** Options of {@link createJsonSerializer}. */
export interface JsonSerializerOptions {
  /** Longest encoded activity, in characters; longer ones are rejected with `LIMIT_EXCEEDED`. @default 65536 */
  readonly maxActivityLength?: number;
}

const OPTION_KEYS = optionKeys<JsonSerializerOptions>({ maxActivityLength: true });
const FORMS: readonly ActivityForm[] = ['full', 'keyed'];

/** Current version of the JSON wire format; written as `v` in every object payload. */
export const JSON_FORMAT_VERSION = 1;

/**
 * Current version of the keyed activity format (a positional JSON array); written as its first
 * element. See {@link createJsonSerializer}.
 */
export const KEYED_FORMAT_VERSION = 1;

/** Longest keyed array: version, actor, verb, object, target, extra, foreignId, to, time. */
const KEYED_LENGTH = 9;

/**
 * An upper bound of how much longer the full form of an activity is than its keyed form (the
 * object's keys, the id and the time: under 100 characters), so that the keyed form only needs
 * the full one computed near the length limit.
 */
const FULL_FORM_SLACK = 128;

type ActivityWire = {
  v: number;
  i: string;
  a: Id;
  b: string;
  o: Id;
  t?: Id;
  m: number;
  f?: string;
  x?: JsonObject;
  to?: string[];
};

/**
 * The default serializer: compact, versioned JSON. No eval, no pickle; `;` and `,` in extra data
 * are ordinary characters. Activities have two forms ({@link ActivityForm}):
 *
 * - full: an object, `{"v":1,"i":id,"a":actor,"b":verb,"o":object,"m":time ms,"t":target,
 *   "f":foreignId,"x":extra,"to":[...]}`, the optional `t` `f` `x` `to` only when present;
 * - keyed: a positional array without the id, `[1,actor,verb,object,target,extra,foreignId,to,
 *   time ms]`. The first element is {@link KEYED_FORMAT_VERSION}; an absent field in the middle
 *   is `null` (so is an empty `extra` or `to`), absent fields at the end are dropped, and the
 *   time is written only when it differs from the time encoded in the id. The order puts the
 *   common optional fields (target, extra) before the rare ones (foreignId, to, a time that is
 *   not the id's). E.g. `[1,7,"pin",42,3,{"itemId":9}]`: about 40% of the full form for a small
 *   activity.
 *
 * `decodeActivity` reads both; a keyed payload needs `context.id`. `maxActivityLength` applies to
 * the full form whichever form is written, so an activity accepted in one place is accepted in
 * every other. Groups are objects whose members are full activities or `[id, actor]` pairs.
 *
 * Every encode validates its input (an activity as `assertActivity` does, a group as
 * `decodeGroup` will read it): bad input throws a `StreamFrameworkError` (`INVALID_*`,
 * `LIMIT_EXCEEDED` or `SERIALIZATION`), and whatever is encoded decodes back equal. Groups and
 * members the library built itself from checked values (frozen, see `checked-groups.ts`) are
 * valid by construction and not checked again.
 */
export function createJsonSerializer(options: JsonSerializerOptions = {}): Serializer {
  const o = checkOptions<JsonSerializerOptions>(options, OPTION_KEYS, 'createJsonSerializer', true);
  const maxLength = intOptionOr(o.maxActivityLength, 65536, 'maxActivityLength', 1);
  const toWire = (a: Activity<ExtraData>): ActivityWire => {
    const w: ActivityWire = {
      v: JSON_FORMAT_VERSION,
      i: a.id,
      a: a.actor,
      b: a.verb,
      o: a.object,
      m: a.time.getTime(),
    };
    if (a.target !== undefined) w.t = a.target;
    if (a.foreignId !== undefined) w.f = a.foreignId;
    if (Object.keys(a.extra).length > 0) w.x = a.extra as JsonObject;
    if (a.to.length > 0) w.to = [...a.to];
    return w;
  };
  const checkLength = (payload: string, id: string): string => {
    if (payload.length > maxLength) {
      throw new ValidationError(
        'LIMIT_EXCEEDED',
        `activity ${id} encodes to ${payload.length} characters; the limit is ${maxLength}`,
        { details: { id, limit: maxLength } },
      );
    }
    return payload;
  };
  const encodeFull = (a: Activity<ExtraData>): string =>
    checkLength(JSON.stringify(toWire(a)), a.id);
  /**
   * The full form of activities encoded before, by object: only activities `assertActivity` took
   * as they are (frozen, their extra deep-frozen), with the time written (a `Date` can still be set
   * in place). A denormalized group feed's add encodes its activity to check its size, then again
   * in its group's payload; a group's older members are encoded again at each add.
   */
  const fullTexts = new WeakMap<object, { readonly ms: number; readonly text: string }>();
  /** The full form of a trusted activity, from `fullTexts` when it holds it (not length-checked). */
  const trustedFull = (a: Activity<ExtraData>): string => {
    const ms = a.time.getTime();
    const known = fullTexts.get(a);
    if (known !== undefined && known.ms === ms) return known.text;
    const text = JSON.stringify(toWire(a));
    fullTexts.set(a, { ms, text });
    return text;
  };
  const encodeKeyed = (a: Activity<ExtraData>): string => {
    const payload = JSON.stringify(toKeyed(a));
    // The limit is the full form's: check it where the full form could be over it.
    if (payload.length + FULL_FORM_SLACK > maxLength) encodeFull(a);
    return payload;
  };
  return Object.freeze({
    name: 'json-v1',
    encodeActivity<E extends ExtraData>(activity: Activity<E>, form?: ActivityForm): string {
      const a = assertActivity<E>(activity, undefined, ENCODE_CHECK);
      if (form !== undefined && oneOfOption(form, FORMS, 'form') === 'keyed') return encodeKeyed(a);
      return a === activity ? checkLength(trustedFull(a), a.id) : encodeFull(a);
    },
    decodeActivity<E extends ExtraData>(payload: string, context?: DecodeContext): Activity<E> {
      // The keyed payload of a plain activity (most of what a feed reads) in one pass, without
      // JSON.parse; anything else, corrupt payloads included, takes the general path below.
      const plain = typeof payload === 'string' ? readPlainKeyed(payload) : undefined;
      if (plain !== undefined) {
        const id = context?.id;
        const idTime = timeOfCheckedActivityId(id);
        if (idTime >= 0) {
          const { actor, verb, object, target, extra } = plain;
          return built<E>(
            id as string,
            actor,
            verb,
            object,
            target,
            idTime,
            undefined,
            extra,
            NO_TO,
          );
        }
      }
      const value = parseJson(payload, context);
      return Array.isArray(value)
        ? fromKeyed<E>(value, context)
        : fromWire<E>(versioned(value, context), context);
    },
    encodeGroup<E extends ExtraData>(group: GroupRecord<E>): string {
      const g = checkGroup<E>(group);
      // A valid group's lists are frozen (and its members are [id, actor] pairs): their text can
      // be kept (as slices of the payload, which the writer's group cache holds anyway) and the
      // next lists' built from it.
      const keep = isValidGroup(group);
      // What JSON.stringify writes for the whole object, built by pieces: the [id, actor] pairs
      // (up to 115 a group by default) need no escaping or intermediate arrays.
      const members = keep
        ? minimizedText(g.members, true)
        : g.members
            .map((m, i) => {
              if (!m.activity) return pairJson(m);
              // The caller's own activity when assertActivity took it as it is (trusted).
              return m.activity === group.members[i]?.activity
                ? trustedFull(m.activity)
                : JSON.stringify(toWire(m.activity));
            })
            .join(',');
      const start = `{"v":${JSON_FORMAT_VERSION},"g":${JSON.stringify(g.group)},"i":${JSON.stringify(g.id)},"m":[`;
      const head = `${start}${members}]`;
      const tail = `,"n":${g.activityCount},"ac":${actorsText(g.actors, keep)},"ao":${g.actorOverflow},"c":${g.createdAt},"u":${g.updatedAt}}`;
      if (g.minimized.length === 0) {
        const payload = head + tail;
        if (keep) minimizedTexts.set(g.members, slice(payload, start.length, members.length));
        return payload;
      }
      const text = minimizedText(g.minimized, keep);
      const payload = `${head},"mz":[${text}]${tail}`;
      if (keep) {
        minimizedTexts.set(g.members, slice(payload, start.length, members.length));
        minimizedTexts.set(g.minimized, slice(payload, head.length + 7, text.length));
      }
      return payload;
    },
    decodeGroup<E extends ExtraData>(payload: string, context?: DecodeContext): GroupRecord<E> {
      const w = parse(payload, context);
      const ok =
        typeof w.g === 'string' &&
        typeof w.i === 'string' &&
        Array.isArray(w.m) &&
        isCount(w.n) &&
        Array.isArray(w.ac) &&
        w.ac.every(isId) &&
        isCount(w.ao) &&
        isCount(w.c) &&
        isCount(w.u) &&
        (w.mz === undefined || (Array.isArray(w.mz) && w.mz.every(isIdPair)));
      if (!ok) throw corrupt('a malformed aggregated group', context);
      const members: GroupMember<E>[] = (w.m as unknown[]).map((m) => {
        if (isIdPair(m)) return validMember(m[0], m[1]);
        const activity = fromWire<E>(m, context);
        return { id: activity.id, actor: activity.actor, activity };
      });
      const minimized = ((w.mz ?? []) as [string, Id][]).map(([id, actor]) =>
        validMember(id, actor),
      );
      if (members.length === 0 || (w.n as number) < members.length + minimized.length)
        throw corrupt('an aggregated group whose counts do not match its members', context);
      const record: GroupRecord<E> = {
        id: w.i as string,
        group: w.g as string,
        members,
        ...(minimized.length > 0 ? { minimized } : {}),
        activityCount: w.n as number,
        actors: w.ac as Id[],
        actorOverflow: w.ao as number,
        createdAt: w.c as number,
        updatedAt: w.u as number,
      };
      // A normalized group read back is valid as it is: encoding it again needs no check.
      return members.every((m) => m.activity === undefined) ? markValidGroup(record) : record;
    },
  });
}

/**
 * The text of each frozen member and minimized list of a valid group encoded so far (see
 * `encodeGroup`).
 */
const minimizedTexts = new WeakMap<object, string>();

/** `text.slice(from, from + length)`. */
const slice = (text: string, from: number, length: number): string =>
  text.slice(from, from + length);

/** The JSON of each frozen actor list of a valid group encoded so far (a merge keeps it when no actor is new). */
const actorTexts = new WeakMap<object, string>();

/** `JSON.stringify(actors)`, kept for the frozen list of a valid group (`keep`). */
function actorsText(actors: readonly Id[], keep: boolean): string {
  let text = actorTexts.get(actors);
  if (text === undefined) {
    text = JSON.stringify(actors);
    if (keep) actorTexts.set(actors, text);
  }
  return text;
}

/**
 * The members of a minimized list joined by commas: from the text of the list it was derived from
 * when that was kept (one add changes a member or two of about 100), else member by member.
 */
function minimizedText(list: readonly MinimizedMember[], keep: boolean): string {
  const known = minimizedTexts.get(list);
  if (known !== undefined) return known;
  const derivation = keep ? takeDerivation(list) : undefined;
  const baseText = derivation && minimizedTexts.get(derivation.base);
  if (derivation === undefined || baseText === undefined) {
    // Indexes, not map: array methods on a frozen array take a slow path in V8.
    let text = '';
    for (let i = 0; i < list.length; i++)
      text += i === 0 ? pairJson(list[i]!) : `,${pairJson(list[i]!)}`;
    return text;
  }
  const { base, head } = derivation;
  const kept = list.length - head;
  // The text of base's first `kept` members: its whole text less the dropped members (and commas).
  let end = baseText.length;
  for (let i = kept; i < base.length; i++) end -= pairJson(base[i] as MinimizedMember).length + 1;
  // Indexes, not slice or map: array methods on a frozen array take a slow path in V8.
  let headText = '';
  for (let i = 0; i < head; i++)
    headText += i === 0 ? pairJson(list[i]!) : `,${pairJson(list[i]!)}`;
  if (kept === 0) return headText;
  const keptText = end === baseText.length ? baseText : baseText.slice(0, end);
  return head === 0 ? keptText : `${headText},${keptText}`;
}

/** The text of each frozen valid member encoded so far (a group re-encodes most of its members). */
const pairTexts = new WeakMap<object, string>();

/**
 * `JSON.stringify([id, actor])` of a checked member: its id is an activity id (no character to
 * escape) and a numeric actor a non-negative safe integer.
 */
function pairJson(m: { readonly id: string; readonly actor: Id }): string {
  let text = pairTexts.get(m);
  if (text === undefined) {
    text = `["${m.id}",${typeof m.actor === 'number' ? m.actor : JSON.stringify(m.actor)}]`;
    if (isValidMember(m)) pairTexts.set(m, text);
  }
  return text;
}

/** The keyed form of an activity: see {@link createJsonSerializer}. */
function toKeyed(a: Activity<ExtraData>): unknown[] {
  const time = a.time.getTime();
  const k: unknown[] = [
    KEYED_FORMAT_VERSION,
    a.actor,
    a.verb,
    a.object,
    a.target ?? null,
    Object.keys(a.extra).length > 0 ? a.extra : null,
    a.foreignId ?? null,
    a.to.length > 0 ? [...a.to] : null,
    time === timeOfActivityId(a.id) ? null : time,
  ];
  while (k[k.length - 1] === null) k.pop();
  return k;
}

function parse(payload: string, context: DecodeContext | undefined): Record<string, unknown> {
  return versioned(parseJson(payload, context), context);
}

function parseJson(payload: string, context: DecodeContext | undefined): unknown {
  if (typeof payload !== 'string') throw corrupt('a non-string payload', context);
  try {
    return JSON.parse(payload);
  } catch (cause) {
    throw corrupt('invalid JSON', context, cause);
  }
}

/** A parsed object payload of the current format version. */
function versioned(value: unknown, context: DecodeContext | undefined): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw corrupt('JSON that is not an object', context);
  const v = (value as Record<string, unknown>).v;
  if (v !== JSON_FORMAT_VERSION)
    throw corrupt(`an unsupported format version ${JSON.stringify(v)}`, context);
  return value as Record<string, unknown>;
}

function fromWire<E extends ExtraData>(
  value: unknown,
  context: DecodeContext | undefined,
): Activity<E> {
  if (typeof value !== 'object' || value === null) throw corrupt('a malformed activity', context);
  const w = value as Record<string, unknown>;
  return toActivity<E>(w.i, w.a, w.b, w.o, w.t, w.m, w.f, w.x, w.to, context, false);
}

/** Element `i` of a keyed array, `null` or past the end read as absent. */
function keyedAt(k: readonly unknown[], i: number): unknown {
  const v = k[i];
  return v === null ? undefined : v;
}

/** Decodes the keyed form (see {@link createJsonSerializer}); the id comes from `context.id`. */
function fromKeyed<E extends ExtraData>(
  k: unknown[],
  context: DecodeContext | undefined,
): Activity<E> {
  const id = context?.id;
  const idTime = timeOfCheckedActivityId(id);
  if (idTime < 0)
    throw corrupt('a keyed activity payload without the activity id it is stored under', context);
  if (k[0] !== KEYED_FORMAT_VERSION)
    throw corrupt(`an unsupported keyed format version ${JSON.stringify(k[0])}`, context);
  if (k.length < 4 || k.length > KEYED_LENGTH)
    throw corrupt(`a keyed activity of ${k.length} elements`, context);
  const time = keyedAt(k, 8);
  return toActivity<E>(
    id,
    k[1],
    k[2],
    k[3],
    keyedAt(k, 4),
    time === undefined ? idTime : time,
    keyedAt(k, 6),
    keyedAt(k, 5),
    keyedAt(k, 7),
    context,
    true,
  );
}

/** The `to` of an activity read back without one: one frozen empty array for all of them. */
const NO_TO: readonly string[] = Object.freeze([]);

/**
 * Validates parsed fields as strictly as createActivity would, and freezes the activity (`idOk`:
 * the caller has checked the id already). Cheap on purpose, it runs for every activity a feed
 * reads: no copies, and a flat `extra` (the usual) is checked without allocating.
 */
function toActivity<E extends ExtraData>(
  id: unknown,
  actor: unknown,
  verb: unknown,
  object: unknown,
  target: unknown,
  time: unknown,
  foreignId: unknown,
  extra: unknown,
  to: unknown,
  context: DecodeContext | undefined,
  idOk: boolean,
): Activity<E> {
  const ok =
    (idOk || isActivityId(id)) &&
    isId(actor) &&
    typeof verb === 'string' &&
    verb.length > 0 &&
    isId(object) &&
    (target === undefined || isId(target)) &&
    isCount(time) &&
    (foreignId === undefined || typeof foreignId === 'string') &&
    (extra === undefined ||
      (typeof extra === 'object' && extra !== null && !Array.isArray(extra))) &&
    (to === undefined || (Array.isArray(to) && to.every(isString)));
  if (!ok) throw corrupt('a malformed activity', context);
  if (extra !== undefined) {
    const problem = storedExtraProblem(extra as Record<string, unknown>);
    if (problem) throw corrupt(problem, context);
  }
  return built<E>(
    id as string,
    actor as Id,
    verb as string,
    object as Id,
    target as Id | undefined,
    time as number,
    foreignId as string | undefined,
    extra as object | undefined,
    to === undefined || (to as string[]).length === 0 ? NO_TO : (to as string[]),
  );
}

/** The frozen, trusted activity of checked fields (one shape for every decoded activity). */
function built<E extends ExtraData>(
  id: string,
  actor: Id,
  verb: string,
  object: Id,
  target: Id | undefined,
  time: number,
  foreignId: string | undefined,
  extra: object | undefined,
  to: readonly string[],
): Activity<E> {
  return freezeActivity<E>({
    id,
    actor,
    verb,
    object,
    target,
    time: new Date(time),
    foreignId,
    extra: (extra ?? {}) as E,
    to,
  });
}

const isString = (r: unknown): r is string => typeof r === 'string';

/**
 * What createActivity would have rejected in extra data read back from storage: nesting deeper
 * than MAX_JSON_DEPTH (which later encoding or copying could not handle) or a prototype-pollution
 * key. JSON gives only plain values, so nothing else can be wrong. Iterative: a planted payload
 * nested 100,000 levels deep must not overflow the stack.
 */
function storedExtraProblem(extra: Record<string, unknown>): string | undefined {
  // The usual extra: a flat object of plain values, checked key by key without a stack.
  let nested = false;
  for (const key in extra) {
    if (FORBIDDEN_KEYS.has(key)) return `extra with the forbidden key ${JSON.stringify(key)}`;
    const value = extra[key];
    if (typeof value === 'object' && value !== null) nested = true;
  }
  if (!nested) return undefined;
  const stack: [unknown, number][] = [[extra, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, depth] = item;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) return `extra nested deeper than ${MAX_JSON_DEPTH} levels`;
    if (Array.isArray(value)) {
      for (const v of value) stack.push([v, depth + 1]);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `extra with the forbidden key ${JSON.stringify(key)}`;
      stack.push([(value as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return undefined;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function corrupt(
  what: string,
  context: DecodeContext | undefined,
  cause?: unknown,
): SerializationError {
  // A context from a caller may hold anything: show() never throws (BigInt, cycles).
  const named = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : show(v));
  const where = [
    context?.key && `key ${named(context.key)}`,
    context?.id && `id ${named(context.id)}`,
  ]
    .filter(Boolean)
    .join(', ');
  return new SerializationError(`cannot decode payload${where ? ` at ${where}` : ''}: ${what}`, {
    cause,
    details: { key: context?.key, id: context?.id },
  });
}
