import type { TaskQueue } from '../queue/task-queue.js';
import type { Storage } from '../storage/contracts.js';
import type { SkippedGroups } from './groups.js';

/**
 * The backend a conformance suite runs against. `create` is called once per test and must return
 * storage isolated from every other call (a fresh instance, or a unique key prefix / keyspace), so
 * the suites never depend on FLUSHALL or on test order.
 */
export interface BackendUnderTest {
  /** Backend name shown in test titles, e.g. `'memory'`, `'redis'`. */
  readonly name: string;
  /** Returns fresh, isolated storage. */
  readonly create: () => Storage | Promise<Storage>;
  /** Called after each test with the storage it used (drop keys, close clients the test created). */
  readonly destroy?: ((storage: Storage) => void | Promise<void>) | undefined;
  /**
   * Groups of cases this backend skips, with reasons: `{ markers: 'not supported' }`. The cases
   * are registered with the runner's `test.skip`, the reason in their name.
   */
  readonly skip?: SkippedGroups | undefined;
  /**
   * Manager suite only: makes the queue a test's managers use instead of the inline queue, e.g.
   * a distributed queue with its workers (called once per manager; closed after the test). The
   * suite awaits each handle's `done()` before it reads what the tasks wrote.
   */
  readonly queue?: (() => QueueUnderTest) | undefined;
}

/** A queue under test, with what the manager suite calls after each test. */
export interface QueueUnderTest extends TaskQueue {
  /** Stops the queue's workers and closes what it opened. */
  close?(): Promise<void>;
}
