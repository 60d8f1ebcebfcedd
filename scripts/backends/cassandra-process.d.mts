// Types for cassandra-process.mjs, so TypeScript tests (e.g. a fault test that restarts its own
// node) can import it under `strict`. See the .mjs for what each function does.

export interface CassandraNode {
  pid: number;
  /** Listen and native address, a 127.x.x.x. */
  host: string;
  /** The seed's address (the node itself when it runs alone). */
  seed: string;
  /** The node's one Murmur3 token. */
  initialToken: string;
  /** -Xms and -Xmx. */
  heap: string;
  /** Commit log fsynced, schema tables flushed (see nodeConfig); false for the single test node. */
  durable: boolean;
  nativePort: number;
  storagePort: number;
  /** Storage dir: conf/, data/, commitlog/, logs/{stdout,system}.log. */
  dir: string;
  /** release_version, once a CQL session worked. */
  version?: string;
  /** Seconds from spawn to the first successful query. */
  seconds?: number;
}

export declare function startCassandra(options: {
  lib: string;
  java: string;
  timeoutMs?: number;
  attempts?: number;
  /** A node stopped with `keepDir: true`: start again on its address, ports and directory. */
  restart?: CassandraNode;
  /** false: the JVM outlives this process (default true: SIGKILLed when this process exits). */
  own?: boolean;
  /** Where the node's fresh directory is made (default the OS temp dir). */
  parentDir?: string;
  /** A ring node's placement (default: 127.0.0.1 alone, token 0, free ports). */
  host?: string;
  seed?: string;
  initialToken?: string;
  nativePort?: number;
  storagePort?: number;
  heap?: string;
  durable?: boolean;
}): Promise<CassandraNode>;

/** `signal` (default SIGTERM), SIGKILL after timeoutMs (default 20 s); removes the dir unless keepDir. */
export declare function stopCassandra(
  node: CassandraNode | undefined,
  options?: { timeoutMs?: number; keepDir?: boolean; signal?: 'SIGTERM' | 'SIGKILL' },
): Promise<{ signal: 'SIGTERM' | 'SIGKILL'; seconds: number } | undefined>;

export declare function waitForCql(
  port: number,
  options?: { timeoutMs?: number; alive?: () => boolean; host?: string },
): Promise<string>;

export declare function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined;
