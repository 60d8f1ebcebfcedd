import { parseArgs } from 'node:util';
import { UsageError } from './args.js';

/** The admin commands of `stream-framework`: they read or repair what a config module's manager owns. */
export const ADMIN_COMMANDS = ['inspect', 'rebuild', 'queue', 'failed', 'retry-failed'] as const;

/** One of {@link ADMIN_COMMANDS}. */
export type AdminCommandName = (typeof ADMIN_COMMANDS)[number];

/** A parsed admin command line. */
export interface AdminCommand {
  readonly kind: AdminCommandName;
  /** Path of the config module, as given. */
  readonly config: string;
  /** `--user`: the user whose feeds `inspect` shows or `rebuild` rebuilds. */
  readonly user?: string | undefined;
  /** `--feed`: only this feed (`inspect`). */
  readonly feed?: string | undefined;
  /** `--limit`: entries per feed (`inspect`, default 10) or jobs (`failed`, `retry-failed`). */
  readonly limit?: number | undefined;
  /** `--dry-run`: say what `rebuild` would do, write nothing. */
  readonly dryRun: boolean;
  /** `--json`: one JSON document on stdout instead of text. */
  readonly json: boolean;
}

/** The admin commands' usage text. */
export const ADMIN_USAGE = `usage: stream-framework inspect --config <module> --user <id> [--feed <name>] [--limit <n>] [--json]
       stream-framework rebuild --config <module> --user <id> [--dry-run] [--json]
       stream-framework queue --config <module> [--json]
       stream-framework failed --config <module> [--limit <n>] [--json]
       stream-framework retry-failed --config <module> [--limit <n>] [--json]

commands:
  inspect       a user's feeds: key, size, newest entries (groups with their counts), unseen/unread
  rebuild       empty the user's fan-out feeds and copy back the user feeds of the accounts they
                follow (the config exports getFollowingIds(userId)); the user feed is kept
  queue         job counts of the BullMQ queues by state (the manager's queue is createBullmqQueue)
  failed        failed fan-out jobs, newest first, with their reasons
  retry-failed  moves failed jobs back to their queue with fresh attempts

options:
  -c, --config <module>   the worker's config module (see stream-framework --help): exports
                          \`manager\`, optionally \`getFollowingIds\` (rebuild) and \`close\`
  -u, --user <id>         user id (a string; 1 and '1' are one user)
      --feed <name>       inspect this feed only (a fan-out, target or user feed name)
      --limit <n>         inspect: entries per feed (default 10, at most 1000);
                          failed / retry-failed: at most this many jobs (default 50 / all)
      --dry-run           rebuild: print what would be done, write nothing
      --json              print one JSON document
  -h, --help              show this text`;

/**
 * Parses the arguments after `stream-framework` when the first one is an admin command; `help`
 * for `--help`. Throws a {@link UsageError}.
 */
export function parseAdminCommand(
  argv: readonly string[],
): AdminCommand | { readonly kind: 'help' } {
  const [name, ...rest] = argv;
  if (!isAdminCommand(name)) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (error) {
    throw new UsageError((error as Error).message, ADMIN_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, ADMIN_USAGE);
  }
  if (!values.config) throw new UsageError(`${name} needs --config <module>`, ADMIN_USAGE);
  const needsUser = name === 'inspect' || name === 'rebuild';
  if (needsUser && !values.user) throw new UsageError(`${name} needs --user <id>`, ADMIN_USAGE);
  if (!needsUser && values.user !== undefined) {
    throw new UsageError(`${name} takes no --user`, ADMIN_USAGE);
  }
  if (values.feed !== undefined && name !== 'inspect') {
    throw new UsageError(`${name} takes no --feed`, ADMIN_USAGE);
  }
  if (values['dry-run'] && name !== 'rebuild') {
    throw new UsageError(`${name} takes no --dry-run`, ADMIN_USAGE);
  }
  let limit: number | undefined;
  if (values.limit !== undefined) {
    if (name === 'rebuild' || name === 'queue') {
      throw new UsageError(`${name} takes no --limit`, ADMIN_USAGE);
    }
    limit = Number(values.limit);
    if (!/^[0-9]+$/.test(values.limit) || limit < 1 || limit > 1000) {
      throw new UsageError(
        `--limit must be an integer from 1 to 1000, got ${JSON.stringify(values.limit)}`,
        ADMIN_USAGE,
      );
    }
  }
  return {
    kind: name,
    config: values.config,
    user: values.user,
    feed: values.feed,
    limit,
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
  };
}

/** Whether `name` is one of {@link ADMIN_COMMANDS}. */
export function isAdminCommand(name: string | undefined): name is AdminCommandName {
  return (ADMIN_COMMANDS as readonly (string | undefined)[]).includes(name);
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      user: { type: 'string', short: 'u' },
      feed: { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
