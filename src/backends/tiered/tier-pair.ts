/**
 * The two tiers of a tiered timeline seen through one view (the full timelines, or their id-only
 * views): each call names its tier in a failure, and the refill that keeps the hot tier equal to
 * the newest `hotMaxLength` entries of the durable tier.
 * @module
 */
import type {
  IdOnlyTimeline,
  TimelineEntry,
  TimelineStorage,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import { onTier, type Tier } from './tier-call.js';

/** What both kinds of view share: a {@link TimelineStorage} is one too. */
export type TierView = IdOnlyTimeline;

/**
 * A hot and a durable view of the same timelines. The invariant the tiered storage keeps: the
 * hot tier holds the newest `min(hotMaxLength, count)` entries of the durable tier, or nothing
 * (a cold or evicted timeline). Writes keep it (the newest `n` of a union are the newest `n` of
 * the newest `n` and the new entries); removals and refills restore it.
 */
export class TierPair {
  readonly hot: TierView;
  readonly durable: TierView;
  readonly hotMaxLength: number;

  constructor(hot: TierView, durable: TierView, hotMaxLength: number) {
    this.hot = hot;
    this.durable = durable;
    this.hotMaxLength = hotMaxLength;
  }

  /** Runs `fn` on one tier; a failure is a BackendError naming the tier. */
  on<T>(
    tier: Tier,
    operation: string,
    key: string | undefined,
    fn: (view: TierView) => Promise<T>,
  ) {
    const view = tier === 'hot' ? this.hot : this.durable;
    return onTier<T>({ tier, backend: view.name, operation, key }, () => fn(view));
  }

  /** The hot tier's write options: the write's `maxLength`, capped at `hotMaxLength`. */
  hotOptions(options: TimelineWriteOptions): { maxLength: number } {
    const { maxLength } = options;
    return {
      maxLength:
        maxLength === undefined ? this.hotMaxLength : Math.min(maxLength, this.hotMaxLength),
    };
  }

  /**
   * Makes the hot tier hold what the durable tier holds now for `ids` (after an update: present
   * ones rewritten when they differ, absent ones removed), in one atomic `update` of the hot
   * tier (`hot` is the full timeline storage of this pair's hot view), trimmed as the update
   * was (`options`, capped at `hotMaxLength`). Returns whether it removed anything (the hot tier may be short then).
   */
  async reconcile(
    key: string,
    ids: readonly string[],
    hot: TimelineStorage,
    options: TimelineWriteOptions,
  ): Promise<boolean> {
    const [now, held] = await Promise.all([
      this.on('durable', 'get', key, (d) => d.get(key, ids)),
      this.on('hot', 'get', key, (h) => h.get(key, ids)),
    ]);
    const put: TimelineEntry[] = [];
    const remove: string[] = [];
    ids.forEach((id, i) => {
      const truth = now[i];
      const cached = held[i];
      if (truth === undefined) {
        if (cached !== undefined) remove.push(id);
      } else if (
        cached === undefined ||
        cached.score !== truth.score ||
        cached.payload !== truth.payload
      ) {
        put.push(truth);
      }
    });
    if (put.length === 0 && remove.length === 0) {
      // Nothing to copy; the update's trim still applies (the durable tier was trimmed).
      if (options.maxLength !== undefined) {
        const { maxLength } = this.hotOptions(options);
        await this.on('hot', 'trim', key, (h) => h.trim(key, maxLength));
      }
      return false;
    }
    await this.on('hot', 'update', key, () =>
      hot.update(
        key,
        [],
        () => ({ changes: { put, remove }, result: undefined }),
        this.hotOptions(options),
      ),
    );
    return remove.length > 0;
  }

  /**
   * Brings the hot tier back to the durable tier's newest `hotMaxLength` entries when it holds
   * fewer than that and the durable tier holds more (cold, evicted, or short after a removal);
   * with `force`, whatever it holds. Bounded (`hotMaxLength` entries), idempotent (upserts by
   * id, trimmed to `hotMaxLength`), so concurrent refills converge. A removal that reached the
   * durable tier while the copy was in flight is undone in the hot tier right after.
   */
  async refill(key: string, force = false): Promise<void> {
    // A copy that raced a removal is undone, which leaves the hot tier short again: refill once
    // more then (a few rounds at most; a later read refills what is still short).
    for (let round = 0, again = true; again && round < 3; round++) {
      again = await this.#refillOnce(key, force && round === 0);
    }
  }

  /** One refill; whether the durable tier changed under it (the hot tier may be short again). */
  async #refillOnce(key: string, force: boolean): Promise<boolean> {
    const max = this.hotMaxLength;
    if (!force) {
      const held = await this.on('hot', 'count', key, (hot) => hot.count(key));
      if (held >= max) return false;
      const total = await this.on('durable', 'count', key, (d) => d.count(key));
      if (total <= held) return false;
    }
    const newest = await this.on('durable', 'range', key, (d) =>
      d.range(key, { order: 'desc', limit: max }),
    );
    if (newest.length === 0) return false;
    await this.on('hot', 'refill', key, (hot) => hot.add(key, newest, { maxLength: max }));
    const now = await this.on('durable', 'get', key, (d) =>
      d.get(
        key,
        newest.map((e) => e.id),
      ),
    );
    const gone: string[] = [];
    const changed: TimelineEntry[] = [];
    newest.forEach((entry, i) => {
      const current = now[i];
      if (current === undefined) gone.push(entry.id);
      else if (current.score !== entry.score || current.payload !== entry.payload) {
        changed.push(current);
      }
    });
    if (gone.length > 0) await this.on('hot', 'refill', key, (hot) => hot.remove(key, gone));
    if (changed.length > 0) {
      await this.on('hot', 'refill', key, (hot) => hot.add(key, changed, { maxLength: max }));
    }
    return gone.length > 0 || changed.length > 0;
  }
}
