import type { Cluster, Redis } from 'ioredis';
import { charCodeAt } from '../../util/char-code.js';
import { nodeKeyPrefix } from './key-prefix.js';

// CRC16-CCITT (XMODEM), the hash Redis Cluster uses for key slots.
const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let j = 0; j < 8; j++)
    crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  TABLE[i] = crc;
}

/** The cluster slot of a key (0-16383), honouring `{hash tags}` like Redis does. */
export function slotOf(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    // UTF-16 indexes: '{' and '}' are single code units and never part of a longer character.
    if (close > open + 1) return hashSlot(key.slice(open + 1, close));
  }
  return hashSlot(key);
}

/**
 * The slot of a hash tag's content (or of a key without one): CRC16 of its UTF-8 bytes, mod
 * 16384. An ASCII string is hashed from its char codes, which are its bytes (a fan-out hashes
 * one per follower: no Buffer).
 */
export function hashSlot(text: string): number {
  let crc = 0;
  for (let i = 0; i < text.length; i++) {
    const c = charCodeAt(text, i);
    if (c > 0x7f) return hashBytes(Buffer.from(text)); // not ASCII: hash the UTF-8 bytes
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ c) & 0xff]!;
  }
  return crc & 0x3fff;
}

function hashBytes(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc & 0x3fff;
}

/** A master connection of a cluster, and what to put before a key sent through it. */
export interface NodeRoute {
  readonly node: Redis;
  /**
   * Added before every key sent through `node` (KEYS or ARGV) so that it names the same key as
   * through the cluster client: the cluster's keyPrefix less the node's own (see key-prefix.ts).
   */
  readonly keyPrefix: string;
}

// groupByNode's slot -> route cache, valid for one call (synchronous: calls never interleave).
const slotCall = new Uint32Array(16384);
const slotRoute = new Int16Array(16384);
let calls = 0;
const nextCall = (): number => {
  calls = calls === 0xffffffff ? 1 : calls + 1;
  if (calls === 1) slotCall.fill(0);
  return calls;
};

/**
 * Groups keys by the master node that serves their slot, from the client's current slot map, so
 * that fan-out can send one pipeline per node instead of one request per key. `prefix` is the
 * keyPrefix the cluster client puts before every key; `slotOfItem` gives an item's slot, that of
 * its key with `prefix` before it (see {@link slotOf}). Keys whose slot has no known node (or a
 * node whose keyPrefix does not fit) are grouped under `undefined` (send them through the
 * cluster client).
 */
export function groupByNode<T>(
  cluster: Cluster,
  items: readonly T[],
  slotOfItem: (item: T) => number,
  prefix: string,
): Map<NodeRoute | undefined, T[]> {
  const byAddress = new Map<string, NodeRoute>();
  for (const node of cluster.nodes('master')) {
    const keyPrefix = nodeKeyPrefix(node, prefix);
    if (keyPrefix !== undefined)
      byAddress.set(`${node.options.host}:${node.options.port}`, { node, keyPrefix });
  }
  // The route of each slot met, looked up once per slot and call (-1: none).
  const routes = [...byAddress.values()];
  const indexOf = new Map(routes.map((r, i) => [r, i]));
  const lists: T[][] = routes.map(() => []);
  const orphans: T[] = [];
  const call = nextCall();
  for (const item of items) {
    const slot = slotOfItem(item);
    let r: number;
    if (slotCall[slot] === call) r = slotRoute[slot]!;
    else {
      const address = cluster.slots[slot]?.[0];
      const route = address === undefined ? undefined : byAddress.get(address);
      r = route === undefined ? -1 : indexOf.get(route)!;
      slotCall[slot] = call;
      slotRoute[slot] = r;
    }
    if (r === -1) orphans.push(item);
    else lists[r]!.push(item);
  }
  const groups = new Map<NodeRoute | undefined, T[]>();
  routes.forEach((route, i) => {
    if (lists[i]!.length > 0) groups.set(route, lists[i]!);
  });
  if (orphans.length > 0) groups.set(undefined, orphans);
  return groups;
}

/**
 * True for the errors of a server that cannot run `#!lua flags=allow-cross-slot-keys` scripts at
 * all (before Redis 7: no shebang, unknown flag), after which the per-node fast paths stop being
 * tried. Other errors (a slot that moved, a lost connection) only send one call to its fallback.
 */
export function isUnsupportedScriptError(error: unknown): boolean {
  return /compil|shebang|flag/i.test(String((error as Error | undefined)?.message));
}
