import { type Queue, QueueEvents } from 'bullmq';
import { asBackendError, BackendError } from '../../errors.js';
import type { BullmqConnection } from './connection.js';
import { finalOutcomes } from './job-outcomes.js';
import { batchJobId } from './jobs.js';

/** The failure reason of a job pruned from Redis whose final event is gone too. */
const UNKNOWN_OUTCOME =
  'its outcome is unknown: the job was removed from Redis (removeOnComplete / removeOnFail) and its final event from the events stream before done() read them; it may have failed (see listFailed() and the worker logs)';

/** What a caller waiting on some jobs is told. */
interface Waiter {
  readonly pending: Set<string>;
  onCompleted(jobId: string): void;
  onFailed(jobId: string, reason: string): void;
}

/**
 * Follows the jobs of one BullMQ queue until they complete or fail for good, for
 * `TaskBatch.done()`. One `QueueEvents` reader per queue (created on first use, on a connection
 * BullMQ duplicates and closes) with one listener per event type, dispatching by job id: waiting
 * on many jobs adds no listener per job (BullMQ's `waitUntilFinished` does, gotcha 8).
 *
 * No completion is missed: the reader starts right after the last event present when it was
 * created, waiters register before the job states are read, and the states of jobs still pending
 * are read again every `pollMs` in case an event was lost (reconnect, trimmed stream). Neither a
 * reader that cannot start nor a state read that never settles holds a wait up: polling goes on
 * without the reader, and a read pending for 10 polls (at least 5 s) is abandoned for a new one.
 * A job no longer in Redis was removed by `removeOnComplete` / `removeOnFail` after it
 * finished: its final event in the events stream says whether it completed or failed, and
 * without one `done()` rejects (outcome unknown) rather than report a success it cannot vouch for.
 */
export class JobWatcher {
  readonly #queue: Queue;
  readonly #connection: BullmqConnection;
  readonly #prefix: string;
  readonly #pollMs: number;
  readonly #waiters = new Map<string, Set<Waiter>>();
  #events: Promise<QueueEvents> | undefined;
  /** The event reader once created (its start may still be pending before that). */
  #reader: QueueEvents | undefined;
  #closed = false;

  constructor(queue: Queue, connection: BullmqConnection, prefix: string, pollMs: number) {
    this.#queue = queue;
    this.#connection = connection;
    this.#prefix = prefix;
    this.#pollMs = pollMs;
  }

  /**
   * Resolves once every job of `jobIds` completed (calling `onCompleted` once per job); rejects
   * with a BackendError carrying the reason as soon as one failed for good.
   */
  async wait(jobIds: readonly string[], onCompleted: (jobId: string) => void): Promise<void> {
    const pending = new Set(jobIds);
    if (pending.size === 0) return;
    this.#checkOpen();
    // The event reader only speeds things up: polling alone finishes every wait, so a reader
    // that cannot start (its connection replaced during a failover, a ready event that never
    // comes) must not hold the wait up.
    this.#start().catch(() => {});
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (error?: Error) => {
        clearInterval(timer);
        for (const id of jobIds) this.#waiters.get(id)?.delete(waiter);
        for (const id of jobIds) if (this.#waiters.get(id)?.size === 0) this.#waiters.delete(id);
        if (error) reject(error);
        else resolve();
      };
      const waiter: Waiter = {
        pending,
        onCompleted: (id) => {
          if (!pending.delete(id)) return;
          onCompleted(id);
          if (pending.size === 0) finish();
        },
        onFailed: (id, reason) => {
          if (!pending.has(id)) return;
          const unknown = reason === UNKNOWN_OUTCOME;
          const job = batchJobId(this.#queue.name, id);
          finish(
            new BackendError(`[bullmq] job ${job}${unknown ? ':' : ' failed:'} ${reason}`, {
              details: {
                backend: 'bullmq',
                queue: this.#queue.name,
                jobId: id,
                reason,
                outcome: unknown ? 'unknown' : 'failed',
              },
            }),
          );
        },
      };
      for (const id of pending) {
        const set = this.#waiters.get(id) ?? new Set();
        set.add(waiter);
        this.#waiters.set(id, set);
      }
      // One check at a time; a check that has not settled after `stuckMs` is abandoned (a
      // command that never settles, seen once after a cluster failover) and the next one runs:
      // what an abandoned check reports later is ignored.
      let current = 0;
      let checkingSince: number | undefined;
      const stuckMs = Math.max(10 * this.#pollMs, 5000);
      const check = () => {
        if (pending.size === 0) return;
        if (checkingSince !== undefined && Date.now() - checkingSince < stuckMs) return;
        const attempt = ++current;
        checkingSince = Date.now();
        this.#check([...pending])
          .catch((error: unknown) => {
            if (attempt === current) finish(this.#wrap(error));
          })
          .finally(() => {
            if (attempt === current) checkingSince = undefined;
          });
      };
      timer = setInterval(check, this.#pollMs);
      check();
    });
  }

  /** Stops the event reader; waits still pending reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new BackendError(`[bullmq] queue ${this.#queue.name} was closed`);
    for (const set of [...this.#waiters.values()]) {
      for (const waiter of [...set]) {
        const [first] = waiter.pending;
        if (first !== undefined) waiter.onFailed(first, closed.message);
      }
    }
    // Not `await this.#events`: a start that never settles must not hold close() up.
    await this.#reader?.close();
  }

  /**
   * Reads the states of `jobIds` and tells their waiters about finished ones. A job no longer in
   * Redis was pruned after it finished: the events stream tells how it ended; when the stream no
   * longer holds its final event either, the outcome is unknown and reported as a failure (a
   * pruned failure must never pass for a success).
   */
  async #check(jobIds: readonly string[]): Promise<void> {
    const states = await Promise.all(jobIds.map((id) => this.#queue.getJobState(id)));
    const pruned: string[] = [];
    for (const [i, id] of jobIds.entries()) {
      const state = states[i];
      if (state === 'completed') this.#dispatch(id, undefined);
      else if (state === 'unknown') pruned.push(id);
      else if (state === 'failed') {
        const job = await this.#queue.getJob(id);
        this.#dispatch(id, job?.failedReason || 'unknown reason');
      }
    }
    if (pruned.length === 0) return;
    const outcomes = await finalOutcomes(this.#connection, this.#eventsKey(), pruned);
    for (const id of pruned) {
      const outcome = outcomes.get(id);
      this.#dispatch(id, outcome ? outcome.failure : UNKNOWN_OUTCOME);
    }
  }

  #eventsKey(): string {
    return `${this.#prefix}:${this.#queue.name}:events`;
  }

  /** Tells the waiters of a job that it completed (`reason` undefined) or failed. */
  #dispatch(jobId: string, reason: string | undefined): void {
    for (const waiter of [...(this.#waiters.get(jobId) ?? [])]) {
      if (reason === undefined) waiter.onCompleted(jobId);
      else waiter.onFailed(jobId, reason);
    }
  }

  /** Starts the event reader once, from the newest event now in the queue's events stream. */
  #start(): Promise<QueueEvents> {
    this.#events ??= (async () => {
      const name = this.#queue.name;
      const [last] = await this.#connection.xrevrange(this.#eventsKey(), '+', '-', 'COUNT', 1);
      const events = new QueueEvents(name, {
        connection: this.#connection,
        prefix: this.#prefix,
        lastEventId: last?.[0] ?? '0-0',
      });
      this.#reader = events;
      // QueueEvents retries its reads by itself; the state polling covers what it misses.
      events.on('error', () => {});
      events.on('completed', ({ jobId }) => this.#dispatch(jobId, undefined));
      events.on('failed', ({ jobId, failedReason }) =>
        this.#dispatch(jobId, failedReason || 'unknown reason'),
      );
      if (this.#closed) {
        // Closed while the start was pending: close what was just opened.
        await events.close();
        throw new BackendError(`[bullmq] queue ${name} was closed`);
      }
      await events.waitUntilReady();
      return events;
    })();
    this.#events.catch(() => {
      this.#events = undefined; // the next wait tries again
    });
    return this.#events.catch((error: unknown) => {
      throw this.#wrap(error);
    });
  }

  #checkOpen(): void {
    if (this.#closed) throw new BackendError(`[bullmq] queue ${this.#queue.name} was closed`);
  }

  #wrap(error: unknown): Error {
    const queue = this.#queue.name;
    return asBackendError(error, {
      backend: 'bullmq',
      operation: `watching jobs of ${queue}`,
      details: { queue },
    });
  }
}
