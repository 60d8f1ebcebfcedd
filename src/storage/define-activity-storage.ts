/**
 * `defineActivityStorage`: an activity driver made into the {@link ActivityStorage} the feeds
 * call, with the same checks as the timeline wrapper (`define-storage.ts`).
 * @module
 */
import { invalidOption } from '../validation/values.js';
import { checkEntryIds, checkPayloads, checkUniqueIds } from './argument-checks.js';
import type { ActivityDriver, ActivityStorage } from './contracts.js';
import { isDefined, wrap } from './driver-wrap.js';
import { payloadResult, resultCount, resultPositional } from './result-checks.js';
import { positional } from './timeline-defaults.js';

/** A defined activity storage: the contract, plus the driver's own members. */
export type DefinedActivityStorage<D extends ActivityDriver> = ActivityStorage &
  Omit<D, keyof ActivityDriver>;

/**
 * Turns an activity driver into the {@link ActivityStorage} the feeds call: ids and payloads are
 * checked (`INVALID_ID`, `INVALID_OPTION`, never calling the driver then), a repeated id is
 * reduced to its last payload, and empty calls never reach the driver.
 */
export function defineActivityStorage<D extends ActivityDriver>(
  driver: D,
): DefinedActivityStorage<D> {
  if (isDefined(driver)) return driver as DefinedActivityStorage<D>;
  if (typeof driver !== 'object' || driver === null || typeof driver.name !== 'string') {
    throw invalidOption('activity driver', 'must be an object with a name');
  }
  for (const method of ['getMany', 'putMany', 'removeMany'] as const) {
    if (typeof driver[method] !== 'function') {
      throw invalidOption(`activity driver ${driver.name}`, `must implement ${method}()`);
    }
  }
  const a: ActivityDriver = driver;
  const members: Omit<ActivityStorage, 'name'> = {
    getMany: async (ids) =>
      positional(checkEntryIds(ids), async (unique) =>
        resultPositional(
          a.name,
          'getMany',
          undefined,
          await a.getMany(unique),
          unique.length,
          payloadResult,
          true,
        ),
      ),
    putMany: async (entries) => {
      const checked = checkPayloads(entries);
      if (checked.length > 0) await a.putMany(checked);
    },
    removeMany: async (ids) => {
      const unique = checkUniqueIds(ids);
      return unique.length === 0
        ? 0
        : resultCount(a.name, 'removeMany', undefined, await a.removeMany(unique));
    },
  };
  return wrap<DefinedActivityStorage<D>>(driver, members);
}
