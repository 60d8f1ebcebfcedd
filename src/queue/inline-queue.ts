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

/**
 * A queue that runs tasks in this process before `enqueue` resolves: the Python original's
 * Celery "eager" mode, the default of `createManager` and the queue for tests. A failing task
 * rejects `enqueue` with its error once the tasks already started have settled; tasks not yet
 * started are not run. Retrying the manager operation is safe because every handler is idempotent.
 * @example
 * const manager = createManager({ ..., queue: createInlineQueue({ concurrency: 4 }) });
 */
export function createInlineQueue(options: InlineQueueOptions = {}): TaskQueue {
  const o = checkOptions<InlineQueueOptions>(options, INLINE_KEYS, 'createInlineQueue');
  const concurrency = intOptionOr(o.concurrency, 1, 'createInlineQueue concurrency', 1, 1000);
  const roundTrip = boolOptionOr(o.roundTrip, true, 'createInlineQueue roundTrip');
  let sequence = 0;

  return Object.freeze({
    name: 'inline',
    async enqueue(
      tasks: readonly Task[],
      _options: EnqueueOptions,
      run: TaskRunner,
    ): Promise<TaskBatch> {
      const ids = tasks.map(() => `inline:${++sequence}`);
      await forEachLimited(tasks, concurrency, (task) =>
        run(roundTrip ? parseTask(JSON.stringify(task)) : task),
      );
      return completedBatch(ids);
    },
  });
}
