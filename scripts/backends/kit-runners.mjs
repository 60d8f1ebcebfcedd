// The conformance kit under node:test, Vitest and Jest (test/kit-runners): a small third-party
// style backend in plain JS runs the whole kit under each runner, importing the package by name,
// which resolves to dist/, so start() builds the package first (Jest then needs no TS transform).
import { buildPackage, testFiles } from './files.mjs';

export default {
  name: 'kit-runners',
  files: () => testFiles('test/kit-runners'),

  /** The summary note: the kit's cases under each runner, as test/kit-runners reports them. */
  note(tap) {
    const runs = [
      ...tap.matchAll(/^# (node:test|Vitest|Jest): (\d+) passed, (\d+) failed, (\d+) skipped$/gm),
    ];
    return runs
      .map(([, runner, passed, , skipped]) => `${runner} ${passed} passed, ${skipped} skipped`)
      .join('; ');
  },

  async start() {
    const seconds = buildPackage();
    console.error(`kit-runners: package built in ${seconds}s`);
  },
};
