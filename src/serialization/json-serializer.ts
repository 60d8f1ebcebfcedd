import { type Activity, freezeActivity } from '../activity/activity.js';
import { type Id, isActivityId } from '../activity/ids.js';
import { type JsonObject, MAX_JSON_DEPTH } from '../activity/json.js';
import type { GroupMember, GroupRecord } from '../aggregation/group.js';
import { SerializationError, ValidationError } from '../errors.js';
import type { DecodeContext, Serializer } from './serializer.js';

/** Options of {@link jsonSerializer}. */
export interface JsonSerializerOptions {
  /** Longest encoded activity, in characters; longer ones are rejected with `LIMIT_EXCEEDED`. @default 65536 */
  readonly maxActivityLength?: number;
}

/** Current version of the JSON wire format; written as `v` in every payload. */
export const JSON_FORMAT_VERSION = 1;

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
 * The default serializer: compact, versioned JSON (`{"v":1,"i":id,"a":actor,"b":verb,...}`).
 * No eval, no pickle; `;` and `,` in extra data are ordinary characters.
 */
export function jsonSerializer(options: JsonSerializerOptions = {}): Serializer {
  const maxLength = options.maxActivityLength ?? 65536;
  if (!Number.isSafeInteger(maxLength) || maxLength <= 0) {
    throw new ValidationError(
      'INVALID_OPTION',
      `maxActivityLength must be a positive integer, got ${maxLength}`,
    );
  }
  const toWire = (a: Activity): ActivityWire => {
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
    if (Object.keys(a.extra).length > 0) w.x = a.extra;
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
  return Object.freeze({
    name: 'json-v1',
    encodeActivity: <E extends JsonObject>(activity: Activity<E>) =>
      checkLength(JSON.stringify(toWire(activity)), activity.id),
    decodeActivity: <E extends JsonObject>(payload: string, context?: DecodeContext) =>
      fromWire<E>(parse(payload, context), context),
    encodeGroup<E extends JsonObject>(g: GroupRecord<E>): string {
      return JSON.stringify({
        v: JSON_FORMAT_VERSION,
        g: g.group,
        i: g.id,
        m: g.members.map((m) => (m.activity ? toWire(m.activity) : [m.id, m.actor])),
        ...(g.minimized && g.minimized.length > 0
          ? { mz: g.minimized.map((m) => [m.id, m.actor]) }
          : {}),
        n: g.activityCount,
        ac: g.actors,
        ao: g.actorOverflow,
        c: g.createdAt,
        u: g.updatedAt,
      });
    },
    decodeGroup<E extends JsonObject>(payload: string, context?: DecodeContext): GroupRecord<E> {
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
        if (isIdPair(m)) return { id: m[0], actor: m[1] };
        const activity = fromWire<E>(m, context);
        return { id: activity.id, actor: activity.actor, activity };
      });
      const minimized = ((w.mz ?? []) as [string, Id][]).map(([id, actor]) => ({ id, actor }));
      if (members.length === 0 || (w.n as number) < members.length + minimized.length)
        throw corrupt('an aggregated group whose counts do not match its members', context);
      return {
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
    },
  });
}

function parse(payload: string, context: DecodeContext | undefined): Record<string, unknown> {
  if (typeof payload !== 'string') throw corrupt('a non-string payload', context);
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (cause) {
    throw corrupt('invalid JSON', context, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw corrupt('JSON that is not an object', context);
  const v = (value as Record<string, unknown>).v;
  if (v !== JSON_FORMAT_VERSION)
    throw corrupt(`an unsupported format version ${JSON.stringify(v)}`, context);
  return value as Record<string, unknown>;
}

function fromWire<E extends JsonObject>(
  value: unknown,
  context: DecodeContext | undefined,
): Activity<E> {
  const w = value as Record<string, unknown>;
  const ok =
    typeof w === 'object' &&
    w !== null &&
    isActivityId(w.i) &&
    isId(w.a) &&
    typeof w.b === 'string' &&
    w.b.length > 0 &&
    isId(w.o) &&
    (w.t === undefined || isId(w.t)) &&
    isCount(w.m) &&
    (w.f === undefined || typeof w.f === 'string') &&
    (w.x === undefined || (typeof w.x === 'object' && w.x !== null && !Array.isArray(w.x))) &&
    (w.to === undefined || (Array.isArray(w.to) && w.to.every((r) => typeof r === 'string')));
  if (!ok) throw corrupt('a malformed activity', context);
  if (w.x !== undefined) {
    const problem = storedExtraProblem(w.x);
    if (problem) throw corrupt(problem, context);
  }
  return freezeActivity<E>({
    id: w.i as string,
    actor: w.a as Id,
    verb: w.b as string,
    object: w.o as Id,
    target: w.t as Id | undefined,
    time: new Date(w.m as number),
    foreignId: w.f as string | undefined,
    extra: (w.x ?? {}) as E,
    to: (w.to as string[] | undefined) ?? [],
  });
}

function isId(value: unknown): value is Id {
  return (
    (typeof value === 'string' && value.length > 0) ||
    (Number.isSafeInteger(value) && (value as number) >= 0)
  );
}

/**
 * What createActivity would have rejected in extra data read back from storage: nesting deeper
 * than MAX_JSON_DEPTH (which later encoding or copying could not handle) or a prototype-pollution
 * key. JSON gives only plain values, so nothing else can be wrong. Iterative: a planted payload
 * nested 100,000 levels deep must not overflow the stack.
 */
function storedExtraProblem(extra: unknown): string | undefined {
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

/** A normalized group member or a minimized one: `[activity id, actor]`. */
function isIdPair(value: unknown): value is [string, Id] {
  return Array.isArray(value) && value.length === 2 && isActivityId(value[0]) && isId(value[1]);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function corrupt(
  what: string,
  context: DecodeContext | undefined,
  cause?: unknown,
): SerializationError {
  const where = [
    context?.key && `key ${JSON.stringify(context.key)}`,
    context?.id && `id ${JSON.stringify(context.id)}`,
  ]
    .filter(Boolean)
    .join(', ');
  return new SerializationError(`cannot decode payload${where ? ` at ${where}` : ''}: ${what}`, {
    cause,
    details: { key: context?.key, id: context?.id },
  });
}
