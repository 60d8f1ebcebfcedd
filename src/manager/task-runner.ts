/**
 * The manager's task runner: {@link executeTask}, plus the logger's records and the task span
 * when the manager has a logger or tracing. Without either it is `executeTask` itself: the
 * fan-out path pays nothing for hooks nobody configured.
 * @module
 */
import type { ExtraData } from '../activity/json.js';
import { errorMessage, type LogFields, log } from '../metrics/logger.js';
import type { SpanAttributes, TracingSpan } from '../metrics/tracing.js';
import type { Task } from '../queue/task.js';
import type { TaskRunner } from '../queue/task-queue.js';
import type { ManagerConfig } from './options.js';
import { executeTask } from './tasks.js';

/** A task slower than this is logged at warn level (a slow backend or an oversized chunk). */
export const SLOW_TASK_MS = 10_000;

/** Ids and counts of a task, for its log records and span: never its activity payloads. */
export function taskFacts(task: Task): SpanAttributes & LogFields {
  if (task.type === 'fanout') {
    return {
      'stream_framework.task.kind': task.type,
      'stream_framework.feed': task.feed,
      'stream_framework.op': task.op,
      'stream_framework.users': task.userIds.length,
      'stream_framework.activities': task.activities.length + (task.ids?.length ?? 0),
    };
  }
  if (task.type === 'trim') {
    return {
      'stream_framework.task.kind': task.type,
      'stream_framework.feed': task.feed,
      'stream_framework.users': task.userIds.length,
    };
  }
  return {
    'stream_framework.task.kind': task.type,
    'stream_framework.user': task.userId,
    'stream_framework.targets': task.targetIds.length,
  };
}

/** Runs tasks for a manager (see the module comment). */
export function taskRunner<E extends ExtraData>(config: ManagerConfig<E>): TaskRunner {
  const { logger, tracing } = config;
  if (logger === undefined && tracing === undefined) return (task) => executeTask(config, task);
  const runLogged = async (task: Task, span?: TracingSpan): Promise<void> => {
    const started = performance.now();
    try {
      await executeTask(config, task, span);
    } catch (error) {
      log(
        logger,
        'warn',
        { ...taskFacts(task), err: errorMessage(error) },
        'stream-framework: task failed',
      );
      throw error;
    }
    if (logger === undefined) return;
    const durationMs = Math.round(performance.now() - started);
    if (durationMs >= SLOW_TASK_MS) {
      log(logger, 'warn', { ...taskFacts(task), durationMs }, 'stream-framework: slow task');
    } else log(logger, 'debug', { ...taskFacts(task), durationMs }, 'stream-framework: task ran');
  };
  if (tracing === undefined) return (task) => runLogged(task);
  return (task) =>
    tracing.span(
      'stream_framework.task',
      taskFacts(task),
      (span) => runLogged(task, span),
      task.trace,
    );
}
