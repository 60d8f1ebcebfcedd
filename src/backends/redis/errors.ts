import { backendCall } from '../../errors.js';

/**
 * Runs a Redis operation and turns any failure that is not already one of ours (connection lost,
 * server error, script error) into a BackendError naming the operation and key (`backendCall`).
 * Such writes are retryable: every script is atomic, so a failure leaves the timeline as it was or
 * as it will be.
 */
export function redisCall<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> {
  return backendCall('redis', operation, key, fn);
}
