/**
 * `stream-framework/import`: the importer from a Python Stream Framework 1.4.0 Redis database
 * (docs/migrating-from-python.md, "Importing your data"). Needs ioredis (an optional peer
 * dependency) for the source connection.
 * @example
 * import { Redis } from 'ioredis';
 * import { importPythonRedis } from 'stream-framework/import';
 * const result = await importPythonRedis({
 *   source: new Redis('redis://127.0.0.1:6379/0'),
 *   feeds: [{ keyFormat: 'feed:normal:%(user_id)s', feed: timeline }],
 *   onProgress: (p) => console.log(`${p.feedsDone}/${p.feedsTotal}`),
 * });
 * @module
 */

export { importPythonRedis } from './importer.js';
export type {
  MalformedEntry,
  PythonFeedMapping,
  PythonImportOptions,
  PythonImportProgress,
  PythonImportResult,
} from './options.js';
