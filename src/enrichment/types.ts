/**
 * The public types of enrichment (`createEnricher`): app-supplied batch loaders that resolve an
 * activity's `actor`, `object` and `target` references, typed by what each loader returns.
 * Types only.
 * @module
 */
import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import type { FeedPage } from '../feeds/read-options.js';

/** A reference an activity carries, resolved by the loader of the same name. */
export type EnrichmentKind = 'actor' | 'object' | 'target';

/**
 * A batch loader (DataLoader-style): given distinct ids, returns their values either positionally
 * (an array of the same length, `undefined` or `null` for an id it does not know) or as a Map by
 * id (an absent id is missing). Called at most once per kind per page, only with ids not in the cache.
 * @typeParam V - what the loader resolves an id to (e.g. your `User`).
 */
export type BatchLoader<V> = (
  ids: readonly Id[],
) => Promise<readonly (V | undefined)[] | ReadonlyMap<Id, V>>;

/** The loaders of an enricher: one per reference kind to resolve (at least one). */
export interface Loaders {
  readonly actor?: BatchLoader<unknown> | undefined;
  readonly object?: BatchLoader<unknown> | undefined;
  readonly target?: BatchLoader<unknown> | undefined;
}

/** What the loader of kind `K` in `L` resolves to (`never` without one). */
export type LoadedValue<L extends Loaders, K extends EnrichmentKind> = K extends keyof L
  ? NonNullable<L[K]> extends BatchLoader<infer V>
    ? V
    : never
  : never;

/** The references of one activity, resolved. */
export interface References<L extends Loaders> {
  /** The actor's value, or `undefined` (no actor loader, or the loader did not know it). */
  readonly actor: LoadedValue<L, 'actor'> | undefined;
  /** The object's value, or `undefined`. */
  readonly object: LoadedValue<L, 'object'> | undefined;
  /** The target's value, or `undefined` (also when the activity has no target). */
  readonly target: LoadedValue<L, 'target'> | undefined;
  /** Kinds that have a loader and a reference on this activity, but that the loader did not know. */
  readonly missing: readonly EnrichmentKind[];
}

/** A reference a loader did not resolve. */
export interface UnresolvedReference {
  readonly activityId: string;
  readonly kind: EnrichmentKind;
  readonly id: Id;
}

/**
 * A page whose activities' references are resolved: the page as read (`items`, `next`,
 * `missing`), plus `refs(activity)` for any activity of it (flat items, or the `activities` of
 * aggregated and notification groups) and every reference a loader did not know.
 */
export interface EnrichedPage<T, L extends Loaders> extends FeedPage<T> {
  /** The resolved references of an activity of this page (all `undefined` for another one). */
  refs(activity: Activity<ExtraData>): References<L>;
  /** References the loaders did not resolve, in page order: reported, never thrown. */
  readonly unresolved: readonly UnresolvedReference[];
}

/**
 * A per-request cache of resolved references (`enricher.createCache()`): pass it to every
 * `enrich` of one request, so an id is loaded once across pages. Values are not refreshed: make
 * a new cache per request.
 */
export interface EnrichmentCache<L extends Loaders> {
  /** Ids cached for a kind (resolved or known missing). */
  size(kind: EnrichmentKind): number;
  /** Type-only: the loaders the cache belongs to (an enricher refuses another one's cache). */
  readonly [cacheOf]?: L;
}

/** Type-only brand of {@link EnrichmentCache}. */
declare const cacheOf: unique symbol;

/** Options of {@link Enricher.enrich}. */
export interface EnrichOptions<L extends Loaders> {
  /** Reuse what earlier pages of this request loaded. @default a fresh cache for this page */
  readonly cache?: EnrichmentCache<L> | undefined;
}

/** Resolves the references of feed pages through batch loaders (see `createEnricher`). */
export interface Enricher<L extends Loaders> {
  /**
   * Resolves the references of every activity of `page` (flat, aggregated, notification, or a
   * ranked feed's page, whose items hold an `activity`): one
   * loader call per kind for the ids not cached, in parallel. A loader that throws, or returns
   * something else than an array of the ids' length or a Map, rejects with an `EnrichmentError`
   * whose `details.kind` names it (nothing of that call is cached).
   */
  enrich<
    T extends
      | Activity<ExtraData>
      | { readonly activities: readonly Activity<ExtraData>[] }
      | { readonly activity: Activity<ExtraData> },
  >(page: FeedPage<T>, options?: EnrichOptions<L>): Promise<EnrichedPage<T, L>>;
  /** A cache for one request's pages. */
  createCache(): EnrichmentCache<L>;
}
