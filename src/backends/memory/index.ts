import type { Storage } from '../../storage/contracts.js';
import type { DefinedActivityStorage } from '../../storage/define-activity-storage.js';
import { type DefinedTimelineStorage, defineStorage } from '../../storage/define-storage.js';
import { checkOptions } from '../../validation/options.js';
import { MemoryActivityStorage } from './memory-activity-storage.js';
import { MemoryTimelineStorage } from './memory-timeline-storage.js';

export { MemoryActivityStorage } from './memory-activity-storage.js';
export { MemoryTimelineStorage } from './memory-timeline-storage.js';

/** Options of {@link createMemoryStorage}: none yet (any key is refused with `INVALID_OPTION`). */
export type MemoryStorageOptions = Readonly<Record<string, never>>;

/** The in-memory backend (timeline + activity storage) with the concrete classes exposed. */
export interface MemoryStorage extends Storage {
  readonly timeline: DefinedTimelineStorage<MemoryTimelineStorage>;
  readonly activities: DefinedActivityStorage<MemoryActivityStorage>;
}

/**
 * Creates an independent in-memory backend: the embedded default, no server needed. Its
 * arguments are checked by the contract wrapper (`defineStorage`).
 * @example
 * const storage = createMemoryStorage();
 * const timeline = defineFlatFeed({ name: 'timeline', storage });
 */
export function createMemoryStorage(options?: MemoryStorageOptions): MemoryStorage {
  checkOptions(options, [], 'createMemoryStorage', true);
  return defineStorage({
    timeline: new MemoryTimelineStorage(),
    activities: new MemoryActivityStorage(),
  });
}
