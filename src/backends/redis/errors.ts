import { BackendError, StreamFrameworkError } from '../../errors.js';

/**
 * Runs a Redis operation and turns any failure that is not already one of ours (connection lost,
 * server error, script error) into a BackendError naming the operation and key. Such writes are
 * retryable: every script is atomic, so a failure leaves the timeline as it was or as it will be.
 */
export async function redisCall<T>(
  operation: string,
  key: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StreamFrameworkError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackendError(`[redis] ${operation} failed for ${JSON.stringify(key)}: ${reason}`, {
      cause: error,
      details: { backend: 'redis', operation, key },
    });
  }
}
