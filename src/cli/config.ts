import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RedisOptions } from 'ioredis';
import type { BullmqConnection } from '../queue/bullmq/connection.js';
import type { CreateWorkerOptions, WorkerManager } from '../queue/bullmq/worker.js';

/** What a worker config module exports (named exports, or the same keys on its default export). */
export interface WorkerConfig {
  /** The manager, built exactly as in the web process (same feeds, storage and queue). */
  readonly manager: WorkerManager;
  /** An ioredis client for BullMQ, created with `maxRetriesPerRequest: null`; yours to close. */
  readonly connection?: BullmqConnection | undefined;
  /** Otherwise a Redis URL or ioredis options: the command creates the client and closes it. */
  readonly redis?: string | RedisOptions | undefined;
  /** More createWorker options (concurrency, stalls, prefix...). */
  readonly worker?: Partial<Omit<CreateWorkerOptions, 'manager' | 'connection'>> | undefined;
  /** Called once the worker stopped, to close what the module opened (storage clients...). */
  readonly close?: (() => unknown) | undefined;
  /** Every export of the module (the default export's keys when `manager` is there). */
  readonly exports: Readonly<Record<string, unknown>>;
}

/** A config that could not be loaded; its message says what to fix. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/**
 * Imports the config module at `path` (relative to `cwd`; JavaScript, or TypeScript through the
 * application's tsx) and checks its exports.
 */
export async function loadConfig(path: string, cwd: string): Promise<WorkerConfig> {
  const { file, exports: source } = await loadConfigModule(path, cwd);
  const manager = source.manager as WorkerManager | undefined;
  if (typeof manager?.runTask !== 'function') {
    throw new ConfigError(
      `${file} must export \`manager\`, a manager from createManager() (built as in the web process)`,
    );
  }
  const { connection, redis, worker, close } = source;
  if (redis !== undefined && typeof redis !== 'string' && (typeof redis !== 'object' || !redis)) {
    throw new ConfigError(`${file}: \`redis\` must be a Redis URL or ioredis options`);
  }
  if (worker !== undefined && (typeof worker !== 'object' || worker === null)) {
    throw new ConfigError(`${file}: \`worker\` must be an object of createWorker options`);
  }
  if (close !== undefined && typeof close !== 'function') {
    throw new ConfigError(`${file}: \`close\` must be a function`);
  }
  return {
    manager,
    connection: connection as BullmqConnection | undefined,
    redis: redis as WorkerConfig['redis'],
    worker: worker as WorkerConfig['worker'],
    close: close as WorkerConfig['close'],
    exports: source,
  };
}

/**
 * Imports the config module at `path` (relative to `cwd`) and returns its exports: the named
 * ones, or those of its default export when it has no `manager` export and a default object.
 */
export async function loadConfigModule(
  path: string,
  cwd: string,
): Promise<{ file: string; exports: Record<string, unknown> }> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new ConfigError(`config module ${file} does not exist`);
  let module: Record<string, unknown>;
  try {
    module = await importConfig(file, cwd);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`loading ${file} failed: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });
  }
  const fallback = module.default;
  const exports = (
    module.manager === undefined && typeof fallback === 'object' && fallback !== null
      ? fallback
      : module
  ) as Record<string, unknown>;
  return { file, exports };
}

/** Extensions of TypeScript modules, which Node 20 cannot import without a loader. */
const TYPESCRIPT = /\.(ts|mts|cts)$/;

/** The `tsImport` function of tsx (its `tsx/esm/api` module). */
type TsImport = (specifier: string, parentURL: string) => Promise<unknown>;

/**
 * Imports the config module. A TypeScript one (`.ts`, `.mts`, `.cts`) goes through tsx's
 * `tsImport` when the application has tsx installed (resolved from the config's folder, then from
 * `cwd`), so `stream-framework worker --config feeds.ts` needs no `--import tsx`; without tsx it
 * is imported as is when Node strips types itself, else a ConfigError says what to do.
 */
async function importConfig(file: string, cwd: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (!TYPESCRIPT.test(file)) return (await import(url)) as Record<string, unknown>;
  const tsImport = await findTsImport([file, join(cwd, 'package.json')]);
  if (tsImport) return (await tsImport(url, url)) as Record<string, unknown>;
  if (nodeStripsTypes()) return await importStrippingTypes(file, url);
  throw new ConfigError(
    `${file} is TypeScript, which Node ${process.version} cannot load by itself. Either install ` +
      'tsx in your application (npm install --save-dev tsx: the command then loads the config ' +
      'with it), or compile the config to JavaScript and pass the .js file, or run Node 22.18 or ' +
      'later (it strips types; other .ts files must then be imported with their .ts extension).',
  );
}

/**
 * tsx's `tsImport`, from the first of `parents` that sees tsx installed. Its ESM build is
 * imported (found through tsx's package.json "exports"): tsx's CommonJS build of `tsx/esm/api`
 * fails to register its loader on Node 20 (ERR_MODULE_NOT_FOUND for `esm/api/esm/index.mjs`).
 */
async function findTsImport(parents: readonly string[]): Promise<TsImport | undefined> {
  for (const parent of parents) {
    let manifest: string;
    try {
      manifest = createRequire(parent).resolve('tsx/package.json');
    } catch {
      continue; // not installed where this parent can see it
    }
    const entry = esmEntry(JSON.parse(readFileSync(manifest, 'utf8')), './esm/api');
    if (entry === undefined) continue;
    const api = (await import(pathToFileURL(join(dirname(manifest), entry)).href)) as {
      tsImport?: unknown;
    };
    if (typeof api.tsImport === 'function') return api.tsImport as TsImport;
  }
  return undefined;
}

/** The file a package.json's "exports" gives `subpath` for `import` (a string), if any. */
function esmEntry(manifest: unknown, subpath: string): string | undefined {
  let target = (manifest as { exports?: Record<string, unknown> } | null)?.exports?.[subpath];
  for (const key of ['import', 'default']) {
    if (typeof target === 'object' && target !== null && key in target) {
      target = (target as Record<string, unknown>)[key];
    }
  }
  return typeof target === 'string' ? target : undefined;
}

/**
 * Imports a TypeScript config with Node's own type stripping. Node does not map a `.js`
 * specifier to the `.ts` file next to it (tsx and tsc do), the usual way TypeScript projects
 * import: that failure becomes a ConfigError saying what to do.
 */
async function importStrippingTypes(file: string, url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const missing = missingJsWithTsSibling(error);
    if (missing === undefined) throw error;
    throw new ConfigError(
      `${file} imports ${missing}, which does not exist; ${missing.replace(/\.js$/, '.ts')} does. ` +
        `Node ${process.version} strips types but does not map .js specifiers to .ts files: ` +
        'install tsx in your application (npm install --save-dev tsx: the command then loads the ' +
        'config with it), or import TypeScript files with their .ts extension.',
    );
  }
}

/** The missing `.js` path of an ERR_MODULE_NOT_FOUND whose `.ts` sibling exists, if that is it. */
function missingJsWithTsSibling(error: unknown): string | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  const path = /Cannot find module '([^']+\.js)'/.exec(String((error as Error).message))?.[1];
  return path !== undefined && existsSync(path.replace(/\.js$/, '.ts')) ? path : undefined;
}

/** Whether this Node imports `.ts` files itself (type stripping, Node 22.18+ or a flag). */
function nodeStripsTypes(): boolean {
  const features = process.features as { readonly typescript?: string | false | undefined };
  return Boolean(features.typescript);
}
