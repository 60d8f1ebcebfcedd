import { it, type TestContext } from 'node:test';
import type { Storage } from '../storage/contracts.js';
import type { BackendUnderTest } from './backend.js';

/** What every conformance test receives. */
export interface HarnessContext {
  /** Fresh, isolated storage from `backend.create()`. */
  readonly storage: Storage;
  /** More isolated storage from the same backend, destroyed after the test too. */
  another(): Promise<Storage>;
  /** The node:test context (e.g. `t.skip()` when a capability is missing). */
  readonly t: TestContext;
}

/** Registers one conformance test. */
export type HarnessTest = (name: string, fn: (ctx: HarnessContext) => Promise<void>) => void;

/**
 * The one test registrar of the conformance kit: each test gets storage from `backend.create()`,
 * and every storage it used goes to `backend.destroy` afterwards, even when it fails. A test is
 * skipped when `backend.skip` names it exactly, or as `'<mode> > <name>'` when `mode` is given
 * (e.g. `'normalized > <name>'`). Names must be unique per registrar, so skip lists stay
 * unambiguous.
 */
export function harnessTest(backend: BackendUnderTest, mode?: string): HarnessTest {
  const skips = new Map((backend.skip ?? []).map((s) => [s.test, s.reason] as const));
  const names = new Set<string>();
  return (name, fn) => {
    if (names.has(name)) throw new Error(`duplicate conformance test name: ${name}`);
    names.add(name);
    const reason =
      (mode === undefined ? undefined : skips.get(`${mode} > ${name}`)) ?? skips.get(name);
    it(name, reason === undefined ? {} : { skip: reason }, async (t) => {
      const created: Storage[] = [];
      const another = async (): Promise<Storage> => {
        const s = await backend.create();
        created.push(s);
        return s;
      };
      try {
        await fn({ storage: await another(), another, t });
      } finally {
        for (const s of created) await backend.destroy?.(s);
      }
    });
  };
}
