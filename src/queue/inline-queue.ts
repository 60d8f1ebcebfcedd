import { ClosedError } from '../errors.js';
import { forEachLimited } from '../util/for-each-limited.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { boolOptionOr, intOptionOr } from '../validation/values.js';
import { parseTask, type Task } from './task.js';
import {
  completedBatch,
  type EnqueueOptions,
  type TaskBatch,
  type TaskQueue,
  type TaskRunner,
} from './task-queue.js';

/** Options of {@link createInlineQueue}. */
export interface InlineQueueOptions {
  /** Tasks run at the same time. @default 1 (sequential and deterministic) */
  readonly concurrency?: number | undefined;
  /**
   * Pass each task through `JSON.stringify`/`parseTask` before running it, as a distributed
   * queue would, so that anything that only works in-process fails here too. @default true
   */
  readonly roundTrip?: boolean | undefined;
}

const INLINE_KEYS = optionKeys<InlineQueueOptions>({ concurrency: true, roundTrip: true });

/** The queue {@link createInlineQueue} returns: a {@link TaskQueue} with a `close`. */
export interface InlineQueue extends TaskQueue {
  /** Always `'inline'`. */
  readonly name: 'inline';
  /**
   * Stops accepting tasks (`enqueue` then rejects with a `ClosedError` and runs nothing) and
   * resolves once the `enqueue` calls in flight settled. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * A queue that runs tasks in this process before `enqueue` resolves: the Python original's
 * Celery "eager" mode, the default of `createManager` and the queue for tests. A failing task
 * rejects `enqueue` with its error once the tasks already started have settled; tasks not yet
 * started are not run. Retrying the manager operation is safe because every handler is idempotent.
 * `close()` lets the batches in flight finish and refuses new ones.
 * @example
 * const manager = createManager({ ..., queue: createInlineQueue({ concurrency: 4 }) });
 */
export function createInlineQueue(options: InlineQueueOptions = {}): InlineQueue {
  const o = checkOptions<InlineQueueOptions>(options, INLINE_KEYS, 'createInlineQueue');
  const concurrency = intOptionOr(o.concurrency, 1, 'createInlineQueue concurrency', 1, 1000);
  const roundTrip = boolOptionOr(o.roundTrip, true, 'createInlineQueue roundTrip');
  let sequence = 0;
  const inFlight = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;

  return Object.freeze({
    name: 'inline' as const,
    async enqueue(
      tasks: readonly Task[],
      _options: EnqueueOptions,
      run: TaskRunner,
    ): Promise<TaskBatch> {
      if (closing) throw new ClosedError('createInlineQueue: the queue is closed');
      const ids = tasks.map(() => `inline:${++sequence}`);
      const running = forEachLimited(tasks, concurrency, (task) =>
        run(roundTrip ? parseTask(JSON.stringify(task)) : task),
      );
      inFlight.add(running);
      try {
        await running;
      } finally {
        inFlight.delete(running);
      }
      return completedBatch(ids);
    },
    close() {
      closing ??= Promise.allSettled([...inFlight]).then(() => {});
      return closing;
    },
  });
}
