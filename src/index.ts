/**
 * stream-framework: activity streams and newsfeeds for Node.js. Flat, aggregated and notification
 * feeds with fan-out on write, on pluggable storage (in-memory here; Redis and Cassandra in their
 * subpath exports), with background work through a task queue.
 * @module
 */

// Activities, ids, verbs
export type { Activity, ActivityInput, CreateActivityOptions } from './activity/activity.js';
export { createActivity } from './activity/activity.js';
export type { Id } from './activity/ids.js';
export { isActivityId, minActivityIdAt, timeOfActivityId } from './activity/ids.js';
export type { ExtraData, JsonObject, JsonValue } from './activity/json.js';
export type { Verb, VerbDefinition, VerbRegistry, VerbRegistryOptions } from './activity/verbs.js';
export { builtinVerbs, createVerbRegistry } from './activity/verbs.js';
// Aggregation
export type { Aggregator } from './aggregation/aggregators.js';
export {
  byVerbAndDay,
  byVerbObjectAndDay,
  createAggregator,
  utcDay,
} from './aggregation/aggregators.js';
export type { GroupMember, GroupRecord, MinimizedMember } from './aggregation/group.js';
// The in-memory backend
export { createMemoryStorage } from './backends/memory/index.js';
// Tiered storage: a hot tier over a durable tier
export {
  createTieredStorage,
  type TieredStorage,
  type TieredStorageOptions,
} from './backends/tiered/index.js';
// Enrichment
export { createEnricher } from './enrichment/enricher.js';
export type {
  BatchLoader,
  EnrichedPage,
  Enricher,
  EnrichmentCache,
  EnrichmentKind,
  EnrichOptions,
  LoadedValue,
  Loaders,
  References,
  UnresolvedReference,
} from './enrichment/types.js';
// Errors
export type { ErrorCode, StreamFrameworkErrorOptions } from './errors.js';
export {
  BackendError,
  ClosedError,
  ConflictError,
  EnrichmentError,
  SerializationError,
  StreamFrameworkError,
  UnsupportedOperationError,
  ValidationError,
} from './errors.js';
// Manager and queues
export type {
  EdgeDecision,
  EdgeInputs,
  EdgeReason,
  FanoutMode,
  FanoutPolicyOptions,
} from './fanout/policy.js';
export type {
  AggregatedFeed,
  AggregatedFeedDefinition,
  AggregatedFeedOptions,
} from './feeds/aggregated-feed.js';
export { defineAggregatedFeed } from './feeds/aggregated-feed.js';
export type {
  ChangeEvents,
  ChangeListener,
  FeedChange,
  FeedChangeReason,
} from './feeds/change-events.js';
// Feeds
export type { FeedDefinition, FeedHandle, FeedKind } from './feeds/feed.js';
export type { FeedLimits, FeedOptions, TrimOptions, WriteOptions } from './feeds/feed-config.js';
export type { FlatFeed, FlatFeedDefinition, FlatFeedOptions } from './feeds/flat-feed.js';
export { defineFlatFeed } from './feeds/flat-feed.js';
export type { AggregatedGroup, GroupOptions } from './feeds/group/types.js';
export type {
  NotificationChange,
  NotificationChangeReason,
  NotificationEvents,
  NotificationListener,
} from './feeds/notification-events.js';
export type {
  MarkAllOptions,
  MarkReadOptions,
  NotificationCounts,
  NotificationFeed,
  NotificationFeedDefinition,
  NotificationFeedOptions,
  NotificationGroup,
  NotificationTracking,
} from './feeds/notification-feed.js';
export { defineNotificationFeed } from './feeds/notification-feed.js';
export type { FeedPage, GroupReadOptions, IdFilter, ReadOptions } from './feeds/read-options.js';
// Foreign ids (manager.foreign)
export type {
  ExtraChanges,
  ForeignFindOptions,
  ForeignIds,
  ForeignMatches,
  ForeignRef,
  ForeignRemoval,
  ForeignUpdate,
} from './foreign/types.js';
// Follow graph
export { createFollowGraph } from './graph/follow-graph.js';
export type {
  FollowCounts,
  Followed,
  Follower,
  FollowGraph,
  FollowGraphLimits,
  FollowGraphOptions,
  FollowPriority,
  GraphFollowOptions,
  GraphPage,
  GraphPageOptions,
} from './graph/types.js';
export type { FollowerIds } from './manager/follower-ids.js';
export { createManager } from './manager/manager.js';
export type {
  AnyFeedDefinition,
  FeedMap,
  ManagerLimits,
  ManagerOptions,
  UserFeedDefinition,
} from './manager/options.js';
export type {
  BatchImportOptions,
  BatchImportResult,
  ExtraOf,
  FanoutHandle,
  FeedHandles,
  FollowOptions,
  HandleOf,
  Manager,
  UnfollowOptions,
} from './manager/types.js';
// Metrics, logging, tracing
export type { LogFields, Logger, LogLevel, LogMethod } from './metrics/logger.js';
export type { FanoutEvent, FeedEvent, Metrics } from './metrics/metrics.js';
export type {
  OpenTelemetryAttributes,
  OpenTelemetryMeter,
  OpenTelemetryMetricsOptions,
} from './metrics/opentelemetry.js';
export { createOpenTelemetryMetrics } from './metrics/opentelemetry.js';
export type { StatsdClient, StatsdMetricsOptions } from './metrics/statsd.js';
export { createStatsdMetrics } from './metrics/statsd.js';
export type {
  OpenTelemetryApi,
  OpenTelemetryContext,
  OpenTelemetrySpan,
  OpenTelemetrySpanContext,
  OpenTelemetryTracer,
  OpenTelemetryTracingOptions,
  SpanAttributes,
  Tracing,
  TracingSpan,
} from './metrics/tracing.js';
export { createOpenTelemetryTracing } from './metrics/tracing.js';
export type { InlineQueue, InlineQueueOptions } from './queue/inline-queue.js';
export { createInlineQueue } from './queue/inline-queue.js';
export type { FanoutPull, Task, TaskPriority } from './queue/task.js';
export type { EnqueueOptions, TaskBatch, TaskQueue, TaskRunner } from './queue/task-queue.js';
export type {
  RankedFeed,
  RankedFeedDefinition,
  RankedFeedOptions,
  RankedItem,
  RankedPage,
  RankedReadOptions,
  RankingContext,
} from './ranking/ranked-feed.js';
export { defineRankedFeed, MAX_RANKING_WINDOW } from './ranking/ranked-feed.js';
// Reactions
export { reactionActivity } from './reactions/delivery.js';
export { createReactions } from './reactions/reactions.js';
export type {
  AddedReaction,
  Reaction,
  ReactionInput,
  ReactionKindOptions,
  ReactionLimits,
  ReactionListOptions,
  ReactionPage,
  ReactionPublisher,
  ReactionRef,
  ReactionSummary,
  ReactionSummaryOptions,
  Reactions,
  ReactionsOptions,
  RemovedReaction,
} from './reactions/types.js';
export type { JsonSerializerOptions } from './serialization/json-serializer.js';
export { createJsonSerializer } from './serialization/json-serializer.js';
// Serialization
export type { ActivityForm, DecodeContext, Serializer } from './serialization/serializer.js';
// Storage contracts and the in-memory backend
export type {
  ActivityDriver,
  ActivityStorage,
  IdOnlyOptions,
  IdOnlyTimeline,
  MergedRangeOptions,
  RangeBound,
  RangeQuery,
  Storage,
  TimelineCapabilities,
  TimelineChanges,
  TimelineCompute,
  TimelineDriver,
  TimelineEntry,
  TimelineHints,
  TimelineStorage,
  TimelineUpdate,
  TimelineWriteOptions,
} from './storage/contracts.js';
export {
  type DefinedActivityStorage,
  defineActivityStorage,
} from './storage/define-activity-storage.js';
export {
  type DefinedStorage,
  type DefinedTimelineStorage,
  defineStorage,
  defineTimelineStorage,
  type StorageDrivers,
} from './storage/define-storage.js';
