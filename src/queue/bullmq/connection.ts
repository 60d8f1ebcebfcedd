import type { Cluster, Redis } from 'ioredis';
import { ValidationError } from '../../errors.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { intValue } from '../../validation/values.js';

/**
 * An ioredis client you create and own, for BullMQ: a single node (`Redis`) or a `Cluster`.
 * Queues and workers never close it; they close only the extra connections BullMQ duplicates
 * from it (blocking reads).
 */
export type BullmqConnection = Redis | Cluster;

interface ClientOptions {
  readonly keyPrefix?: unknown;
  readonly maxRetriesPerRequest?: unknown;
  readonly redisOptions?: { readonly keyPrefix?: unknown; readonly maxRetriesPerRequest?: unknown };
}

/** Is `connection` an ioredis `Cluster`? */
export function isCluster(connection: BullmqConnection): boolean {
  return (connection as { isCluster?: unknown }).isCluster === true;
}

/**
 * Checks what BullMQ would otherwise reject later, or with a less helpful message (the reference's
 * gotchas 3 and 4): an ioredis client, no ioredis `keyPrefix` (BullMQ has its own `prefix`),
 * and, for a worker, `maxRetriesPerRequest: null` because workers block on Redis.
 */
export function checkConnection(connection: unknown, what: string, worker: boolean): void {
  const c = connection as { defineCommand?: unknown; options?: ClientOptions } | null;
  if (typeof c !== 'object' || c === null || typeof c.defineCommand !== 'function') {
    throw invalid(
      `${what}: connection must be an ioredis Redis or Cluster instance you created, e.g. new Redis(url, { maxRetriesPerRequest: null })`,
      'connection',
    );
  }
  const cluster = isCluster(c as BullmqConnection);
  const options = c.options ?? {};
  const nodeOptions = cluster ? (options.redisOptions ?? {}) : options;
  const keyPrefix = options.keyPrefix || nodeOptions.keyPrefix;
  if (keyPrefix) {
    throw invalid(
      `${what}: the connection has the ioredis keyPrefix ${JSON.stringify(keyPrefix)}, which BullMQ does not support; create the connection without keyPrefix and use the prefix option instead`,
      'connection',
    );
  }
  if (worker && nodeOptions.maxRetriesPerRequest !== null) {
    const fix = cluster
      ? 'new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: null } })'
      : 'new Redis(url, { maxRetriesPerRequest: null })';
    throw invalid(
      `${what}: a worker connection must have maxRetriesPerRequest: null, because BullMQ workers block on Redis (it is ${String(nodeOptions.maxRetriesPerRequest)}); create it as ${fix}`,
      'connection',
    );
  }
}

const PREFIX = /^[A-Za-z0-9_.:{}-]{1,64}$/;
const QUEUE_NAME = /^[A-Za-z0-9_.{}-]{1,64}$/;

/** The hash tag Redis Cluster would hash `key` by, or undefined when the key has none. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/** Queue names of the two priorities. */
export interface QueueNames {
  readonly high: string;
  readonly low: string;
}

/** The keys of an object with one value per priority (`queueNames`, `concurrency`). */
export const PRIORITY_KEYS: readonly string[] = optionKeys<QueueNames>({ high: true, low: true });

/** The default prefix: a hash tag, so the same settings work on a single node and on a cluster. */
export const DEFAULT_PREFIX = '{sf}';

/** The default queue names. */
export const DEFAULT_QUEUE_NAMES: QueueNames = Object.freeze({ high: 'high', low: 'low' });

/**
 * Validates the prefix and queue names. BullMQ keys are `<prefix>:<queue>:<suffix>`; on a cluster
 * every key of a queue must hash to one slot, so the prefix or the queue name must carry a hash
 * tag (without one BullMQ fails every command with CROSSSLOT and its worker spins on errors).
 */
export function checkNames(
  prefix: unknown,
  names: Partial<QueueNames> | undefined,
  cluster: boolean,
  what: string,
): { prefix: string; queueNames: QueueNames } {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw invalid(`${what}: prefix must match ${PREFIX}, got ${JSON.stringify(prefix)}`, 'prefix');
  }
  if (names !== undefined) checkOptions(names, PRIORITY_KEYS, `${what} queueNames`);
  const queueNames = Object.freeze({
    high: names?.high ?? DEFAULT_QUEUE_NAMES.high,
    low: names?.low ?? DEFAULT_QUEUE_NAMES.low,
  });
  for (const [priority, name] of Object.entries(queueNames)) {
    if (typeof name !== 'string' || !QUEUE_NAME.test(name)) {
      throw invalid(
        `${what}: queueNames.${priority} must match ${QUEUE_NAME} (BullMQ forbids ':'), got ${JSON.stringify(name)}`,
        'queueNames',
      );
    }
  }
  if (queueNames.high === queueNames.low) {
    throw invalid(
      `${what}: the high and low queues must differ (both are ${JSON.stringify(queueNames.high)}): a flood of low-priority work would delay high-priority work`,
      'queueNames',
    );
  }
  if (cluster) {
    for (const name of [queueNames.high, queueNames.low]) {
      if (hashTagOf(`${prefix}:${name}:`) === undefined) {
        throw invalid(
          `${what}: on Redis Cluster the prefix or the queue name needs a hash tag so that every key of a queue is in one slot, e.g. prefix '{sf}'; got prefix ${JSON.stringify(prefix)} and queue ${JSON.stringify(name)}`,
          'prefix',
        );
      }
    }
  }
  return { prefix, queueNames };
}

/**
 * Checks an optional positive integer option (`INVALID_OPTION`, or `LIMIT_EXCEEDED` above
 * `max`), returning `fallback` for `undefined`.
 */
export function positiveInt(
  value: unknown,
  fallback: number,
  option: string,
  what: string,
  max?: number,
): number {
  return value === undefined ? fallback : intValue(value, { name: option, where: what }, 1, max);
}

/** An `INVALID_OPTION` error of the BullMQ adapter. */
export function invalid(message: string, option: string): ValidationError {
  return new ValidationError('INVALID_OPTION', `[bullmq] ${message}`, { details: { option } });
}
