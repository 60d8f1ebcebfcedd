// Types for cassandra-setup.mjs, so TypeScript tests can import it under `strict`. See the .mjs.

export declare const CASSANDRA_VERSION: string;
export declare const CASSANDRA_HEAP: string;

export declare function fetchCassandra(options?: {
  version?: string;
  log?: (message: string) => void;
}): { lib: string; fetched: boolean; seconds: number };

export declare function findJava(): { java: string; version: number };

export declare function nodeConfig(options: {
  dir: string;
  lib: string;
  storagePort: number;
  nativePort: number;
  heap?: string;
  host?: string;
  seed?: string;
  initialToken?: string;
  durable?: boolean;
}): string[];
