// Types for cassandra-process.mjs, so TypeScript tests (e.g. a fault test that restarts its own
// node) can import it under `strict`. See the .mjs for what each function does.

export interface CassandraNode {
  pid: number;
  host: '127.0.0.1';
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
  /** A node stopped with `keepDir: true`: start again on its ports and directory. */
  restart?: CassandraNode;
}): Promise<CassandraNode>;

/** SIGTERM, SIGKILL after timeoutMs (default 20 s); removes the dir unless keepDir. */
export declare function stopCassandra(
  node: CassandraNode | undefined,
  options?: { timeoutMs?: number; keepDir?: boolean },
): Promise<{ signal: 'SIGTERM' | 'SIGKILL'; seconds: number } | undefined>;

export declare function waitForCql(
  port: number,
  options?: { timeoutMs?: number; alive?: () => boolean },
): Promise<string>;

export declare function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined;
