import { UnrecoverableError } from 'bullmq';
import { SerializationError, UnsupportedOperationError, ValidationError } from '../../errors.js';

/** Error classes that retrying cannot fix: the task itself is wrong. */
const PERMANENT = new Set(['ValidationError', 'SerializationError', 'UnsupportedOperationError']);

/**
 * Is `error` a permanent failure of the task? A ValidationError (malformed task, unknown feed,
 * undecodable activity), a SerializationError (a stored payload that cannot be read) or an
 * UnsupportedOperationError. Matched by class, and by name and code for errors thrown by another
 * copy of the library (e.g. a config module importing a different install).
 */
export function isPermanent(error: unknown): boolean {
  if (
    error instanceof ValidationError ||
    error instanceof SerializationError ||
    error instanceof UnsupportedOperationError
  ) {
    return true;
  }
  return (
    error instanceof Error &&
    PERMANENT.has(error.name) &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/**
 * The error a job fails with: an `UnrecoverableError` (no retries; BullMQ moves the job to the
 * failed set at once) whose message carries the code and reason for permanent failures, the
 * error itself otherwise (BullMQ retries it with backoff).
 */
export function jobError(error: unknown): Error {
  if (isPermanent(error)) {
    const e = error as Error & { code?: string };
    return new UnrecoverableError(e.code ? `${e.code}: ${e.message}` : e.message);
  }
  if (error instanceof Error) return error;
  return new Error(`task failed with a non-error value: ${String(error)}`);
}
