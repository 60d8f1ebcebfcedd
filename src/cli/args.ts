import { parseArgs } from 'node:util';

/** A parsed command line of the `stream-framework` command: help, version or a command. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  /** `simulate` with its own arguments, parsed by simulate-args.ts. */
  | { readonly kind: 'simulate'; readonly argv: readonly string[] }
  /** `import-python` with its own arguments, parsed by import-args.ts. */
  | { readonly kind: 'import-python'; readonly argv: readonly string[] }
  | {
      readonly kind: 'worker';
      /** Path of the config module, as given. */
      readonly config: string;
      readonly concurrency?: number | undefined;
      readonly name?: string | undefined;
    };

/** The usage text. */
export const USAGE = `usage: stream-framework worker --config <module> [--concurrency <n>] [--name <name>]
       stream-framework simulate [options]   (stream-framework simulate --help for its options)
       stream-framework import-python --config <module> --source <redis-url> [options]   (--help)
       stream-framework inspect | rebuild | queue | failed | retry-failed --config <module> ...
                                             (stream-framework inspect --help for the admin commands)

commands:
  worker     run the tasks enqueued by createBullmqQueue (fan-out, removal, follow, unfollow) until SIGTERM/SIGINT
  simulate   capacity model of pure push vs the hybrid push/pull policy on a power-law follow graph
  import-python  import a Python Stream Framework 1.4.0 Redis database into your feeds
  inspect, rebuild, queue, failed, retry-failed
             admin commands on a config module's manager (stream-framework inspect --help)

options:
  -c, --config <module>   ESM module (.js/.mjs; .ts/.mts/.cts with tsx installed in the app)
                          exporting \`manager\` (built as in the web process) and
                          optionally \`connection\` (ioredis, maxRetriesPerRequest: null),
                          \`redis\` (URL or ioredis options; default: REDIS_URL), \`worker\`
                          (createWorker options) and \`close\` (called after the worker stopped)
      --concurrency <n>   jobs run at once per priority queue (default 10)
      --name <name>       worker name stored on each job it processes
  -h, --help              show this text
  -v, --version           show the version`;

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  /** The usage text to print with it (a command's own); the main usage when undefined. */
  readonly usage: string | undefined;

  constructor(message: string, usage?: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}

/** Parses the arguments after `stream-framework`. Throws {@link UsageError}. */
export function parseCommand(argv: readonly string[]): Command {
  if (argv[0] === 'simulate') return { kind: 'simulate', argv: argv.slice(1) };
  if (argv[0] === 'import-python') return { kind: 'import-python', argv: argv.slice(1) };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('missing command');
  if (command !== 'worker') throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (values.config === undefined || values.config === '') {
    throw new UsageError('worker needs --config <module>');
  }
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!/^[0-9]+$/.test(values.concurrency) || concurrency < 1 || concurrency > 1000) {
      throw new UsageError(
        `--concurrency must be an integer from 1 to 1000, got ${JSON.stringify(values.concurrency)}`,
      );
    }
  }
  return { kind: 'worker', config: values.config, concurrency, name: values.name };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      concurrency: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}
