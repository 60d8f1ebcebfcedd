// Types for redis-process.mjs, so TypeScript tests (e.g. a fault test that restarts the server of
// the redis group) can import it under `strict`. See the .mjs for what each function does.

export declare const HOST: '127.0.0.1';

export interface RedisServer {
  pid: number;
  port: number;
  /** The server's working dir: its log, `pids` and (cluster) nodes.conf live here. */
  dir: string;
  /** The arguments after the binary; REDIS_SERVER_ARGS is this array as JSON. */
  argv: string[];
  /** Its stdout/stderr, appended to across restarts. */
  log: string;
}

export declare function startRedisServer(
  options:
    | { port: number; dir?: string; args?: string[]; timeoutMs?: number }
    | { argv: string[]; timeoutMs?: number },
): Promise<RedisServer>;

/** SIGTERM, up to timeoutMs (default 5000) to exit, then SIGKILL; only if still a redis-server. */
export declare function stopPid(
  pid: number,
  options?: { port?: number; timeoutMs?: number },
): Promise<boolean>;

export declare function waitForPing(
  port: number,
  options?: { timeoutMs?: number; alive?: () => boolean },
): Promise<void>;

export declare function redisCommand(
  port: number,
  args: (string | number)[],
  options?: { timeoutMs?: number },
): Promise<unknown>;

export declare function isRunning(pid: number): boolean;
export declare function freePort(options?: { bus?: boolean; avoid?: number[] }): Promise<number>;
export declare function onFreePort<T>(
  start: (port: number) => Promise<T>,
  options?: { bus?: boolean; avoid?: number[]; attempts?: number },
): Promise<T>;
export declare function stopDir(dir: string | undefined): Promise<void>;
export declare function serverVersion(port: number): Promise<string>;
export declare function logTail(file: string | undefined, lines?: number): string;
export declare function findOnPath(bin: string): string | undefined;
export declare function groupDir(prefix: string): string;
export declare function summarized(group: string, error: unknown): unknown;
