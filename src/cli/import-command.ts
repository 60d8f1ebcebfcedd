import type { Redis } from 'ioredis';
import type {
  PythonFeedMapping,
  PythonImportOptions,
  PythonImportProgress,
  PythonImportResult,
} from '../import/options.js';
import type { AnyFeedDefinition } from '../manager/options.js';
import { UsageError } from './args.js';
import { ConfigError, loadConfigModule } from './config.js';
import { IMPORT_USAGE, type ImportPythonCommand, parseImportPython } from './import-args.js';

const log = (message: string) => console.error(`stream-framework import-python: ${message}`);

/** Most often progress is printed (the last feed is always printed). */
const PROGRESS_EVERY_MS = 1000;

/**
 * `stream-framework import-python`: loads the config module, imports the Python database named by
 * `--source` into the manager's feeds, prints progress on stderr and the summary on stdout (JSON
 * with `--json`). Resolves to the exit code: 0 done (malformed entries skipped with
 * `--skip-malformed` are listed), 1 failed (the error names the key).
 */
export async function runImportPython(argv: readonly string[]): Promise<number> {
  const command = parseImportPython(argv);
  if (command.help) {
    console.log(IMPORT_USAGE);
    return 0;
  }
  const { exports, file } = await loadConfigModule(command.config, process.cwd());
  const options = importOptions(command, exports, file);
  const close = exports.close;
  const { Redis } = await import('ioredis');
  const source: Redis = new Redis(command.source, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await source.connect();
    const { importPythonRedis } = await import('../import/importer.js');
    const result = await importPythonRedis({ ...options, source, onProgress: progress() });
    console.log(command.json ? JSON.stringify(result, null, 2) : summary(result));
    return 0;
  } finally {
    source.disconnect();
    if (typeof close === 'function') await close();
  }
}

/** The importer's options: the config's `pythonImport`, the `--map` pairs and the flags. */
function importOptions(
  command: ImportPythonCommand,
  exports: Record<string, unknown>,
  file: string,
): Omit<PythonImportOptions, 'source'> {
  const manager = exports.manager as
    | { readonly definitions?: Readonly<Record<string, AnyFeedDefinition>> }
    | undefined;
  const configured = exports.pythonImport as Partial<PythonImportOptions> | undefined;
  if (configured !== undefined && (typeof configured !== 'object' || configured === null)) {
    throw new ConfigError(
      `${file}: \`pythonImport\` must be an object of importPythonRedis options`,
    );
  }
  const definitions = manager?.definitions;
  if (command.maps.length > 0 && (typeof definitions !== 'object' || definitions === null)) {
    throw new ConfigError(
      `${file} must export \`manager\` (from createManager()) for --map to name its feeds`,
    );
  }
  const mapped: PythonFeedMapping[] = command.maps.map(({ keyFormat, feed }) => {
    const definition = definitions?.[feed];
    if (definition === undefined || !Object.hasOwn(definitions ?? {}, feed)) {
      throw new UsageError(
        `--map ${keyFormat}=${feed}: the manager has no feed ${JSON.stringify(feed)} (it has ${Object.keys(definitions ?? {}).join(', ')})`,
        IMPORT_USAGE,
      );
    }
    return { keyFormat, feed: definition };
  });
  const feeds = [...(configured?.feeds ?? []), ...mapped];
  if (feeds.length === 0) {
    throw new UsageError(
      'nothing to import: give --map <key_format>=<feed> or export pythonImport.feeds from the config',
      IMPORT_USAGE,
    );
  }
  return {
    ...configured,
    feeds,
    ...(command.activityKey === undefined ? {} : { activityKey: command.activityKey }),
    dryRun: command.dryRun,
    skipMalformed: command.skipMalformed,
  };
}

function progress(): (p: PythonImportProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (p.feedsDone < p.feedsTotal && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    log(`${p.feedsDone}/${p.feedsTotal} feeds, ${p.entries} entries read (${p.keyFormat})`);
  };
}

function summary(r: PythonImportResult): string {
  const lines = [
    `${r.dryRun ? 'dry run: ' : ''}${r.feeds} feeds, ${r.entries} entries read, ${r.written} ${r.dryRun ? 'would be written' : 'written'}`,
    ...r.byFeed.map(
      (f) =>
        `  ${f.keyFormat} -> ${f.feed}: ${f.feeds} feeds, ${f.entries} entries, ${f.written} written`,
    ),
  ];
  if (r.skippedKeys > 0) lines.push(`${r.skippedKeys} keys skipped (user id not accepted)`);
  if (r.malformedCount > 0) {
    lines.push(`${r.malformedCount} malformed entries skipped:`);
    for (const m of r.malformed) {
      lines.push(
        `  ${m.key}${m.member === undefined ? '' : ` ${JSON.stringify(m.member.slice(0, 60))}`}: ${m.reason}`,
      );
    }
  }
  return lines.join('\n');
}
