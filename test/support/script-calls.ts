import type { Redis } from 'ioredis';

/** A running count of script calls, and how to stop counting. */
export interface ScriptCallCounter {
  /** Script calls (EVALSHA or EVAL) sent so far on the watched connections. */
  count(): number;
  /** Stops counting and restores the connections. */
  stop(): void;
}

/**
 * Counts the script calls this process sends on `connections` (a single client, or the master
 * connections of a cluster client: `cluster.nodes('master')`), by wrapping their `sendCommand`.
 * An observer on the real client: the commands still go to the real server.
 */
export function countScriptCalls(connections: readonly Redis[]): ScriptCallCounter {
  let n = 0;
  const restores = connections.map((connection) => {
    const original = connection.sendCommand.bind(connection);
    connection.sendCommand = ((command: { name: string }, stream?: unknown) => {
      if (command.name === 'evalsha' || command.name === 'eval') n += 1;
      return (original as (c: unknown, s?: unknown) => unknown)(command, stream);
    }) as Redis['sendCommand'];
    return () => {
      connection.sendCommand = original;
    };
  });
  return {
    count: () => n,
    stop: () => {
      for (const restore of restores) restore();
    },
  };
}
