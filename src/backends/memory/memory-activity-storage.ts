import type { ActivityDriver } from '../../storage/contracts.js';

/** The in-memory activity storage: a Map per instance, no global state. */
export class MemoryActivityStorage implements ActivityDriver {
  readonly name = 'memory';
  readonly #payloads = new Map<string, string>();

  /** Number of stored activities (for leak checks). */
  get size(): number {
    return this.#payloads.size;
  }

  async getMany(ids: readonly string[]): Promise<(string | undefined)[]> {
    return ids.map((id) => this.#payloads.get(id));
  }

  async putMany(
    entries: readonly { readonly id: string; readonly payload: string }[],
  ): Promise<void> {
    for (const e of entries) this.#payloads.set(e.id, e.payload);
  }

  async removeMany(ids: readonly string[]): Promise<number> {
    let removed = 0;
    for (const id of ids) if (this.#payloads.delete(id)) removed += 1;
    return removed;
  }
}
