/**
 * The one error hierarchy of the library: every error it throws on purpose is a
 * {@link StreamFrameworkError} with a machine-readable {@link ErrorCode}.
 * @module
 */

/** Machine-readable reason of a {@link StreamFrameworkError}. */
export type ErrorCode =
  | 'INVALID_ACTIVITY'
  | 'INVALID_TIME'
  | 'INVALID_ID'
  | 'INVALID_EXTRA'
  | 'INVALID_OPTION'
  | 'INVALID_TASK'
  | 'UNKNOWN_VERB'
  | 'UNKNOWN_FILTER'
  | 'UNKNOWN_FEED'
  | 'LIMIT_EXCEEDED'
  | 'NOT_OWNER'
  | 'NOT_FOUND'
  | 'SERIALIZATION'
  | 'UNSUPPORTED'
  | 'CONFLICT'
  | 'BACKEND'
  | 'CLOSED'
  | 'ENRICHMENT';

/** Options accepted by every error of the library. */
export interface StreamFrameworkErrorOptions {
  /** The underlying error, when this one wraps another. */
  readonly cause?: unknown;
  /** Extra machine-readable facts (field name, key, limit...). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Base class of every error thrown on purpose by stream-framework. */
export class StreamFrameworkError extends Error {
  /** Machine-readable reason; branch on this rather than on the message. */
  readonly code: ErrorCode;
  /** Extra machine-readable facts about the failure. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: StreamFrameworkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StreamFrameworkError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Bad input rejected at the public boundary; nothing was written. */
export class ValidationError extends StreamFrameworkError {
  constructor(
    code: Extract<
      ErrorCode,
      | 'INVALID_ACTIVITY'
      | 'INVALID_TIME'
      | 'INVALID_ID'
      | 'INVALID_EXTRA'
      | 'INVALID_OPTION'
      | 'INVALID_TASK'
      | 'UNKNOWN_VERB'
      | 'UNKNOWN_FILTER'
      | 'UNKNOWN_FEED'
      | 'LIMIT_EXCEEDED'
      | 'NOT_OWNER'
      | 'NOT_FOUND'
    >,
    message: string,
    options?: StreamFrameworkErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'ValidationError';
  }
}

/** A payload could not be encoded, or a stored payload could not be decoded. */
export class SerializationError extends StreamFrameworkError {
  constructor(message: string, options?: StreamFrameworkErrorOptions) {
    super('SERIALIZATION', message, options);
    this.name = 'SerializationError';
  }
}

/** The storage backend does not support the requested operation (see its capabilities). */
export class UnsupportedOperationError extends StreamFrameworkError {
  constructor(message: string, options?: StreamFrameworkErrorOptions) {
    super('UNSUPPORTED', message, options);
    this.name = 'UnsupportedOperationError';
  }
}

/** An atomic update kept conflicting with concurrent writers; nothing was written, retry it. */
export class ConflictError extends StreamFrameworkError {
  constructor(message: string, options?: StreamFrameworkErrorOptions) {
    super('CONFLICT', message, options);
    this.name = 'ConflictError';
  }
}

/** A storage or queue backend failed (connection lost, server error); the operation is retryable. */
export class BackendError extends StreamFrameworkError {
  constructor(message: string, options?: StreamFrameworkErrorOptions) {
    super('BACKEND', message, options);
    this.name = 'BackendError';
  }
}

/**
 * The manager, queue or worker was closed (`close()`): it refuses new work. Work accepted before
 * the close finished or failed as usual; a call refused with this error wrote nothing.
 */
export class ClosedError extends StreamFrameworkError {
  constructor(message: string, options?: StreamFrameworkErrorOptions) {
    super('CLOSED', message, options);
    this.name = 'ClosedError';
  }
}

/**
 * An app-supplied loader failed while enriching a page (`enrichPage`): `details.kind` names the
 * reference kind (`actor`, `object`, `target`), the loader's error is the `cause`. Nothing is
 * cached for the references of that call, so a retry calls the loader again.
 */
export class EnrichmentError extends StreamFrameworkError {
  constructor(message: string, options?: StreamFrameworkErrorOptions) {
    super('ENRICHMENT', message, options);
    this.name = 'EnrichmentError';
  }
}

/** What a backend failure names: the backend, the operation and, when there is one, the key. */
export interface BackendFailure {
  /** Backend name, e.g. `'redis'`: the message starts with `[redis]`. */
  readonly backend: string;
  /** What failed, e.g. `'add'`. */
  readonly operation: string;
  /** The storage key (or other subject) it failed for. */
  readonly key?: string | undefined;
  /** Appended to the message before the reason, e.g. `' (the write may or may not have been applied)'`. */
  readonly note?: string | undefined;
  /** More machine-readable facts for `details`. */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The one "wrap as BackendError" of the library: returns `error` unchanged when it is already a
 * {@link StreamFrameworkError} (a typed error of ours passes through), else a BackendError
 * `[<backend>] <operation> failed for "<key>": <reason>` with the error as `cause` and the
 * failure's facts in `details`.
 */
export function asBackendError(error: unknown, failure: BackendFailure): StreamFrameworkError {
  if (error instanceof StreamFrameworkError) return error;
  const { backend, operation, key, note = '', details } = failure;
  const reason = error instanceof Error ? error.message : String(error);
  const subject = key === undefined ? '' : ` for ${JSON.stringify(key)}`;
  return new BackendError(`[${backend}] ${operation} failed${subject}${note}: ${reason}`, {
    cause: error,
    details: { backend, operation, ...(key === undefined ? {} : { key }), ...details },
  });
}

/**
 * Runs a backend operation; a failure that is not already ours becomes a BackendError (see
 * {@link asBackendError}). No allocation unless it fails: the storages call it on every operation.
 */
export async function backendCall<T>(
  backend: string,
  operation: string,
  key: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw asBackendError(error, { backend, operation, key });
  }
}
