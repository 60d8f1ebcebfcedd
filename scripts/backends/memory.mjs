// The in-memory backend: the conformance suites run against createMemoryStorage(), plus any top-level
// test/*.test.ts (end-to-end tests that need no server). No server needed.
import { testFiles } from './files.mjs';

export default {
  name: 'memory',
  files: () => [
    ...testFiles('test/conformance', { recursive: false, match: /^memory.*\.test\.ts$/ }),
    ...testFiles('test', { recursive: false }),
  ],
};
