/**
 * Every public factory and per-call options object refuses a misspelt key (`INVALID_OPTION`
 * naming it) and a wrong-typed value (`INVALID_OPTION`), instead of ignoring the one or taking
 * `'no'` for true.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { assertActivity, createActivity } from '../activity/activity.js';
import { createVerbRegistry } from '../activity/verbs.js';
import { byVerbAndDay, createAggregator } from '../aggregation/aggregators.js';
import { CassandraActivityStorage } from '../backends/cassandra/cassandra-activity-storage.js';
import { CassandraTimelineStorage } from '../backends/cassandra/cassandra-timeline-storage.js';
import { createCassandraStorage, createSchema } from '../backends/cassandra/index.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import { createRedisStorage } from '../backends/redis/index.js';
import {
  publishChanges,
  subscribeToChanges,
  subscribeToFeedChanges,
} from '../backends/redis/realtime.js';
import { RedisActivityStorage } from '../backends/redis/redis-activity-storage.js';
import { RedisTimelineStorage } from '../backends/redis/redis-timeline-storage.js';
import {
  createHashCache,
  createListCache,
  createShardedHashCache,
  createSortedSetCache,
} from '../backends/redis/structures/index.js';
import { createSqliteStorage } from '../backends/sqlite/index.js';
import { createTables } from '../backends/sqlite/schema.js';
import { SqliteActivityStorage } from '../backends/sqlite/sqlite-activity-storage.js';
import { SqliteTimelineStorage } from '../backends/sqlite/sqlite-timeline-storage.js';
import { createTieredStorage } from '../backends/tiered/index.js';
import { createEnricher } from '../enrichment/enricher.js';
import { StreamFrameworkError } from '../errors.js';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import { createFollowGraph } from '../graph/follow-graph.js';
import { createManager } from '../manager/manager.js';
import { createOpenTelemetryMetrics } from '../metrics/opentelemetry.js';
import { createStatsdMetrics } from '../metrics/statsd.js';
import { createOpenTelemetryTracing } from '../metrics/tracing.js';
import { createBullmqQueue } from '../queue/bullmq/bullmq-queue.js';
import { listFailedJobs, retryFailedJobs } from '../queue/bullmq/failed-jobs.js';
import { createWorker } from '../queue/bullmq/worker.js';
import { createInlineQueue } from '../queue/inline-queue.js';
import { defineRankedFeed } from '../ranking/ranked-feed.js';
import { createReactions } from '../reactions/reactions.js';
import { createJsonSerializer } from '../serialization/json-serializer.js';
import type { TimelineStorage } from '../storage/contracts.js';

type Options = Record<string, unknown>;

/** A factory (or a call taking options): how to call it with options, base options, bad values. */
interface Factory {
  readonly name: string;
  readonly call: (options: Options) => unknown;
  /** Options the call accepts (a misspelt key is added to these). */
  readonly base: Options;
  /** Each a change of one value to a wrong type. */
  readonly wrong: readonly Options[];
  /** Non-objects refused in place of the options. @default [5, 'options', [], null] */
  readonly notObjects?: readonly unknown[];
  /** Path of a nested options object: errors name `path.key`. */
  readonly path?: string;
  /** The exported options types this entry walks (see the coverage test at the end). */
  readonly types?: readonly string[];
}

const storage = createMemoryStorage();
const fakeRedis = { defineCommand() {}, isCluster: false, options: {} } as never;
const activity = createActivity({ actor: 1, verb: 'love', object: 2, time: 1_764_000_000_000 });
const flat = defineFlatFeed({ name: 'flat', storage });
const ranked = defineRankedFeed({ name: 'ranked', feed: flat, score: () => 1 });
const aggregated = defineAggregatedFeed({ name: 'agg', storage });
const notification = defineNotificationFeed({ name: 'note', storage });
const user = defineFlatFeed({ name: 'user', storage });
/** The memory timeline behind the contract's types (the storage wrapper checks every call). */
const timeline: TimelineStorage = storage.timeline;
const graph = createFollowGraph({ storage });
const reactions = createReactions({ storage, kinds: { like: { unique: true } } });
const userManager = createManager({ userFeed: user, feeds: {}, getFollowerIds: () => [] });
const enricher = createEnricher({ object: async () => [] });
/** A connection a worker accepts (maxRetriesPerRequest: null); never used: the checks throw first. */
const workerRedis = {
  defineCommand() {},
  isCluster: false,
  options: { maxRetriesPerRequest: null },
};
const manager = { runTask: async () => {} };
/** Passes the database check; never used: the option checks throw before any statement. */
const fakeDatabase = { prepare() {}, transaction() {}, exec() {} };
const sqliteTables = { timeline: 't_timeline', marker: 't_marker', activity: 't_activity' };
const cassandraClient = { execute() {}, batch() {} };
const exec = {
  client: cassandraClient,
  consistency: 6,
  readConsistency: 6,
  serialConsistency: 9,
  fetchSize: 500,
};
const cassandraTable = { exec, table: '"ks"."t"', idTable: '"ks"."i"', namespace: '' };
const statsd = { increment() {}, timing() {} };
const meter = { createCounter: () => ({ add() {} }), createHistogram: () => ({ record() {} }) };
const otelApi = {
  trace: { getTracer: () => ({ startSpan() {} }), setSpan() {}, setSpanContext() {} },
  context: { active() {}, with() {} },
};

const factories: readonly Factory[] = [
  {
    name: 'defineFlatFeed',
    types: ['FlatFeedOptions', 'FeedOptions'],
    call: (o) => defineFlatFeed(o as never),
    base: { name: 'f', storage },
    wrong: [
      { normalized: 'no' },
      { maxLength: '3' },
      { key: 'k' },
      { serializer: {} },
      { verbs: [] },
      { metrics: 5 },
      { metrics: { onFeedRead: 'yes' } },
      { trim: { chance: 0.5, random: 0.5 } },
      { trim: { chance: '0.5' } },
      { trim: { chance: 1.5 } },
      { trim: {} },
      { trim: 0.5 },
      { limits: { maxPageSize: '10' } },
      { limits: { maxBatchSize: 0 } },
      { limits: { maxTo: -1 } },
      { limits: 10 },
      { onListenerError: true },
      { storage: {} },
    ],
  },
  {
    name: 'defineAggregatedFeed',
    types: ['AggregatedFeedOptions'],
    call: (o) => defineAggregatedFeed(o as never),
    base: { name: 'a', storage },
    wrong: [
      { normalized: 'no' },
      { aggregator: { name: 'x', groupKey: 'verb' } },
      { aggregator: { ...byVerbAndDay, rnak: () => 1 } },
      { groups: { maxActivities: 1.5 } },
      { groups: { maxTrackedActors: '10' } },
      { groups: { cacheCharacters: -1 } },
      { groups: 15 },
    ],
  },
  {
    name: 'defineNotificationFeed',
    types: ['NotificationFeedOptions'],
    call: (o) => defineNotificationFeed(o as never),
    base: { name: 'n', storage },
    wrong: [
      { track: { unseen: 'no' } },
      { track: { unread: 1 } },
      { track: true },
      { normalized: null },
    ],
  },
  {
    name: 'flat feed read',
    types: ['ReadOptions'],
    call: (o) => flat.for(1).read(o),
    base: { limit: 5 },
    wrong: [{ limit: '5' }, { order: 'up' }, { offset: 1 }, { cursor: 5 }],
  },
  {
    name: 'defineRankedFeed',
    types: ['RankedFeedOptions'],
    call: (o) => defineRankedFeed(o as never),
    base: { name: 'r', feed: flat, score: () => 1 },
    wrong: [{ window: '3' }, { window: 0 }, { score: 5 }, { signals: 'likes' }, { feed: {} }],
  },
  {
    name: 'ranked feed read',
    types: ['RankedReadOptions'],
    call: (o) => ranked.for(1).read(o as never),
    base: { limit: 5 },
    wrong: [{ limit: '5' }, { cursor: 5 }, { now: 'today' }, { now: new Date(Number.NaN) }],
  },
  {
    name: 'aggregated feed read',
    types: ['GroupReadOptions'],
    call: (o) => aggregated.for(1).read(o as never),
    base: { limit: 5 },
    wrong: [{ limit: 5.5 }, { order: 1 }, { filter: { lt: 'x' } }],
  },
  {
    name: 'flat feed write',
    types: ['WriteOptions'],
    call: (o) => flat.for(1).add(activity, o),
    base: { trim: true },
    wrong: [{ trim: 'no' }, { storeActivities: 0 }],
  },
  {
    name: 'flat definition addToMany',
    call: (o) => flat.addToMany([1], [activity], o),
    base: { trim: true },
    wrong: [{ trim: 'no' }],
  },
  {
    name: 'aggregated feed write',
    call: (o) => aggregated.for(1).add(activity, o),
    base: { storeActivities: true },
    wrong: [{ storeActivities: 'no' }, { trim: null }],
  },
  {
    name: 'aggregated definition addToMany',
    call: (o) => aggregated.addToMany([1], [activity], o),
    base: { trim: false },
    wrong: [{ trim: 'false' }],
  },
  {
    name: 'aggregated feed addGroups',
    call: (o) => aggregated.for(1).addGroups([], o),
    base: { trim: false },
    wrong: [{ trim: 'false' }],
  },
  {
    name: 'notification markRead',
    types: ['MarkReadOptions'],
    call: (o) => notification.for(1).markRead([], o),
    base: { seen: true },
    wrong: [{ seen: 'yes' }],
  },
  {
    name: 'notification markAll',
    types: ['MarkAllOptions'],
    call: (o) => notification.for(1).markAll(o),
    base: { seen: true, read: false },
    wrong: [{ read: 'yes' }],
  },
  {
    name: 'createMemoryStorage',
    types: ['MemoryStorageOptions'],
    call: (o) => createMemoryStorage(o as never),
    base: {},
    wrong: [],
  },
  {
    name: 'createTieredStorage',
    types: ['TieredStorageOptions'],
    call: (o) => createTieredStorage(o as never),
    base: { hot: storage, durable: createMemoryStorage(), hotMaxLength: 10 },
    wrong: [
      { hot: 5 },
      { durable: {} },
      { durable: storage },
      { hotMaxLength: '10' },
      { hotMaxLength: 0 },
    ],
  },
  {
    name: 'createRedisStorage',
    types: ['RedisStorageOptions'],
    call: (o) => createRedisStorage(o as never),
    base: { client: fakeRedis },
    wrong: [
      { client: undefined },
      { prefix: 5 },
      { activityShards: '2' },
      { activityColocation: 'node' },
      { activityColocation: 'Bucket' },
      { activityBucketMs: 0 },
      { fanoutBatch: 1.5 },
      { updateCacheSize: -1 },
    ],
  },
  {
    name: 'RedisTimelineStorage',
    types: [],
    call: (o) => new RedisTimelineStorage(o as never),
    base: { client: fakeRedis, prefix: 'p' },
    wrong: [{ maxUpdateAttempts: '3' }, { updateCacheCharacters: -5 }],
  },
  {
    name: 'RedisActivityStorage',
    types: [],
    call: (o) => new RedisActivityStorage(o as never),
    base: { client: fakeRedis, prefix: 'p' },
    wrong: [{ shards: 0 }, { bucketMs: '1000' }, { colocation: 'bucket' }],
  },
  {
    name: 'createSqliteStorage',
    types: ['SqliteStorageOptions'],
    call: (o) => createSqliteStorage(o as never),
    base: { database: {} },
    wrong: [{ database: 5 }],
  },
  {
    name: 'createCassandraStorage',
    types: ['CassandraStorageOptions'],
    call: (o) => createCassandraStorage(o as never),
    base: { client: { execute() {}, batch() {} }, keyspace: 'ks' },
    wrong: [
      { client: {} },
      { keyspace: 5 },
      { namespace: 5 },
      { fetchSize: '500' },
      { consistency: 'quorum' },
      { tables: { timeline: 't' } },
    ],
  },
  {
    name: 'createJsonSerializer',
    types: ['JsonSerializerOptions'],
    call: (o) => createJsonSerializer(o as never),
    base: { maxActivityLength: 1000 },
    wrong: [{ maxActivityLength: '1000' }, { maxActivityLength: 0 }],
  },
  {
    name: 'createVerbRegistry',
    types: ['VerbRegistryOptions'],
    call: (o) => createVerbRegistry([], o as never),
    base: { builtins: false },
    wrong: [{ builtins: 'no' }],
  },
  {
    name: 'aggregator object',
    call: (o) => defineAggregatedFeed({ name: 'x', storage, aggregator: o as never }),
    base: { name: 'custom', groupKey: () => 'k' },
    wrong: [{ name: 5 }, { groupKey: 'verb' }, { rank: 1 }],
  },
  {
    name: 'createStatsdMetrics',
    types: ['StatsdMetricsOptions'],
    call: (o) => createStatsdMetrics(statsd, o as never),
    base: { prefix: 'app' },
    wrong: [{ prefix: 5 }],
  },
  {
    name: 'createOpenTelemetryMetrics',
    types: ['OpenTelemetryMetricsOptions'],
    call: (o) => createOpenTelemetryMetrics(meter as never, o as never),
    base: { prefix: 'app' },
    wrong: [{ prefix: 5 }],
  },
  {
    name: 'createOpenTelemetryTracing',
    types: ['OpenTelemetryTracingOptions'],
    call: (o) => createOpenTelemetryTracing(otelApi as never, o as never),
    base: { tracer: otelApi.trace.getTracer() },
    wrong: [{ tracer: 5 }, { tracer: {} }],
  },
  {
    name: 'publishChanges',
    types: ['PublishChangesOptions'],
    call: (o) => publishChanges(flat, o as never)(),
    base: { client: fakeRedis },
    wrong: [{ prefix: 5 }],
  },
  {
    name: 'subscribeToChanges',
    types: ['SubscribeOptions'],
    call: (o) => subscribeToChanges(o as never, () => {}),
    base: { subscriber: {}, feed: 'n', userId: 1 },
    wrong: [],
  },
  {
    name: 'subscribeToFeedChanges',
    call: (o) => subscribeToFeedChanges(o as never, () => {}),
    base: { subscriber: {}, feed: 'n', userId: 1 },
    wrong: [],
  },
  {
    name: 'createBullmqQueue',
    types: ['BullmqQueueOptions'],
    call: (o) => createBullmqQueue(o as never),
    base: { connection: fakeRedis },
    wrong: [{ connection: 5 }],
  },
  {
    name: 'createWorker',
    call: (o) => createWorker(o as never),
    base: { connection: fakeRedis, manager: {} },
    wrong: [{ manager: 5 }],
  },
  {
    name: 'assertActivity',
    types: [],
    call: (o) => assertActivity(activity, undefined, o as never),
    base: { maxTo: 5 },
    wrong: [{ maxTo: '5' }, { maxTo: -1 }, { maxTo: 1.5 }],
  },
  {
    name: 'SqliteTimelineStorage',
    types: [],
    call: (o) => new SqliteTimelineStorage(o as never),
    base: { database: fakeDatabase, tables: sqliteTables },
    wrong: [
      { database: 5 },
      { tables: 'sf' },
      { tables: { timeline: 't' } },
      { tables: { ...sqliteTables, maxlength: 1 } },
      { tables: { ...sqliteTables, timeline: 't"; DROP TABLE x; --' } },
      { tables: { ...sqliteTables, marker: 'sqlite_master' } },
    ],
  },
  {
    name: 'SqliteActivityStorage',
    types: [],
    call: (o) => new SqliteActivityStorage(o as never),
    base: { database: fakeDatabase, tables: sqliteTables },
    wrong: [{ database: {} }, { tables: { ...sqliteTables, activity: 5 } }],
  },
  {
    name: 'createTables tables',
    call: (o) => createTables(fakeDatabase as never, o as never),
    base: sqliteTables,
    wrong: [{ timeline: 5 }, { activity: 'a"b' }, { marker: '' }],
  },
  {
    name: 'CassandraTimelineStorage',
    types: [],
    call: (o) => new CassandraTimelineStorage(o as never),
    base: cassandraTable,
    wrong: [
      { exec: 5 },
      { exec: { ...exec, fetchSize: '500' } },
      { exec: { ...exec, consistency: 'quorum' } },
      { exec: { ...exec, readConsistency: undefined } },
      { exec: { ...exec, client: {} } },
      { exec: { ...exec, maxlength: 1 } },
      { table: 'ks.t' },
      { table: '"ks"."t"; DROP TABLE x' },
      { idTable: 'i' },
      { namespace: 5 },
      { maxUpdateAttempts: 0 },
      { fanoutConcurrency: '32' },
      { maxEntriesPerCommit: 1.5 },
    ],
  },
  {
    name: 'CassandraActivityStorage',
    types: [],
    call: (o) => new CassandraActivityStorage(o as never),
    base: { exec, table: '"ks"."t"', namespace: '' },
    wrong: [{ exec: {} }, { table: 5 }, { namespace: null }, { concurrency: 0 }],
  },
  {
    name: 'createSchema',
    types: ['CreateSchemaOptions'],
    call: (o) => createSchema(cassandraClient as never, o as never),
    base: { keyspace: 'ks', replication: { class: 'SimpleStrategy', replication_factor: 1 } },
    wrong: [
      { keyspace: 5 },
      { durableWrites: 'false' },
      { durableWrites: 'true AND x = 1' },
      { tables: { timeline: 't' } },
      { tables: 'sf' },
    ],
  },
  {
    name: 'createBullmqQueue jobOptions',
    types: ['BullmqJobOptions'],
    call: (o) => createBullmqQueue({ connection: fakeRedis, jobOptions: o as never }),
    base: { attempts: 2 },
    wrong: [
      { attempts: '2' },
      { attempts: 0 },
      { stackTraceLimit: 1.5 },
      { backoff: 'exponential' },
      { backoff: null },
      { removeOnFail: 'yes' },
      { removeOnComplete: [] },
    ],
  },
  {
    name: 'createBullmqQueue queueNames',
    call: (o) => createBullmqQueue({ connection: fakeRedis, queueNames: o as never }),
    base: { high: 'h' },
    wrong: [{ high: 5 }, { low: 'a:b' }],
  },
  {
    name: 'createWorker (valid manager and connection)',
    types: ['CreateWorkerOptions'],
    call: (o) => createWorker(o as never),
    base: { connection: workerRedis, manager },
    wrong: [
      { onError: 5 },
      { onFailed: 'log' },
      { name: 5 },
      { stalls: { lockDuration: '30000' } },
      { stalls: 30000 },
      { concurrency: '10' },
      { concurrency: [] },
    ],
  },
  {
    name: 'createWorker concurrency',
    call: (o) => createWorker({ connection: workerRedis as never, manager, concurrency: o }),
    base: { high: 2 },
    notObjects: ['10', [], null, 0, 1.5], // a number is a valid concurrency
    wrong: [{ high: '2' }, { low: 0 }, { low: 1.5 }],
  },
  {
    name: 'createWorker queueNames',
    call: (o) => createWorker({ connection: workerRedis as never, manager, queueNames: o }),
    base: { low: 'l' },
    wrong: [{ high: 5 }],
  },
  {
    name: 'createInlineQueue',
    types: ['InlineQueueOptions'],
    call: (o) => createInlineQueue(o as never),
    base: { concurrency: 2 },
    wrong: [{ concurrency: '2' }, { roundTrip: 'yes' }],
  },
  {
    name: 'feed limits',
    types: ['FeedLimits'],
    path: 'limits',
    call: (o) => defineFlatFeed({ name: 'f', storage, limits: o }),
    base: { maxPageSize: 10 },
    wrong: [{ maxPageSize: '10' }, { maxBatchSize: 0 }, { maxTo: 1.5 }],
  },
  {
    name: 'feed trim',
    types: ['TrimOptions'],
    path: 'trim',
    call: (o) => defineFlatFeed({ name: 'f', storage, trim: o as never }),
    base: { chance: 0.5 },
    wrong: [{ chance: 2 }, { chance: 0.5, random: 1 }],
  },
  {
    name: 'aggregated feed groups',
    types: ['GroupOptions'],
    path: 'groups',
    call: (o) => defineAggregatedFeed({ name: 'a', storage, groups: o }),
    base: { maxActivities: 5 },
    wrong: [{ maxActivities: 0 }, { maxTrackedActors: '1' }, { cacheCharacters: -1 }],
  },
  {
    name: 'notification feed track',
    types: ['NotificationTracking'],
    path: 'track',
    call: (o) => defineNotificationFeed({ name: 'n', storage, track: o }),
    base: { unseen: false },
    wrong: [{ unseen: 'no' }, { unread: 0 }],
  },
  {
    name: 'createWorker stalls',
    types: ['WorkerStalls'],
    path: 'stalls',
    call: (o) => createWorker({ connection: workerRedis as never, manager, stalls: o }),
    base: { lockDuration: 1000 },
    wrong: [{ lockDuration: 0 }, { stalledInterval: '1' }, { maxStalledCount: 1.5 }],
  },
  {
    name: 'createActivity',
    types: ['CreateActivityOptions'],
    call: (o) => createActivity({ actor: 1, verb: 'love', object: 2 }, o as never),
    base: { maxTo: 5 },
    wrong: [{ maxTo: '5' }],
  },
  {
    name: 'createManager',
    types: ['ManagerOptions'],
    call: (o) => createManager(o as never),
    base: { userFeed: user, feeds: {}, getFollowerIds: () => [] },
    wrong: [
      { queue: {} },
      { ownerOf: 'actor' },
      { getFollowerIds: [] },
      { logger: 5 },
      { logger: {} },
      { logger: { warn: 'loud' } },
      { tracing: {} },
    ],
  },
  {
    name: 'createManager limits',
    types: ['ManagerLimits'],
    path: 'limits',
    call: (o) => createManager({ userFeed: user, feeds: {}, getFollowerIds: () => [], limits: o }),
    base: { fanoutChunkSize: 10 },
    wrong: [{ fanoutChunkSize: '10' }, { followActivityLimit: -1 }, { batchImportChunkSize: 0 }],
  },
  {
    name: 'createManager fanout',
    types: ['FanoutPolicyOptions'],
    path: 'fanout',
    call: (o) => createManager({ userFeed: user, feeds: {}, getFollowerIds: () => [], fanout: o }),
    base: { mode: 'hybrid' },
    wrong: [{ mode: 'hybird' }, { maxPushFollowers: -1 }, { halfLifeDays: 0 }],
  },
  {
    name: 'manager followUser',
    types: ['FollowOptions'],
    call: (o) => userManager.followUser(1, 2, o as never),
    base: { limit: 5 },
    wrong: [{ limit: '5' }, { limit: -1 }],
  },
  {
    name: 'createFollowGraph',
    types: ['FollowGraphOptions'],
    call: (o) => createFollowGraph(o as never),
    base: { storage, prefix: 'g' },
    wrong: [{ storage: {} }, { prefix: 5 }, { prefix: 'a b' }, { limits: 5 }],
  },
  {
    name: 'createFollowGraph limits',
    types: ['FollowGraphLimits'],
    path: 'limits',
    call: (o) => createFollowGraph({ storage, limits: o }),
    base: { maxBatchSize: 10 },
    wrong: [{ maxBatchSize: '10' }, { maxPageSize: 0 }],
  },
  {
    name: 'graph follow',
    types: ['GraphFollowOptions'],
    call: (o) => graph.follow(1, 2, o as never),
    base: { priority: 'low' },
    wrong: [{ priority: 'urgent' }, { priority: 1 }],
  },
  {
    name: 'graph followers',
    types: ['GraphPageOptions'],
    call: (o) => graph.followers(1, o as never),
    base: { limit: 5 },
    wrong: [{ limit: '5' }, { limit: 0 }, { cursor: 5 }],
  },
  {
    name: 'manager unfollowUser',
    types: ['UnfollowOptions'],
    call: (o) => userManager.unfollowUser(1, 2, o as never),
    base: { keepHistory: true },
    wrong: [{ keepHistory: 'yes' }],
  },
  {
    name: 'manager batchImport',
    types: ['BatchImportOptions'],
    call: (o) => userManager.batchImport(1, [], o as never),
    base: { fanout: false },
    wrong: [{ fanout: 'no' }, { chunkSize: 0 }, { onProgress: 5 }],
  },
  {
    name: 'createReactions',
    types: ['ReactionsOptions'],
    call: (o) => createReactions(o as never),
    base: { storage, prefix: 'r' },
    wrong: [{ prefix: 'a:b' }, { kinds: [] }, { manager: {} }, { now: 5 }, { storage: {} }],
  },
  {
    name: 'createReactions limits',
    path: 'limits',
    call: (o) => createReactions({ storage, limits: o }),
    base: { maxDataBytes: 10 },
    wrong: [{ maxDataBytes: -1 }, { maxLatest: 0 }, { maxNotify: '5' }],
  },
  {
    name: 'createReactions kind',
    types: ['ReactionKindOptions'],
    path: 'kinds.like',
    call: (o) => createReactions({ storage, kinds: { like: o } }),
    base: { unique: true },
    wrong: [{ unique: 'yes' }, { unique: 1 }],
  },
  {
    name: 'reactions add',
    call: (o) => reactions.add(o as never),
    base: { activityId: activity.id, kind: 'like', userId: 1 },
    wrong: [{ publish: 'yes' }, { notify: 'feed:1' }, { id: 'x' }],
  },
  {
    name: 'reactions list',
    types: ['ReactionListOptions'],
    call: (o) => reactions.list(activity.id, 'like', o as never),
    base: { limit: 5 },
    wrong: [{ limit: 0 }, { order: 'up' }, { cursor: 5 }, { cursor: '1.#' }],
  },
  {
    name: 'reactions summary',
    types: ['ReactionSummaryOptions'],
    call: (o) => reactions.summary([activity.id], o as never),
    base: { latest: 1 },
    wrong: [{ latest: -1 }, { own: 'x' }, { kinds: 'like' }],
  },
  {
    name: 'enricher enrich',
    types: ['EnrichOptions'],
    call: (o) => enricher.enrich({ items: [], missing: [] }, o as never),
    base: {},
    wrong: [{ cache: 5 }, { cache: createEnricher({ actor: async () => [] }).createCache() }],
  },
  {
    name: 'manager foreign.find',
    types: ['ForeignFindOptions'],
    call: (o) => userManager.foreign.find('pin:1', o as never),
    base: { limit: 5 },
    wrong: [{ limit: 0 }, { limit: '5' }],
  },
  {
    name: 'timeline storage add',
    types: ['TimelineWriteOptions'],
    call: (o) => timeline.add('k', [], o as never),
    base: { maxLength: 5 },
    wrong: [{ maxLength: -1 }, { idsOnly: 'yes' }],
  },
  {
    name: 'timeline storage idsOnly',
    types: ['IdOnlyOptions'],
    call: (o) => timeline.idsOnly(o as never),
    base: { scoreOf: (id: string) => id.length },
    wrong: [{ scoreOf: 'time' }, { scoreOf: 5 }],
  },
  {
    name: 'timeline storage rangeMerged',
    types: ['MergedRangeOptions'],
    call: (o) => timeline.rangeMerged(['k', 'j'], { order: 'desc', limit: 5 }, o as never),
    base: { floorAt: 5 },
    wrong: [{ floorAt: 0 }, { floorAt: 'x' }, { floorAt: 1.5 }],
  },
  {
    name: 'timeline storage range',
    types: [],
    call: (o) => timeline.range('k', o as never),
    base: { limit: 5, order: 'desc' },
    // `offset` is no longer a range key (page by bounds): even a once-valid 0 is refused.
    wrong: [{ limit: 0 }, { offset: 0 }, { idsOnly: true }, { order: 'up' }],
  },
  {
    name: 'createHashCache',
    types: ['HashCacheOptions', 'RedisStructureOptions', 'CodecOptions'],
    call: (o) => createHashCache(o as never),
    base: { client: fakeRedis, key: 'k' },
    wrong: [{ key: 5 }, { key: '' }],
  },
  {
    name: 'createListCache',
    types: ['ListCacheOptions'],
    call: (o) => createListCache(o as never),
    base: { client: fakeRedis, key: 'k' },
    wrong: [{ maxLength: 0 }, { key: 5 }],
  },
  {
    name: 'createShardedHashCache',
    types: ['ShardedHashCacheOptions'],
    call: (o) => createShardedHashCache(o as never),
    base: { client: fakeRedis, key: 'k' },
    wrong: [{ shards: 0 }, { key: '{k}' }],
  },
  {
    name: 'createSortedSetCache',
    types: ['SortedSetCacheOptions'],
    call: (o) => createSortedSetCache(o as never),
    base: { client: fakeRedis, key: 'k' },
    wrong: [{ order: 'up' }, { maxLength: 0 }],
  },
  {
    name: 'sorted set cache range',
    call: (o) => createSortedSetCache({ client: fakeRedis, key: 'k' }).range(o as never),
    base: { limit: 5 },
    wrong: [{ offset: -1 }, { limit: 1.5 }],
  },
  {
    name: 'bullmq listFailed',
    types: ['ListFailedOptions'],
    call: (o) => listFailedJobs({} as never, o as never),
    base: { limit: 5 },
    wrong: [{ limit: 0 }, { priority: 'urgent' }],
  },
  {
    name: 'bullmq retryFailed',
    types: ['RetryFailedOptions'],
    call: (o) => retryFailedJobs({} as never, o as never),
    base: { priority: 'high' },
    wrong: [{ priority: 'urgent' }, { ids: 'a' }],
  },
];

/**
 * Exported options types no factory row walks, each with the reason: they are not options an
 * application passes to a call of the library.
 */
const NOT_CALL_OPTIONS: Readonly<Record<string, string>> = {
  EnqueueOptions: 'passed by the manager to a TaskQueue implementation, never by an application',
  StreamFrameworkErrorOptions:
    'options of an error constructor: refusing them would hide the error being built',
};

/** The public entry points (package.json exports), whose exported options types must be walked. */
const ENTRY_POINTS = [
  'src/index.ts',
  'src/backends/redis/index.ts',
  'src/backends/sqlite/index.ts',
  'src/backends/cassandra/index.ts',
  'src/backends/memory/index.ts',
  'src/queue/bullmq/index.ts',
  'src/testing/index.ts',
];

/** Names exported by a module: `export { a, type B } from`, and `export interface/type` there. */
function exportedNames(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  source.forEachChild((node) => {
    if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause)) {
      for (const element of node.exportClause.elements) names.push(element.name.text);
    } else if (
      (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) &&
      node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    ) {
      names.push(node.name.text);
    }
  });
  return names;
}

/** Calls `f` and returns what it threw or rejected with (undefined if it succeeded). */
async function failureOf(f: () => unknown): Promise<unknown> {
  try {
    await f();
    return undefined;
  } catch (error) {
    return error;
  }
}

const isInvalidOption = (e: unknown): e is StreamFrameworkError =>
  e instanceof StreamFrameworkError && e.code === 'INVALID_OPTION';

describe('options of every factory and call', () => {
  for (const factory of factories) {
    it(`${factory.name}: a misspelt key is INVALID_OPTION naming it`, async () => {
      for (const key of ['maxlength', 'normalised', 'Prefix']) {
        const error = await failureOf(() => factory.call({ ...factory.base, [key]: 1 }));
        assert.ok(isInvalidOption(error), `${factory.name} { ${key} }: ${String(error)}`);
        assert.equal(error.details.option, factory.path ? `${factory.path}.${key}` : key);
      }
    });

    it(`${factory.name}: a non-object or wrong-typed value is INVALID_OPTION`, async () => {
      const notObjects = factory.notObjects ?? [5, 'options', [], null];
      for (const options of [...notObjects, ...factory.wrong]) {
        const call =
          typeof options === 'object' && options !== null && !Array.isArray(options)
            ? { ...factory.base, ...options }
            : options;
        const error = await failureOf(() => factory.call(call as Options));
        assert.ok(
          isInvalidOption(error),
          `${factory.name} ${JSON.stringify(options)}: ${String(error)}`,
        );
      }
    });
  }

  it('every exported options type is walked by a row above (or says why it is not a call option)', () => {
    const walked = new Set(factories.flatMap((f) => f.types ?? []));
    const exported = new Set(ENTRY_POINTS.flatMap(exportedNames));
    const unwalked = [...exported].filter(
      (name) => name.endsWith('Options') && !walked.has(name) && !(name in NOT_CALL_OPTIONS),
    );
    assert.deepEqual(unwalked, [], 'add a row to the factories table for each');
    // The nested options types the rows name are exported too (a rename fails here).
    const stale = [...walked, ...Object.keys(NOT_CALL_OPTIONS)].filter((n) => !exported.has(n));
    assert.deepEqual(stale, [], 'types named by the table but not exported');
  });

  it('createAggregator refuses a non-string name or a non-function groupKey or rank', () => {
    for (const args of [
      [5, () => 'k'],
      ['n', 'verb'],
      ['n', () => 'k', 1],
    ] as const) {
      assert.throws(
        () => createAggregator(...(args as unknown as Parameters<typeof createAggregator>)),
        isInvalidOption,
      );
    }
  });
});
