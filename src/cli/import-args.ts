import { parseArgs } from 'node:util';
import { UsageError } from './args.js';

/** A parsed `stream-framework import-python` command line. */
export interface ImportPythonCommand {
  /** `-h`: print the usage and exit. */
  readonly help: boolean;
  /** Path of the config module, as given. */
  readonly config: string;
  /** The Python database: a Redis URL (with its db), from `--source` or PYTHON_REDIS_URL. */
  readonly source: string;
  /** `--map <key_format>=<feed>` pairs, in order. */
  readonly maps: readonly { readonly keyFormat: string; readonly feed: string }[];
  readonly activityKey?: string | undefined;
  readonly dryRun: boolean;
  readonly skipMalformed: boolean;
  readonly json: boolean;
}

/** The usage text of `stream-framework import-python`. */
export const IMPORT_USAGE = `usage: stream-framework import-python --config <module> --source <redis-url>
                                    [--map <key_format>=<feed>]... [options]

Imports the feeds of a Python Stream Framework 1.4.0 Redis database (flat, aggregated and
notification feeds, seen/read state) into the feeds of your manager, on any backend
(docs/migrating-from-python.md, "Importing your data"). Re-running it writes nothing new.

  -c, --config <module>     ESM module (as for \`worker\`) exporting \`manager\` (its feeds, by name,
                            are the targets) and optionally \`pythonImport\` (importPythonRedis
                            options: feeds, verbs, userId, activityKey) and \`close\`
      --source <redis-url>  the Python database, e.g. redis://127.0.0.1:6379/0 (only read;
                            default: PYTHON_REDIS_URL)
      --map <fmt>=<feed>    a Python feed class's key_format and the manager's feed it goes to,
                            e.g. --map 'feed:normal:%(user_id)s=normal' (repeatable; added to the
                            config's pythonImport.feeds)
      --activity-key <key>  key of the Python activity storage (default global)
      --dry-run             read and check everything, write nothing; count what would be written
      --skip-malformed      report malformed entries and go on (default: stop with the key named)
      --json                print the summary as JSON (progress still goes to stderr)
  -h, --help                show this text`;

/** Parses the arguments after `stream-framework import-python`. Throws {@link UsageError}. */
export function parseImportPython(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): ImportPythonCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message, IMPORT_USAGE);
  }
  const { values, positionals } = parsed;
  const base = {
    dryRun: values['dry-run'] === true,
    skipMalformed: values['skip-malformed'] === true,
    json: values.json === true,
  };
  if (values.help) return { help: true, config: '', source: '', maps: [], ...base };
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, IMPORT_USAGE);
  }
  if (!values.config) throw new UsageError('import-python needs --config <module>', IMPORT_USAGE);
  const source = values.source ?? env.PYTHON_REDIS_URL;
  if (!source) {
    throw new UsageError(
      'import-python needs --source <redis-url> (or PYTHON_REDIS_URL)',
      IMPORT_USAGE,
    );
  }
  const maps = (values.map ?? []).map((pair) => {
    const at = pair.lastIndexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new UsageError(
        `--map takes <key_format>=<feed name>, got ${JSON.stringify(pair)}`,
        IMPORT_USAGE,
      );
    }
    return { keyFormat: pair.slice(0, at), feed: pair.slice(at + 1) };
  });
  return {
    help: false,
    config: values.config,
    source,
    maps,
    activityKey: values['activity-key'],
    ...base,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      source: { type: 'string' },
      map: { type: 'string', multiple: true },
      'activity-key': { type: 'string' },
      'dry-run': { type: 'boolean' },
      'skip-malformed': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
