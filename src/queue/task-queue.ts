/**
 * The boundary between the manager and background work. The manager turns every operation into
 * plain JSON {@link Task}s and hands them to a {@link TaskQueue}; an inline queue runs them at once,
 * a distributed queue (e.g. BullMQ) stores them for workers that call `manager.runTask`.
 * @module
 */
import type { Task, TaskPriority } from './task.js';

/** Runs one task in this process: the manager's own runner (`manager.runTask`). */
export type TaskRunner = (task: Task) => Promise<void>;

/** Options of one {@link TaskQueue.enqueue} call. */
export interface EnqueueOptions {
  /** Priority group of the tasks (the original routed HIGH and LOW to separate Celery tasks). */
  readonly priority: TaskPriority;
}

/** The tasks of one {@link TaskQueue.enqueue} call, to follow their progress. */
export interface TaskBatch {
  /** Queue-specific job ids, one per task. */
  readonly ids: readonly string[];
  /** Number of tasks in the batch. */
  readonly total: number;
  /** Tasks known to have completed so far (a distributed queue may only know it after `done`). */
  completed(): number;
  /** Resolves when every task completed; rejects when one failed for good. */
  done(): Promise<void>;
}

/**
 * A queue of tasks. Implementations must deliver every task at least once; the handlers are
 * idempotent, so a redelivered task is harmless.
 */
export interface TaskQueue {
  /** Name for logs and job ids, e.g. `'inline'`. */
  readonly name: string;
  /**
   * Enqueues `tasks` with a priority. `run` is the manager's in-process runner: an inline queue
   * calls it, a distributed queue ignores it because its workers call `manager.runTask`.
   * Resolves once the tasks are accepted (an inline queue: once they ran).
   */
  enqueue(tasks: readonly Task[], options: EnqueueOptions, run: TaskRunner): Promise<TaskBatch>;
  /**
   * Stops accepting tasks (a later `enqueue` rejects with a `ClosedError`), waits for the calls
   * in flight, and releases what the queue opened (never a client you gave it). Idempotent.
   */
  close?(): Promise<void>;
}

/** A batch whose tasks all completed (or that holds no task). */
export function completedBatch(ids: readonly string[]): TaskBatch {
  const frozen = Object.freeze([...ids]);
  return Object.freeze({
    ids: frozen,
    total: frozen.length,
    completed: () => frozen.length,
    done: () => Promise.resolve(),
  });
}

/** One batch standing for several: ids concatenated, counts summed, done when all are done. */
export function combineBatches(batches: readonly TaskBatch[]): TaskBatch {
  const all = [...batches];
  return Object.freeze({
    ids: Object.freeze(all.flatMap((b) => b.ids)),
    total: all.reduce((n, b) => n + b.total, 0),
    completed: () => all.reduce((n, b) => n + b.completed(), 0),
    done: async () => {
      await Promise.all(all.map((b) => b.done()));
    },
  });
}
