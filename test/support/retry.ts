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
