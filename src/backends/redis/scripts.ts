import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { VERSION } from '../../version.js';
import { luaKeyLayout } from './keys.js';

/** An ioredis client the user owns: a single node or a cluster. */
export type RedisClient = Redis | Cluster;

/** The Lua scripts of the timeline storage: file name (without `.lua`) and number of KEYS (-1: variable). */
const SCRIPTS = {
  add: 4,
  add_ids: 1,
  remove_ids: 1,
  add_to_many: -1,
  add_on_node: -1,
  add_ids_to_many: 0,
  add_ids_on_node: -1,
  remove_on_node: -1,
  hmget_on_node: -1,
  remove: -1,
  trim: 4,
  delete: 4,
  range: 2,
  range_many: -1,
  range_merged: -1,
  range_on_node: -1,
  read_for_update: 3,
  commit_update: -1,
  clear_markers: -1,
} as const;

/** Name of a script in {@link SCRIPTS}. */
export type ScriptName = keyof typeof SCRIPTS;

const suffix = `_v${VERSION.replace(/[^0-9a-z]/gi, '_')}`;
const INCLUDE = /^--- @include "([a-z_]+)"$/m;

/** The names of every script (for tests that read their sources). */
export const SCRIPT_NAMES: readonly ScriptName[] = Object.freeze(
  Object.keys(SCRIPTS) as ScriptName[],
);

/**
 * Reads `lua/<name>.lua`, pasting in `--- @include "x"` files from `lua/includes/` (includes may
 * include), and `--- @include "keys"` as the key layout generated from keys.ts.
 */
export function source(name: string): string {
  let text = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
  for (let m = INCLUDE.exec(text); m; m = INCLUDE.exec(text)) {
    const included =
      m[1] === 'keys'
        ? luaKeyLayout()
        : readFileSync(new URL(`./lua/includes/${m[1]}.lua`, import.meta.url), 'utf8');
    text = text.replace(m[0], () => included);
  }
  return text;
}

/** The ioredis command name a script is registered under (also a pipeline method). */
export function commandName(name: ScriptName): string {
  return `sf_${name}${suffix}`;
}

let sources: Map<ScriptName, string> | undefined;
const defined = new WeakSet<object>();

type ScriptCaller = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Registers the scripts on a client (once per client) with ioredis `defineCommand`, which runs
 * them by EVALSHA and falls back to EVAL after a NOSCRIPT (e.g. after SCRIPT FLUSH or on a new
 * cluster node). Names are suffixed with the package version.
 */
export function scriptsOf(client: RedisClient): (name: ScriptName) => ScriptCaller {
  if (!defined.has(client)) {
    sources ??= new Map(Object.keys(SCRIPTS).map((n) => [n as ScriptName, source(n)]));
    for (const [name, lua] of sources) {
      const numberOfKeys = SCRIPTS[name];
      client.defineCommand(
        `sf_${name}${suffix}`,
        numberOfKeys < 0 ? { lua } : { lua, numberOfKeys },
      );
    }
    defined.add(client);
  }
  const commands = client as unknown as Record<string, ScriptCaller>;
  // Bound once per script, not per call (every write and marker call takes its caller here).
  const callers = new Map<ScriptName, ScriptCaller>();
  return (name) => {
    let caller = callers.get(name);
    if (caller === undefined) {
      const fn = commands[commandName(name)];
      if (!fn) throw new Error(`script ${name} is not defined`);
      caller = fn.bind(client);
      callers.set(name, caller);
    }
    return caller;
  };
}

/** Arguments of a variable-key script call: the key count first, as ioredis expects. */
export function withKeys(
  keys: readonly string[],
  args: readonly (string | number)[],
): (string | number)[] {
  return [keys.length, ...keys, ...args];
}
