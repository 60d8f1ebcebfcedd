/**
 * The tracing hook: spans around publishes, fan-out tasks and feed reads, with the trace context
 * carried inside tasks (`trace`, a W3C `traceparent`) so that a worker's task span is a child of
 * the publish that enqueued it. {@link createOpenTelemetryTracing} implements it with
 * `@opentelemetry/api` (an optional peer); without a `tracing` option nothing is traced and the
 * hot paths pay one branch.
 * @module
 */
import { ValidationError } from '../errors.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { errorMessage } from './logger.js';

/** Attribute values of a span: ids, names and counts, never activity payloads. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

/** The span a {@link Tracing.span} callback runs in. */
export interface TracingSpan {
  /** Sets an attribute (e.g. a count known only at the end). */
  setAttribute(key: string, value: string | number | boolean): void;
  /** The span's W3C `traceparent`, carried by the tasks it enqueues (undefined: none). */
  readonly traceparent: string | undefined;
}

/**
 * Creates spans. {@link createOpenTelemetryTracing} is the implementation; another tracer can
 * implement it too. `span` must end the span when `run` settles and record an error `run` throws
 * (then rethrow it).
 */
export interface Tracing {
  /**
   * Runs `run` in a new span named `name`. `parent` is a W3C `traceparent` (from a task): the span
   * is its child; without one, the span is a child of the active span, if any.
   */
  span<T>(
    name: string,
    attributes: SpanAttributes,
    run: (span: TracingSpan) => Promise<T>,
    parent?: string,
  ): Promise<T>;
}

/** An OpenTelemetry `Context` (opaque here). */
export interface OpenTelemetryContext {
  getValue(key: symbol): unknown;
}

/** An OpenTelemetry `SpanContext`. */
export interface OpenTelemetrySpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean | undefined;
}

/** The part of an OpenTelemetry `Span` used here. */
export interface OpenTelemetrySpan {
  spanContext(): OpenTelemetrySpanContext;
  setAttribute(key: string, value: string | number | boolean): unknown;
  recordException(exception: Error | string): void;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

/** The part of an OpenTelemetry `Tracer` used here (`trace.getTracer(name)`). */
export interface OpenTelemetryTracer {
  startSpan(
    name: string,
    options?: { attributes?: SpanAttributes; kind?: number },
    context?: OpenTelemetryContext,
  ): OpenTelemetrySpan;
}

/**
 * The parts of `@opentelemetry/api` used here, written out so that the package's types never
 * import the optional peer: pass `{ trace, context }` imported from `@opentelemetry/api`.
 */
export interface OpenTelemetryApi {
  readonly trace: {
    getTracer(name: string, version?: string): OpenTelemetryTracer;
    setSpan(context: OpenTelemetryContext, span: OpenTelemetrySpan): OpenTelemetryContext;
    setSpanContext(
      context: OpenTelemetryContext,
      spanContext: OpenTelemetrySpanContext,
    ): OpenTelemetryContext;
  };
  readonly context: {
    active(): OpenTelemetryContext;
    with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
      context: OpenTelemetryContext,
      fn: F,
      thisArg?: ThisParameterType<F>,
      ...args: A
    ): ReturnType<F>;
  };
}

/** Options of {@link createOpenTelemetryTracing}. */
export interface OpenTelemetryTracingOptions {
  /** The tracer spans are started with. @default trace.getTracer('stream-framework') */
  readonly tracer?: OpenTelemetryTracer | undefined;
}

/** A W3C `traceparent` (version 00): version, trace id, parent span id, flags. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `SpanStatusCode.ERROR` of `@opentelemetry/api`. */
const STATUS_ERROR = 2;

/**
 * Tracing with OpenTelemetry (`@opentelemetry/api`, an optional peer dependency: this module only
 * imports its types, so nothing loads unless you pass the API). Spans (every attribute is an id,
 * a name or a count):
 * - `stream_framework.publish`, `.update`, `.remove`, `.import`, `.follow`, `.unfollow`: a manager
 *   call (`stream_framework.feed`, `stream_framework.activities`, `stream_framework.tasks`);
 * - `stream_framework.task`: one task run (`stream_framework.task.kind`, `.feed`, `.op`,
 *   `.users` the chunk size, `.activities`), a child of the call that enqueued it, also in another
 *   process (the task carries the `traceparent`);
 * - `stream_framework.feed.update`: the write of an aggregated or notification feed chunk inside a
 *   task (group merges);
 * - `stream_framework.feed.read`: a read of a manager's feed handle (`.feed`, `.items`).
 * An error is recorded on the span (exception event, status ERROR) and rethrown.
 * @example
 * import { context, trace } from '@opentelemetry/api';
 * const tracing = createOpenTelemetryTracing({ trace, context });
 * const manager = createManager({ ..., tracing });
 */
export function createOpenTelemetryTracing(
  api: OpenTelemetryApi,
  options: OpenTelemetryTracingOptions = {},
): Tracing {
  const ok =
    typeof api === 'object' &&
    api !== null &&
    typeof api.trace?.setSpan === 'function' &&
    typeof api.trace?.setSpanContext === 'function' &&
    typeof api.context?.active === 'function' &&
    typeof api.context?.with === 'function';
  if (!ok) {
    throw new ValidationError(
      'INVALID_OPTION',
      "createOpenTelemetryTracing: pass { trace, context } from '@opentelemetry/api'",
    );
  }
  const o = checkOptions<OpenTelemetryTracingOptions>(
    options,
    TRACING_KEYS,
    'createOpenTelemetryTracing',
  );
  const tracer = o.tracer ?? api.trace.getTracer('stream-framework');
  if (typeof tracer?.startSpan !== 'function') {
    throw new ValidationError(
      'INVALID_OPTION',
      'createOpenTelemetryTracing: tracer must be an OpenTelemetry Tracer (trace.getTracer(name))',
    );
  }
  const { trace, context } = api;
  return Object.freeze({
    span<T>(
      name: string,
      attributes: SpanAttributes,
      run: (span: TracingSpan) => Promise<T>,
      parent?: string,
    ): Promise<T> {
      const remote = parent === undefined ? undefined : spanContextOf(parent);
      const active = context.active();
      const base = remote === undefined ? active : trace.setSpanContext(active, remote);
      const span = tracer.startSpan(name, { attributes }, base);
      const handle: TracingSpan = Object.freeze({
        setAttribute: (key: string, value: string | number | boolean) => {
          span.setAttribute(key, value);
        },
        traceparent: traceparentOf(span.spanContext()),
      });
      const body = async (): Promise<T> => {
        try {
          return await run(handle);
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: STATUS_ERROR, message: errorMessage(error) });
          throw error;
        } finally {
          span.end();
        }
      };
      return context.with(trace.setSpan(base, span), body);
    },
  });
}

const TRACING_KEYS = optionKeys<OpenTelemetryTracingOptions>({ tracer: true });

/** The `traceparent` of a span context (sampled flag kept), or undefined for an invalid one. */
function traceparentOf(sc: OpenTelemetrySpanContext): string | undefined {
  const traceparent = `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 1}`;
  return spanContextOf(traceparent) === undefined ? undefined : traceparent;
}

/** The remote span context of a `traceparent`, or undefined for a malformed or all-zero one. */
function spanContextOf(traceparent: string): OpenTelemetrySpanContext | undefined {
  const m = TRACEPARENT.exec(traceparent);
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  return {
    traceId: m[2]!,
    spanId: m[3]!,
    traceFlags: Number.parseInt(m[4]!, 16) & 1,
    isRemote: true,
  };
}

/** Checks a `tracing` option (throws `INVALID_OPTION`): undefined or a {@link Tracing}. */
export function tracingOption(value: unknown, what: string): Tracing | undefined {
  if (value === undefined) return undefined;
  if (typeof (value as Tracing | null)?.span !== 'function') {
    throw new ValidationError(
      'INVALID_OPTION',
      `${what}: tracing must be a Tracing, e.g. createOpenTelemetryTracing({ trace, context })`,
      { details: { option: 'tracing' } },
    );
  }
  return value as Tracing;
}
