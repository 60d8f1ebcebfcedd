/**
 * `createEnricher` (see {@link Enricher}): resolves the `actor`, `object` and `target`
 * references of feed pages through app-supplied batch loaders, once per kind per page, with a
 * per-request cache of promises (two pages enriched at once share one load of an id).
 * @module
 */
import type { Activity } from '../activity/activity.js';
import { describe, type Id } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import { EnrichmentError } from '../errors.js';
import type { FeedPage } from '../feeds/read-options.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { invalidOption } from '../validation/values.js';
import type {
  EnrichedPage,
  Enricher,
  EnrichmentCache,
  EnrichmentKind,
  EnrichOptions,
  Loaders,
  References,
  UnresolvedReference,
} from './types.js';

const KINDS: readonly EnrichmentKind[] = ['actor', 'object', 'target'];
const LOADER_KEYS = optionKeys<Loaders>({ actor: true, object: true, target: true });
const ENRICH_KEYS = optionKeys<EnrichOptions<Loaders>>({ cache: true });

/**
 * What the cache holds per id: the value once loaded (`undefined` or `null`: the loader did not
 * know it), or the pending load a concurrent page waits for.
 */
type Slot = { readonly value: unknown } | { readonly pending: Promise<unknown> };

/** The cache behind an {@link EnrichmentCache}, per kind. */
class Cache implements EnrichmentCache<Loaders> {
  readonly slots: Record<EnrichmentKind, Map<Id, Slot>> = {
    actor: new Map(),
    object: new Map(),
    target: new Map(),
  };
  constructor(readonly owner: object) {}
  size(kind: EnrichmentKind): number {
    return this.slots[kind].size;
  }
}

/** A page item: an activity, or a group holding activities. */
type Item =
  | Activity<ExtraData>
  | { readonly activities: readonly Activity<ExtraData>[] }
  | { readonly activity: Activity<ExtraData> };

/**
 * Creates an {@link Enricher} from batch loaders, one per reference kind to resolve (at least
 * one of `actor`, `object`, `target`; `INVALID_OPTION` otherwise). Each loader's value type
 * becomes the type of that reference in `refs(activity)`.
 * @example
 * const enricher = createEnricher({
 *   actor: async (ids) => db.usersByIds(ids),   // (User | undefined)[] or Map<Id, User>
 *   object: async (ids) => db.pinsByIds(ids),
 * });
 * const cache = enricher.createCache();          // one per request
 * const page = await enricher.enrich(await feed.read({ limit: 25 }), { cache });
 * for (const a of page.items) page.refs(a).actor; // User | undefined
 */
export function createEnricher<const L extends Loaders>(loaders: L): Enricher<L> {
  const o = checkOptions<Loaders>(loaders, LOADER_KEYS, 'createEnricher');
  const active: [EnrichmentKind, NonNullable<Loaders[EnrichmentKind]>][] = [];
  for (const kind of KINDS) {
    const loader: unknown = o[kind];
    if (loader === undefined) continue;
    if (typeof loader !== 'function') {
      throw invalidOption(
        kind,
        `createEnricher: ${kind} must be a batch loader function, got ${describe(loader)}`,
      );
    }
    active.push([kind, loader as NonNullable<Loaders[EnrichmentKind]>]);
  }
  if (active.length === 0) {
    throw invalidOption(
      'actor',
      'createEnricher: give at least one loader (actor, object or target)',
    );
  }
  const self = {};

  async function enrich<T extends Item>(
    page: FeedPage<T>,
    options?: EnrichOptions<L>,
  ): Promise<EnrichedPage<T, L>> {
    const opts = checkOptions<EnrichOptions<L>>(options, ENRICH_KEYS, 'enrich', true);
    const cache = opts.cache ?? new Cache(self);
    if (!(cache instanceof Cache) || cache.owner !== self) {
      throw invalidOption('cache', "enrich: cache must come from this enricher's createCache()");
    }
    const activities = activitiesOf(page);
    // One load per kind, for the ids not cached yet; every kind at once.
    const loads = active.map(([kind, loader]) =>
      load(kind, loader, refsOf(activities, kind), cache),
    );
    // A page whose references are all cached waits for nothing.
    const values = loads.every((l) => l instanceof Map)
      ? (loads as Map<Id, unknown>[])
      : await Promise.all(loads);
    const got: Partial<Record<EnrichmentKind, Map<Id, unknown>>> = {};
    active.forEach(([kind], i) => {
      got[kind] = values[i];
    });
    const resolved = new Map<string, References<L>>();
    const unresolved: UnresolvedReference[] = [];
    for (const a of activities) {
      if (resolved.has(a.id)) continue;
      const missing: EnrichmentKind[] = [];
      const refs = {
        actor: pick(got.actor, 'actor', a, missing, unresolved),
        object: pick(got.object, 'object', a, missing, unresolved),
        target: pick(got.target, 'target', a, missing, unresolved),
        missing: Object.freeze(missing),
      };
      resolved.set(a.id, Object.freeze(refs) as References<L>);
    }
    return Object.freeze({
      items: page.items,
      next: page.next,
      missing: page.missing,
      unresolved: Object.freeze(unresolved),
      refs: (activity: Activity<ExtraData>) =>
        resolved.get(activity?.id) ?? (NONE as References<L>),
    });
  }

  return Object.freeze({
    enrich,
    createCache: () => new Cache(self) as EnrichmentCache<L>,
  });
}

const NONE = Object.freeze({
  actor: undefined,
  object: undefined,
  target: undefined,
  missing: Object.freeze([]),
});

/**
 * The value of one reference of `a` (`undefined` without a loader or a reference); one the
 * loader did not know is added to `missing` and `unresolved`.
 */
function pick(
  values: Map<Id, unknown> | undefined,
  kind: EnrichmentKind,
  a: Activity<ExtraData>,
  missing: EnrichmentKind[],
  unresolved: UnresolvedReference[],
): unknown {
  const id = a[kind];
  if (values === undefined || id === undefined) return undefined;
  const value = values.get(id);
  if (value !== undefined && value !== null) return value;
  missing.push(kind);
  unresolved.push({ activityId: a.id, kind, id });
  return undefined;
}

/** Every activity of a page: the flat items, or the activities of its groups. */
function activitiesOf(page: FeedPage<Item>): Activity<ExtraData>[] {
  if (typeof page !== 'object' || page === null || !Array.isArray(page.items)) {
    throw invalidOption(
      'page',
      `enrich: expected a feed page ({ items, next, missing }), got ${describe(page)}`,
    );
  }
  const out: Activity<ExtraData>[] = [];
  for (const item of page.items) {
    if (typeof item !== 'object' || item === null) {
      throw invalidOption('page', `enrich: a page item must be an object, got ${describe(item)}`);
    }
    if ('activities' in item && Array.isArray(item.activities)) out.push(...item.activities);
    else if ('activity' in item && typeof item.activity === 'object' && item.activity !== null) {
      out.push(item.activity); // a ranked feed's item
    } else out.push(item as Activity<ExtraData>);
  }
  return out;
}

/** The distinct references of `kind` among `activities`. */
function refsOf(activities: readonly Activity<ExtraData>[], kind: EnrichmentKind): Id[] {
  const ids = new Set<Id>();
  for (const a of activities) {
    const id = a[kind];
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}

/**
 * The values of `ids` for one kind: cached ones from the cache (synchronously when every id is
 * loaded already), the others from one loader call, cached at once as pending, so a concurrent page waits for
 * this call instead of loading again; dropped from the cache when the call fails.
 */
function load(
  kind: EnrichmentKind,
  loader: NonNullable<Loaders[EnrichmentKind]>,
  ids: readonly Id[],
  cache: Cache,
): Map<Id, unknown> | Promise<Map<Id, unknown>> {
  const slots = cache.slots[kind];
  const out = new Map<Id, unknown>();
  for (const id of ids) {
    const slot = slots.get(id);
    if (slot === undefined || !('value' in slot)) return loadMissing(kind, loader, ids, cache);
    out.set(id, slot.value);
  }
  return out;
}

/** {@link load} when some of `ids` are not loaded yet. */
async function loadMissing(
  kind: EnrichmentKind,
  loader: NonNullable<Loaders[EnrichmentKind]>,
  ids: readonly Id[],
  cache: Cache,
): Promise<Map<Id, unknown>> {
  const slots = cache.slots[kind];
  const fresh = ids.filter((id) => !slots.has(id));
  if (fresh.length > 0) {
    const call = callLoader(kind, loader, fresh);
    for (const [i, id] of fresh.entries()) {
      const pending = call.then((values) => values[i]);
      pending.catch(() => {}); // the error is thrown below; a concurrent page awaiting it sees it too
      slots.set(id, { pending });
    }
    try {
      const values = await call;
      for (const [i, id] of fresh.entries()) slots.set(id, { value: values[i] });
    } catch (error) {
      for (const id of fresh) slots.delete(id);
      throw error;
    }
  }
  const out = new Map<Id, unknown>();
  for (const id of ids) {
    const slot = slots.get(id)!;
    out.set(id, 'value' in slot ? slot.value : await slot.pending);
  }
  return out;
}

/** One loader call, its result checked and made positional; failures become EnrichmentErrors. */
async function callLoader(
  kind: EnrichmentKind,
  loader: NonNullable<Loaders[EnrichmentKind]>,
  ids: readonly Id[],
): Promise<readonly unknown[]> {
  let result: unknown;
  try {
    result = await loader(Object.freeze([...ids]));
  } catch (error) {
    throw new EnrichmentError(
      `enrich: the ${kind} loader failed for ${ids.length} ids: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, details: { kind, ids: ids.length } },
    );
  }
  if (result instanceof Map) return ids.map((id) => result.get(id));
  // null counts as unknown too (what most database clients return for a missing row)
  if (Array.isArray(result) && result.length === ids.length) return result;
  throw new EnrichmentError(
    `enrich: the ${kind} loader must return an array of ${ids.length} values (one per id, undefined when unknown) or a Map, got ${describe(result)}`,
    { details: { kind, ids: ids.length } },
  );
}
