// Types for cassandra-ring-process.mjs, so the ring's TypeScript tests can import it under
// `strict`. See the .mjs for what each function does.
import type { CassandraNode } from './cassandra-process.mjs';

export declare const RING_HOSTS: readonly string[];
export declare const RING_TOKENS: readonly string[];
export declare const RING_HEAP: string;

export interface CassandraRing {
  /** The ring's dir: each node's dir and ring.json. */
  dir: string;
  nodes: CassandraNode[];
  seconds: number;
}

export declare function startRing(options: {
  lib: string;
  java: string;
  heap?: string;
  timeoutMs?: number;
}): Promise<CassandraRing>;

export declare function stopRing(
  ring: CassandraRing | undefined,
): Promise<Record<string, { signal: 'SIGTERM' | 'SIGKILL'; seconds: number }>>;

export declare function recordNode(ringDir: string, node: CassandraNode): void;

export declare function readNodes(ringDir: string): CassandraNode[];

export declare function waitForRing(
  nodes: readonly CassandraNode[],
  options?: { timeoutMs?: number },
): Promise<void>;

export declare function ringClientOptions(nodes: readonly CassandraNode[]): {
  contactPoints: string[];
  localDataCenter: string;
  protocolOptions: { port: number };
};
