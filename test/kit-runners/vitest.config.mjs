// Vitest config of the kit-runners group: the one conformance entry, a timeout for slow machines.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['vitest.conformance.mjs'],
    testTimeout: 60_000,
  },
});
