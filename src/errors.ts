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
  | 'SERIALIZATION'
  | 'UNSUPPORTED'
  | 'CONFLICT'
  | 'BACKEND';

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
