/**
 * The ioredis `keyPrefix` of the client the backend runs on. ioredis prepends it to the KEYS of
 * every command and script call, but not to ARGV: the per-node cluster scripts, which carry the
 * key names of many slots in ARGV, must add it themselves, and a cluster slot is that of the
 * prefixed key. Internal to the Redis backend.
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import { ValidationError } from '../../errors.js';
import { isWellFormed } from '../../validation/names.js';
import { show } from '../../validation/show.js';
import type { RedisClient } from './scripts.js';

/** The keyPrefix option of a client, as ioredis stores it (a string or a Buffer). */
function optionOf(options: { readonly keyPrefix?: unknown } | undefined): unknown {
  return options?.keyPrefix ?? '';
}

function refuse(message: string): ValidationError {
  return new ValidationError('INVALID_OPTION', `redis client: ${message}`, {
    details: { option: 'client' },
  });
}

function asPrefix(value: unknown, where: string): string {
  if (typeof value !== 'string') {
    throw refuse(`${where} keyPrefix must be a string, got ${show(value)}`);
  }
  if (!isWellFormed(value)) {
    throw refuse(`${where} keyPrefix contains a lone surrogate: ${show(value)}`);
  }
  return value;
}

/**
 * The prefix ioredis puts before every key of a command sent through `client` ('' for none),
 * checked once when a storage is created. On a cluster, ioredis applies the cluster's `keyPrefix`
 * (which it takes from `redisOptions.keyPrefix` when only that one is set) to cluster commands,
 * and each node connection applies `redisOptions.keyPrefix`: the two must be equal, or the node's
 * empty, for the per-node calls to reach the same keys; throws `INVALID_OPTION` otherwise, and for
 * a Buffer or not well-formed keyPrefix on a cluster.
 */
export function clientKeyPrefix(client: RedisClient): string {
  if (!client.isCluster) {
    const own = optionOf(client.options);
    return typeof own === 'string' ? own : ''; // single node: ioredis prefixes every key itself
  }
  const options = (client as Cluster).options;
  const prefix = asPrefix(optionOf(options), 'cluster');
  const nodePrefix = asPrefix(optionOf(options.redisOptions), 'redisOptions');
  if (nodePrefix !== '' && nodePrefix !== prefix) {
    throw refuse(
      `the cluster keyPrefix ${show(prefix)} and redisOptions.keyPrefix ${show(nodePrefix)} differ; set one keyPrefix (or the same on both)`,
    );
  }
  return prefix;
}

/**
 * What to put before a key sent through `node` (a master connection of a cluster whose commands
 * get `prefix`) so that it names the same key as through the cluster client: `prefix` less the
 * node's own keyPrefix. Undefined when the node's keyPrefix is not a start of `prefix` (send
 * through the cluster client instead).
 */
export function nodeKeyPrefix(node: Redis, prefix: string): string | undefined {
  const own = optionOf(node.options);
  if (typeof own !== 'string' || !prefix.startsWith(own)) return undefined;
  return prefix.slice(own.length);
}

/**
 * What to put before a key name that a script gets in ARGV through a single-node client (ioredis
 * prefixes KEYS only): its keyPrefix. Undefined for a Buffer keyPrefix (send such keys as KEYS).
 */
export function argvKeyPrefix(client: Redis): string | undefined {
  const own = optionOf(client.options);
  return typeof own === 'string' ? own : undefined;
}
