/**
 * Like `Promise.all`, but waits for every promise to settle before throwing the first rejection:
 * when the caller sees the error, none of the operations is still running. Writes that fail
 * half-way must not land after the caller moved on (e.g. a straggling add landing after the
 * removal that followed its failure, or after a retry of the whole operation).
 */
export async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const values: T[] = [];
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
    values.push(result.value);
  }
  return values;
}
