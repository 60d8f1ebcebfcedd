/**
 * The logger hook: a pino-compatible `{ debug, info, warn, error }` object. The library logs only
 * what an operator acts on (a task failed and will be retried, gave up, ran slow; a listener
 * threw; a worker started or stopped), with ids and counts, never activity payloads. Silent by
 * default. A logger that throws is ignored: logging never fails a feed operation.
 * @module
 */
import { show } from '../activity/ids.js';
import { ValidationError } from '../errors.js';

/** Facts of one log record: ids, counts, names, durations; never activity payloads. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** One level of a {@link Logger}: called as pino's `logger.warn(fields, message)`. */
export type LogMethod = (fields: LogFields, message: string) => void;

/**
 * A logger: pino (`pino()`), a pino child logger, or anything with the same methods (each level
 * is optional; a missing one is silent). Records are `(fields, message)`; `fields.err` holds an
 * error's message (never its payload).
 * @example
 * import pino from 'pino';
 * const manager = createManager({ ..., logger: pino({ level: 'info' }) });
 */
export interface Logger {
  /** Per-task detail (a task ran, with its counts and duration): off in production. */
  readonly debug?: LogMethod | undefined;
  /** Lifecycle: a worker started or stopped, a manager closed. */
  readonly info?: LogMethod | undefined;
  /** Something failed and will be retried, or ran slow. */
  readonly warn?: LogMethod | undefined;
  /** Something failed for good (a task gave up, a listener threw). */
  readonly error?: LogMethod | undefined;
}

/** The levels of a {@link Logger}, least severe first. */
export type LogLevel = keyof Logger;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Checks a `logger` option (throws `INVALID_OPTION`): undefined (silent) or an object whose
 * levels, when present, are functions. Returns undefined for no logger, so that call sites pay a
 * branch and nothing else when none is configured.
 */
export function loggerOption(value: unknown, what: string): Logger | undefined {
  if (value === undefined) return undefined;
  const levels = value as Record<string, unknown> | null;
  if (
    (typeof levels !== 'object' && typeof levels !== 'function') ||
    levels === null ||
    !LEVELS.some((level) => levels[level] !== undefined)
  ) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${what}: logger must be a pino-compatible object with debug, info, warn and error methods, got ${show(value)}`,
      { details: { option: 'logger' } },
    );
  }
  for (const level of LEVELS) {
    const fn = levels[level];
    if (fn !== undefined && typeof fn !== 'function') {
      throw new ValidationError(
        'INVALID_OPTION',
        `${what}: logger.${level} must be a function, got ${show(fn)}`,
        { details: { option: 'logger' } },
      );
    }
  }
  return value as Logger;
}

/** Writes one record, swallowing anything the logger throws (logging never fails an operation). */
export function log(
  logger: Logger | undefined,
  level: LogLevel,
  fields: LogFields,
  message: string,
): void {
  const fn = logger?.[level];
  if (fn === undefined) return;
  try {
    fn.call(logger, fields, message);
  } catch {
    // a broken logger must not break a write
  }
}

/** The message of an error, for a log record's `err` field (bounded: no payload dumps). */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}
