/**
 * The activity driver of a tiered storage: payloads are written to the durable tier, then to
 * the hot tier; reads ask the hot tier and fetch the ids it misses from the durable tier,
 * copying what they found back into the hot tier (a read-through refill). See docs/tiered.md.
 * @module
 */
import type { ActivityDriver, ActivityStorage } from '../../storage/contracts.js';
import { onTier, type Tier } from './tier-call.js';

/** An {@link ActivityDriver} over two activity storages (hot and durable). */
export class TieredActivityStorage implements ActivityDriver {
  readonly name: string;
  readonly #hot: ActivityStorage;
  readonly #durable: ActivityStorage;

  constructor(hot: ActivityStorage, durable: ActivityStorage) {
    this.name = `tiered(${hot.name}, ${durable.name})`;
    this.#hot = hot;
    this.#durable = durable;
  }

  #on<T>(tier: Tier, operation: string, fn: (storage: ActivityStorage) => Promise<T>) {
    const storage = tier === 'hot' ? this.#hot : this.#durable;
    return onTier<T>({ tier, backend: storage.name, operation }, () => fn(storage));
  }

  async getMany(ids: readonly string[]): Promise<(string | undefined)[]> {
    const found = await this.#on('hot', 'getMany', (hot) => hot.getMany(ids));
    const missing = ids.filter((_, i) => found[i] === undefined);
    if (missing.length === 0) return found;
    const deeper = await this.#on('durable', 'getMany', (d) => d.getMany(missing));
    const refill = missing.flatMap((id, i) =>
      deeper[i] === undefined ? [] : [{ id, payload: deeper[i] }],
    );
    if (refill.length > 0) await this.#refill(refill);
    let next = 0;
    return found.map((payload) => payload ?? deeper[next++]);
  }

  /**
   * Copies payloads read from the durable tier into the hot tier, then reads them again there:
   * one removed or replaced in the durable tier meanwhile is removed or replaced in the hot tier
   * too, so a refill racing a removal cannot bring the payload back.
   */
  async #refill(entries: readonly { id: string; payload: string }[]): Promise<void> {
    await this.#on('hot', 'refill', (hot) => hot.putMany(entries));
    const ids = entries.map((e) => e.id);
    const now = await this.#on('durable', 'getMany', (d) => d.getMany(ids));
    const gone = ids.filter((_, i) => now[i] === undefined);
    const changed = entries.flatMap((e, i) =>
      now[i] === undefined || now[i] === e.payload ? [] : [{ id: e.id, payload: now[i] }],
    );
    if (gone.length > 0) await this.#on('hot', 'refill', (hot) => hot.removeMany(gone));
    if (changed.length > 0) await this.#on('hot', 'refill', (hot) => hot.putMany(changed));
  }

  async putMany(entries: readonly { readonly id: string; readonly payload: string }[]) {
    await this.#on('durable', 'putMany', (d) => d.putMany(entries));
    await this.#on('hot', 'putMany', (hot) => hot.putMany(entries));
  }

  async removeMany(ids: readonly string[]): Promise<number> {
    const removed = await this.#on('durable', 'removeMany', (d) => d.removeMany(ids));
    await this.#on('hot', 'removeMany', (hot) => hot.removeMany(ids));
    return removed;
  }
}
