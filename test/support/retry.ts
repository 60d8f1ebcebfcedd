import { type Activity, createActivity } from '../../src/index.js';

/**
 * The i-th activity of a fault test's writer: actor 1, one second apart, verbs alternating
 * between two (so aggregated feeds get two groups).
 */
export function faultActivity(i: number): Activity {
  return createActivity({
    actor: 1,
    verb: i % 2 ? 'add' : 'love',
    object: i,
    time: 1_764_000_000_000 + i * 1000,
  });
}

/**
 * Retries an operation until it succeeds, recording every failure it saw (fault tests assert that
 * each one is typed). Gives up, rethrowing the last error, after `attempts` tries.
 */
export async function untilDone(
  op: () => Promise<unknown>,
  failures: unknown[],
  { attempts, delayMs }: { attempts: number; delayMs: number },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await op();
      return;
    } catch (error) {
      failures.push(error);
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
