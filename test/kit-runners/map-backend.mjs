// A small backend written the way an outside author would: plain JavaScript that imports only the
// published package names. Its own part is the activity storage (a Map of id -> payload); the
// timelines come from the package's in-memory storage. The *.conformance.mjs files next to it run
// the whole conformance kit against it under node:test, Vitest and Jest.
import { createMemoryStorage } from 'stream-framework';
import { describeBackend } from 'stream-framework/testing';

/**
 * Activity storage in a Map: the three methods of the `ActivityStorage` contract.
 * @returns {import('stream-framework').ActivityStorage}
 */
export function mapActivityStorage() {
  const payloads = new Map();
  return {
    name: 'map',
    async getMany(ids) {
      return ids.map((id) => payloads.get(id));
    },
    async putMany(entries) {
      for (const { id, payload } of entries) payloads.set(id, payload);
    },
    async removeMany(ids) {
      let removed = 0;
      for (const id of ids) if (payloads.delete(id)) removed += 1;
      return removed;
    },
  };
}

/**
 * The backend under test: fresh storage per test, so tests never see each other's data. It
 * skips one whole group of the kit, by name, with the reason the runner reports.
 * @type {import('stream-framework/testing').BackendUnderTest}
 */
export const mapBackend = {
  name: 'map',
  create: () => ({ timeline: createMemoryStorage().timeline, activities: mapActivityStorage() }),
  skip: { denormalized: 'denormalized feeds never call activity storage, the part this adds' },
};

/**
 * Registers every suite of the kit against the map backend with `runner`.
 * @param {import('stream-framework/testing').KitRunner} runner
 */
export function describeMapBackend(runner) {
  describeBackend(runner, mapBackend);
}
