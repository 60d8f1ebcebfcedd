import type { BullmqConnection } from './connection.js';

/** How a job ended, as its queue's events stream recorded it. */
export interface JobOutcome {
  /** `undefined` when the job completed, else why it failed for good. */
  readonly failure: string | undefined;
}

/** Events read per XREVRANGE call. */
const PAGE = 1000;

/**
 * The newest final event (`completed` or `failed`; BullMQ writes `failed` only once retries are
 * exhausted) of each of `jobIds` in a queue's events stream (`<prefix>:<queue>:events`), read
 * newest first. Used for jobs no longer in Redis: `removeOnComplete` / `removeOnFail` pruned them,
 * so only the stream (bounded too, about 10,000 events by default) still tells how they ended.
 * Jobs without such an event are absent from the result: their outcome is unknown.
 */
export async function finalOutcomes(
  connection: BullmqConnection,
  eventsKey: string,
  jobIds: readonly string[],
): Promise<Map<string, JobOutcome>> {
  const wanted = new Set(jobIds);
  const found = new Map<string, JobOutcome>();
  let end = '+';
  while (found.size < wanted.size) {
    const page = await connection.xrevrange(eventsKey, end, '-', 'COUNT', PAGE);
    for (const [, fields] of page) {
      const event = field(fields, 'event');
      const jobId = field(fields, 'jobId');
      if (jobId === undefined || !wanted.has(jobId) || found.has(jobId)) continue;
      if (event === 'completed') found.set(jobId, { failure: undefined });
      else if (event === 'failed') {
        found.set(jobId, { failure: field(fields, 'failedReason') || 'unknown reason' });
      }
    }
    const last = page[page.length - 1];
    if (page.length < PAGE || last === undefined) break;
    end = `(${last[0]}`;
  }
  return found;
}

/** The value of `name` in a stream entry's flat `[name, value, ...]` list. */
function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
