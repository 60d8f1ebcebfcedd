import { BackendError } from '../../errors.js';
import type { TimelineEntry } from '../../storage/contracts.js';
import type { TimelineRow } from './timeline-statements.js';

/**
 * A timeline row as an entry. A row that no write of this backend can produce (a non-text id or
 * payload, a non-numeric score: a hand-made or damaged row) is a BackendError naming the key.
 */
export function toEntry(row: TimelineRow, key: string): TimelineEntry {
  const { id, score, payload } = row;
  if (
    typeof id !== 'string' ||
    typeof score !== 'number' ||
    !Number.isFinite(score) ||
    (payload !== undefined && payload !== null && typeof payload !== 'string')
  ) {
    throw new BackendError(`[sqlite] corrupt timeline row in ${JSON.stringify(key)}`, {
      details: { backend: 'sqlite', key, id: typeof id === 'string' ? id : String(id) },
    });
  }
  return typeof payload === 'string' ? { id, score, payload } : { id, score };
}

/** An activity payload as read: a string, or `undefined` when absent; anything else is corrupt. */
export function toPayload(value: unknown, id: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new BackendError(`[sqlite] corrupt activity row ${JSON.stringify(id)}`, {
    details: { backend: 'sqlite', key: id },
  });
}
