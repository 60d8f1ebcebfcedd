/**
 * Failures of one tier of a tiered storage: every error a tier throws, except the typed errors
 * that mean "nothing was done" (bad input, conflict, unsupported), becomes a BackendError
 * (code `BACKEND`, retryable) naming the tier in its message and in `details.tier`.
 * @module
 */
import {
  BackendError,
  ConflictError,
  StreamFrameworkError,
  UnsupportedOperationError,
  ValidationError,
} from '../../errors.js';

/** The two tiers of a tiered storage. */
export type Tier = 'hot' | 'durable';

/** What a tier failure is reported with. */
export interface TierFailure {
  readonly tier: Tier;
  /** The tier's backend name, e.g. `'redis'`. */
  readonly backend: string;
  readonly operation: string;
  readonly key?: string | undefined;
}

const NOTES: Readonly<Record<Tier, string>> = {
  durable: 'nothing reached the hot tier; retry the call',
  hot: 'the durable tier has the change; retry the call to bring the hot tier in line',
};

/**
 * `error` as a tier failure. From the durable tier (written first), the typed errors that mean
 * "nothing was written" (bad input, conflict, unsupported) pass through; from the hot tier every
 * error is wrapped, since the durable tier already holds the change then.
 */
export function tierError(error: unknown, failure: TierFailure): unknown {
  const untouched =
    error instanceof ValidationError ||
    error instanceof ConflictError ||
    error instanceof UnsupportedOperationError;
  if (failure.tier === 'durable' && untouched) return error;
  const { tier, backend, operation, key } = failure;
  const reason = error instanceof Error ? error.message : String(error);
  const subject = key === undefined ? '' : ` for ${JSON.stringify(key)}`;
  const inner = error instanceof StreamFrameworkError ? error.details : {};
  return new BackendError(
    `[tiered] ${tier} tier (${backend}) ${operation} failed${subject} (${NOTES[tier]}): ${reason}`,
    {
      cause: error,
      details: { ...inner, tier, backend, operation, ...(key === undefined ? {} : { key }) },
    },
  );
}

/** Runs one call on one tier; a failure becomes a {@link tierError}. */
export async function onTier<T>(failure: TierFailure, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw tierError(error, failure);
  }
}
