import type { Activity } from '../activity/activity.js';
import type { FeedHandle } from '../feeds/feed.js';
import type { AggregatedGroup } from '../feeds/group/types.js';
import type { NotificationCounts } from '../feeds/notification-feed.js';
import type { FailedTask } from '../queue/bullmq/failed-jobs.js';
import type { Id } from '../validation/names.js';
import type { AdminCommand } from './admin-args.js';
import { ConfigError, loadConfig } from './config.js';

/** What the admin commands use of a manager (a `createManager` result has all of it). */
export interface AdminManager {
  readonly feedNames: readonly string[];
  readonly definitions: Readonly<Record<string, { for(userId: Id): unknown }>>;
  getFeeds(userId: Id): Readonly<Record<string, unknown>>;
  getUserFeed(userId: Id): unknown;
  followManyUsers(
    userId: Id,
    targetIds: readonly Id[],
    options?: { readonly limit?: number | undefined },
  ): Promise<{ done(): Promise<void> }>;
  readonly queue?: unknown;
}

/** The parts of a config module the admin commands read. */
export interface AdminConfig {
  readonly manager: AdminManager;
  /** The ids `user` follows, for `rebuild`. */
  readonly getFollowingIds?: ((userId: Id) => Promise<readonly Id[]> | readonly Id[]) | undefined;
  readonly close?: (() => unknown) | undefined;
}

/** The BullMQ queue calls `queue`, `failed` and `retry-failed` use (`createBullmqQueue`). */
interface AdminQueue {
  listFailed(options?: { readonly limit?: number | undefined }): Promise<FailedTask[]>;
  retryFailed(options?: { readonly limit?: number | undefined }): Promise<number>;
  jobCounts(): Promise<Readonly<Record<string, Readonly<Record<string, number>>>>>;
}

/** Where the commands write: text lines, or one JSON document. */
export interface AdminOutput {
  line(text: string): void;
}

const console_: AdminOutput = { line: (text) => console.log(text) };

/**
 * `stream-framework inspect | rebuild | queue | failed | retry-failed`: loads the config module
 * (as `worker --config` does), runs the command, calls the module's `close`, resolves to 0.
 */
export async function runAdmin(
  command: AdminCommand,
  out: AdminOutput = console_,
): Promise<number> {
  const loaded = await loadConfig(command.config, process.cwd());
  const config = adminConfig(loaded.exports, command.config);
  try {
    const result = await runAdminCommand(command, config);
    out.line(command.json ? JSON.stringify(result.json, null, 2) : result.text.join('\n'));
    return 0;
  } finally {
    await config.close?.();
  }
}

/** Checks what the admin commands need of a loaded config module's exports. */
export function adminConfig(exports: Readonly<Record<string, unknown>>, file: string): AdminConfig {
  const manager = exports.manager as Partial<AdminManager> | undefined;
  for (const member of ['getFeeds', 'getUserFeed', 'followManyUsers'] as const) {
    if (typeof manager?.[member] !== 'function') {
      throw new ConfigError(
        `${file}: \`manager\` must be a manager from createManager() (no ${member})`,
      );
    }
  }
  const { getFollowingIds, close } = exports;
  if (getFollowingIds !== undefined && typeof getFollowingIds !== 'function') {
    throw new ConfigError(`${file}: \`getFollowingIds\` must be a function (userId) => ids`);
  }
  return {
    manager: manager as AdminManager,
    getFollowingIds: getFollowingIds as AdminConfig['getFollowingIds'],
    close: close as AdminConfig['close'],
  };
}

/** A command's result: lines of text and the same as JSON. */
export interface AdminResult {
  readonly text: readonly string[];
  readonly json: unknown;
}

/** Runs one admin command against a loaded config. */
export async function runAdminCommand(
  command: AdminCommand,
  config: AdminConfig,
): Promise<AdminResult> {
  switch (command.kind) {
    case 'inspect':
      return inspect(config.manager, requireUser(command), command.feed, command.limit ?? 10);
    case 'rebuild':
      return rebuild(config, requireUser(command), command.dryRun);
    case 'queue': {
      const counts = await queueOf(config.manager).jobCounts();
      const text = Object.entries(counts).map(
        ([priority, byState]) =>
          `${priority}: ${Object.entries(byState)
            .map(([state, n]) => `${state} ${n}`)
            .join(', ')}`,
      );
      return { text, json: counts };
    }
    case 'failed': {
      const failed = await queueOf(config.manager).listFailed({ limit: command.limit ?? 50 });
      const text = failed.length === 0 ? ['no failed jobs'] : failed.map(describeFailed);
      return { text, json: failed };
    }
    case 'retry-failed': {
      const moved = await queueOf(config.manager).retryFailed(
        command.limit === undefined ? {} : { limit: command.limit },
      );
      return { text: [`moved ${moved} failed job(s) back to their queue`], json: { moved } };
    }
  }
}

function requireUser(command: AdminCommand): string {
  if (command.user === undefined) throw new ConfigError(`${command.kind} needs --user`);
  return command.user;
}

function queueOf(manager: AdminManager): AdminQueue {
  const queue = manager.queue as Partial<AdminQueue> | undefined;
  if (
    typeof queue?.jobCounts !== 'function' ||
    typeof queue.listFailed !== 'function' ||
    typeof queue.retryFailed !== 'function'
  ) {
    throw new ConfigError(
      "the manager's queue is not a BullMQ queue (createBullmqQueue): queue, failed and " +
        'retry-failed read the BullMQ queues',
    );
  }
  return queue as AdminQueue;
}

function describeFailed(job: FailedTask): string {
  const when = job.failedAt === undefined ? '' : ` at ${job.failedAt.toISOString()}`;
  return `${job.id} (${job.name}, ${job.priority}): ${job.attemptsMade} attempt(s)${when}: ${job.reason}`;
}

/** One feed as `inspect` shows it. */
interface FeedReport {
  readonly feed: string;
  readonly role: 'user' | 'fan-out' | 'target';
  readonly key: string;
  readonly size: number;
  readonly counts?: NotificationCounts | undefined;
  readonly newest: readonly Record<string, unknown>[];
  readonly missing: readonly string[];
}

async function inspect(
  manager: AdminManager,
  user: string,
  only: string | undefined,
  limit: number,
): Promise<AdminResult> {
  const fanout = new Set(Object.keys(manager.getFeeds(user)));
  const [userFeedName] = manager.feedNames;
  const names = only === undefined ? manager.feedNames : [only];
  if (only !== undefined && !manager.feedNames.includes(only)) {
    throw new ConfigError(
      `no feed named ${JSON.stringify(only)}; the manager's feeds: ${manager.feedNames.join(', ')}`,
    );
  }
  const reports: FeedReport[] = [];
  for (const name of names) {
    const definition = manager.definitions[name] as {
      for(userId: Id): unknown;
      keyFor?(userId: Id): string;
    };
    const handle = definition.for(user) as FeedHandle<never, unknown> & {
      counts?: () => Promise<NotificationCounts>;
    };
    const [size, page, counts] = await Promise.all([
      handle.count(),
      handle.read({ limit }),
      typeof handle.counts === 'function' ? handle.counts() : undefined,
    ]);
    reports.push({
      feed: name,
      role: name === userFeedName ? 'user' : fanout.has(name) ? 'fan-out' : 'target',
      key: definition.keyFor?.(user) ?? '',
      size,
      counts,
      newest: page.items.map(summarize),
      missing: page.missing,
    });
  }
  const text: string[] = [];
  for (const r of reports) {
    const counts = r.counts ? `, ${r.counts.unseen} unseen, ${r.counts.unread} unread` : '';
    text.push(`${r.feed} (${r.role} feed, key ${r.key}): ${r.size} entries${counts}`);
    for (const item of r.newest) text.push(`  ${describeItem(item)}`);
    if (r.missing.length > 0) text.push(`  missing activities: ${r.missing.join(', ')}`);
  }
  return { text, json: { user, feeds: reports } };
}

function isGroup(
  item: unknown,
): item is AggregatedGroup<never> & { seen?: boolean; read?: boolean } {
  return typeof item === 'object' && item !== null && 'activityCount' in item;
}

function summarize(item: unknown): Record<string, unknown> {
  if (isGroup(item)) {
    return {
      group: item.id,
      key: item.group,
      activityCount: item.activityCount,
      actorCount: item.actorCount,
      activities: item.activities.map((a) => a.id),
      updatedAt: item.updatedAt.toISOString(),
      ...(item.seen === undefined ? {} : { seen: item.seen, read: item.read }),
    };
  }
  const a = item as Activity<never>;
  return { id: a.id, time: a.time.toISOString(), actor: a.actor, verb: a.verb, object: a.object };
}

function describeItem(item: Record<string, unknown>): string {
  if ('group' in item) {
    const marks =
      'seen' in item ? `${item.seen ? ' seen' : ' unseen'}${item.read ? ' read' : ' unread'}` : '';
    return `group ${item.group} (${item.key}): ${item.activityCount} activities, ${item.actorCount} actors, updated ${item.updatedAt}${marks}`;
  }
  return `${item.id} ${item.time} ${item.actor} ${item.verb} ${item.object}`;
}

async function rebuild(config: AdminConfig, user: string, dryRun: boolean): Promise<AdminResult> {
  if (config.getFollowingIds === undefined) {
    throw new ConfigError(
      'rebuild needs the config module to export getFollowingIds(userId): the ids the user follows',
    );
  }
  const following = [...(await config.getFollowingIds(user))];
  const feeds = config.manager.getFeeds(user) as Readonly<Record<string, FeedHandle<never>>>;
  const names = Object.keys(feeds);
  const before: Record<string, number> = {};
  for (const name of names) before[name] = await (feeds[name] as FeedHandle<never>).count();
  if (!dryRun) {
    for (const name of names) await (feeds[name] as FeedHandle<never>).delete();
    if (following.length > 0) {
      const batch = await config.manager.followManyUsers(user, following);
      await batch.done();
    }
  }
  const after: Record<string, number> = {};
  for (const name of names) after[name] = await (feeds[name] as FeedHandle<never>).count();
  const verb = dryRun ? 'would empty' : 'emptied';
  const text = [
    `${verb} ${names.length} fan-out feed(s) of user ${user} (${names.map((n) => `${n}: ${before[n]} entries`).join(', ')})`,
    `${dryRun ? 'would copy' : 'copied'} the user feeds of ${following.length} followed account(s)`,
    ...(dryRun ? [] : [`now: ${names.map((n) => `${n}: ${after[n]} entries`).join(', ')}`]),
  ];
  return { text, json: { user, dryRun, following: following.length, before, after } };
}
