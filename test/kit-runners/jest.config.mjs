// Jest config of the kit-runners group: native ESM (run with --experimental-vm-modules), no
// transform (the entry imports the built package), a timeout for slow machines.
export default {
  rootDir: import.meta.dirname,
  testMatch: ['<rootDir>/jest.conformance.mjs'],
  transform: {},
  testTimeout: 60_000,
};
