/**
 * Runs tasks one at a time per key, in call order; tasks of different keys run concurrently.
 * The Cassandra timeline storage queues its writes of one feed here, so concurrent writes from
 * one process do not make each other's lightweight transactions fail and retry; writers in other
 * processes are still serialized by the conditional commit.
 */
export class KeyQueue {
  readonly #tails = new Map<string, Promise<void>>();

  /** Number of keys with queued or running tasks. */
  get size(): number {
    return this.#tails.size;
  }

  /** Runs `task` after every task queued before it for `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
