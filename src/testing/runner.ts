/**
 * The test runner the conformance kit registers its cases with. The kit imports no runner: you
 * pass yours, so the same suites run under node:test, Vitest and Jest.
 * @module
 */

/** A conformance case as the kit hands it to the runner: no arguments, settles when done. */
export type KitCase = () => Promise<void>;

/**
 * The runner's test function: `test(name, fn)` registers a case and `test.skip(name, fn)` registers
 * one reported as skipped. This is the subset node:test (`test` or `it`), Vitest (`test` or `it`)
 * and Jest (`test` or `it`) share; the kit never passes options or timeouts, so set a longer
 * timeout in your runner's config if a backend is slow (Vitest and Jest default to 5 s a test).
 */
export interface KitTest {
  (name: string, fn: KitCase): unknown;
  /** Registers a case that the runner reports as skipped and never runs. */
  readonly skip: (name: string, fn: KitCase) => unknown;
}

/**
 * What the kit needs from a test runner: its `describe` and its `test` (or `it`).
 * @example
 * // node:test
 * import { describe, test } from 'node:test';
 * // Vitest
 * import { describe, test } from 'vitest';
 * // Jest (the globals, or: import { describe, test } from '@jest/globals')
 * describeBackend({ describe, test }, backend);
 */
export interface KitRunner {
  /** Opens a block of cases: `describe(name, fn)`; `fn` registers them synchronously. */
  readonly describe: (name: string, fn: () => void) => unknown;
  /** Registers one case (see {@link KitTest}). */
  readonly test: KitTest;
}
