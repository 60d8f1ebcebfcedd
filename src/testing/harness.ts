import { ValidationError } from '../errors.js';
import type { Storage } from '../storage/contracts.js';
import type { BackendUnderTest } from './backend.js';
import { KIT_GROUPS, type KitGroup } from './groups.js';
import type { KitRunner } from './runner.js';

/** What every conformance test receives. */
export interface HarnessContext {
  /** Fresh, isolated storage from `backend.create()`. */
  readonly storage: Storage;
  /** More isolated storage from the same backend, destroyed after the test too. */
  another(): Promise<Storage>;
  /** Runs `fn` after the test, even when it fails, before its storages are destroyed. */
  cleanup(fn: () => void | Promise<void>): void;
}

/**
 * Registers conformance cases, each with a context `C` built from the {@link HarnessContext}:
 * `test(name, async (ctx) => ...)`. Every suite of the kit registers its cases this one way.
 */
export interface HarnessTest<C = HarnessContext> {
  (name: string, fn: (ctx: C) => Promise<void>): void;
  /** Opens a runner `describe` block titled `title`; its cases also belong to `group` if given. */
  describe(title: string, fn: (test: HarnessTest<C>) => void, group?: KitGroup): void;
  /** The same registrar, whose cases also belong to `group`. */
  in(group: KitGroup): HarnessTest<C>;
  /** The same registrar, handing each case `derive(ctx)` instead of `ctx`. */
  map<D>(derive: (ctx: C) => D): HarnessTest<D>;
}

interface Scope {
  readonly runner: KitRunner;
  readonly backend: BackendUnderTest;
  readonly groups: readonly KitGroup[];
  /** Names registered in the current block: they must be unique, so reports are unambiguous. */
  readonly names: Set<string>;
}

/**
 * The one test registrar of the conformance kit: opens a `describe` block titled `title` on
 * `runner`, whose cases belong to `group`, and hands `fn` the registrar. Each case gets storage
 * from `backend.create()`, and every storage it used goes to `backend.destroy` afterwards, even
 * when it fails. A case is registered with `test.skip` (the reason in its name) when
 * `backend.skip` names one of its groups.
 */
export function harnessTest(
  runner: KitRunner,
  backend: BackendUnderTest,
  title: string,
  group: KitGroup,
  fn: (test: HarnessTest<HarnessContext>) => void,
): void {
  checkRunner(runner);
  checkSkips(backend);
  registrar<HarnessContext>({ runner, backend, groups: [], names: new Set() }, (h) => h).describe(
    title,
    fn,
    group,
  );
}

function registrar<C>(scope: Scope, derive: (h: HarnessContext) => C): HarnessTest<C> {
  const { runner, backend } = scope;
  const register = (name: string, fn: (ctx: C) => Promise<void>): void => {
    if (scope.names.has(name)) throw new Error(`duplicate conformance test name: ${name}`);
    scope.names.add(name);
    const skipped = scope.groups.find((g) => backend.skip?.[g] !== undefined);
    const needsMarkers = scope.groups.includes('markers');
    const body = () =>
      run(backend, (h) => {
        // A storage without markers fails here, naming the group to skip, not deep in a case.
        if (needsMarkers && !h.storage.timeline.capabilities.markers) {
          throw new Error(
            `${h.storage.timeline.name} has no markers: declare skip: { markers: '<reason>' }`,
          );
        }
        return fn(derive(h));
      });
    const { test } = runner;
    if (skipped === undefined) test(name, body);
    else test.skip(`${name} (skipped: ${skipped}: ${backend.skip?.[skipped]})`, body);
  };
  return Object.assign(register, {
    describe(title: string, fn: (test: HarnessTest<C>) => void, group?: KitGroup): void {
      const groups = group === undefined ? scope.groups : [...scope.groups, group];
      const { describe } = runner;
      describe(title, () => fn(registrar({ ...scope, groups, names: new Set() }, derive)));
    },
    in(group: KitGroup): HarnessTest<C> {
      return registrar({ ...scope, groups: [...scope.groups, group] }, derive);
    },
    map<D>(next: (ctx: C) => D): HarnessTest<D> {
      return registrar(scope, (h) => next(derive(h)));
    },
  });
}

/** Runs one case: fresh storage in, deferred cleanups then `backend.destroy` out. */
async function run(
  backend: BackendUnderTest,
  fn: (h: HarnessContext) => Promise<void>,
): Promise<void> {
  const created: Storage[] = [];
  const cleanups: (() => void | Promise<void>)[] = [];
  const another = async (): Promise<Storage> => {
    const s = await backend.create();
    created.push(s);
    return s;
  };
  try {
    await fn({ storage: await another(), another, cleanup: (c) => cleanups.push(c) });
  } finally {
    try {
      for (const c of cleanups.reverse()) await c();
    } finally {
      for (const s of created) await backend.destroy?.(s);
    }
  }
}

function checkRunner(runner: KitRunner): void {
  const ok =
    typeof runner?.describe === 'function' &&
    typeof runner.test === 'function' &&
    typeof runner.test.skip === 'function';
  if (!ok) {
    throw new ValidationError(
      'INVALID_OPTION',
      "the conformance kit needs your test runner's { describe, test } (test with test.skip), " +
        "e.g. import { describe, test } from 'node:test' or from 'vitest'",
      { details: { option: 'runner' } },
    );
  }
}

function checkSkips(backend: BackendUnderTest): void {
  const known: readonly string[] = KIT_GROUPS;
  for (const [group, reason] of Object.entries(backend.skip ?? {})) {
    if (!known.includes(group) || typeof reason !== 'string' || reason === '') {
      throw new ValidationError(
        'INVALID_OPTION',
        `backend.skip: '${group}' needs to be a kit group with a reason (a non-empty string); ` +
          `groups: ${KIT_GROUPS.join(', ')}`,
        { details: { option: 'skip', group } },
      );
    }
  }
}
