/**
 * The model-based property: random sequences of public-API calls on the world of feed-world.ts,
 * each followed by a comparison of everything observable with what feed-model.ts predicts.
 * fast-check generates the sequences (`fc.commands`) and, on a failure, shrinks them to a minimal
 * one and reports it with the seed and path that replay it.
 *
 * Sizing: `SF_SOAK=1` multiplies the runs (for outside CI); `SF_SEED` replays a seed;
 * `SF_RUNS` / `SF_STEPS` override the number of sequences and their maximum length.
 * @module
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Activity, Id, Storage } from '../../src/index.js';
import { FeedModel, LIMITS, PER_ACTOR, POOL, USERS } from './feed-model.js';
import { actualSnapshot, createWorld, expectedSnapshot, poolOf, type World } from './feed-world.js';

/** Counts of one property run, for the figures the tests print. */
export interface PropertyFigures {
  sequences: number;
  operations: number;
  checks: number;
  byKind: Record<string, number>;
}

type Real = { world: World; figures: PropertyFigures };
type Command = fc.AsyncCommand<FeedModel, Real>;

const show = (u: Id) => JSON.stringify(u);
const label = (a: Activity) => `${a.verb}(${show(a.actor)},${String(a.object)})@${a.id}`;

/** Applies `op` to the world and to the model, then compares every read with the model. */
async function step(
  kind: string,
  model: FeedModel,
  real: Real,
  apply: () => Promise<unknown>,
  expect: () => void,
): Promise<void> {
  await apply();
  expect();
  real.figures.operations += 1;
  real.figures.byKind[kind] = (real.figures.byKind[kind] ?? 0) + 1;
  const [actual, expected] = [await actualSnapshot(real.world), expectedSnapshot(model)];
  real.figures.checks += 1;
  assert.deepStrictEqual(actual, expected, `state after ${kind} differs from the model`);
}

class Add implements Command {
  constructor(readonly a: Activity) {}
  check = () => true;
  run = (m: FeedModel, r: Real) =>
    step(
      'add',
      m,
      r,
      () => r.world.manager.addUserActivity(this.a.actor, this.a),
      () => m.add(this.a),
    );
  toString = () => `add ${label(this.a)}`;
}

class Remove implements Command {
  constructor(
    readonly a: Activity,
    readonly byIdOnly: boolean,
  ) {}
  check = () => true;
  run = (m: FeedModel, r: Real) =>
    step(
      'remove',
      m,
      r,
      () => r.world.manager.removeUserActivity(this.a.actor, this.byIdOnly ? this.a.id : this.a),
      () => m.remove(this.a, this.byIdOnly),
    );
  toString = () => `remove ${this.byIdOnly ? 'id of ' : ''}${label(this.a)}`;
}

/** Another user tries to publish, update or remove someone's activity: refused, nothing changes. */
class Steal implements Command {
  constructor(
    readonly a: Activity,
    readonly thief: Id,
    readonly how: 'add' | 'update' | 'remove' | 'removeById',
  ) {}
  check = () => String(this.thief) !== String(this.a.actor);
  run = (m: FeedModel, r: Real) =>
    step(
      'steal',
      m,
      r,
      async () => {
        const manager = r.world.manager;
        const foreign = { ...this.a, extra: { ...this.a.extra, stolen: true } } as Activity;
        const attempt =
          this.how === 'add'
            ? manager.addUserActivity(this.thief, this.a)
            : this.how === 'update'
              ? manager.addUserActivity(this.thief, foreign)
              : manager.removeUserActivity(this.thief, this.how === 'remove' ? this.a : this.a.id);
        try {
          await attempt;
        } catch (error) {
          if ((error as { code?: unknown }).code === 'NOT_OWNER') return;
          throw error;
        }
        // Only a removal by an id the thief holds nowhere may resolve: as a no-op.
        assert.equal(this.how, 'removeById', `${this.toString()} was not refused`);
      },
      () => undefined, // the model does not change
    );
  toString = () => `${show(this.thief)} tries ${this.how} of ${label(this.a)}`;
}

class Follow implements Command {
  constructor(
    readonly follower: Id,
    readonly target: Id,
  ) {}
  check = () => true;
  run = (m: FeedModel, r: Real) =>
    step(
      'follow',
      m,
      r,
      async () => {
        const set = r.world.followers.get(String(this.target)) ?? new Set<string>();
        set.add(String(this.follower));
        r.world.followers.set(String(this.target), set);
        await r.world.manager.followUser(this.follower, this.target);
      },
      () => m.follow(this.follower, this.target),
    );
  toString = () => `follow ${show(this.follower)} -> ${show(this.target)}`;
}

class Unfollow implements Command {
  constructor(
    readonly follower: Id,
    readonly target: Id,
    readonly keepHistory: boolean,
  ) {}
  check = () => true;
  run = (m: FeedModel, r: Real) =>
    step(
      'unfollow',
      m,
      r,
      async () => {
        r.world.followers.get(String(this.target))?.delete(String(this.follower));
        await r.world.manager.unfollowUser(this.follower, this.target, {
          keepHistory: this.keepHistory,
        });
      },
      () => m.unfollow(this.follower, this.target, this.keepHistory),
    );
  toString = () =>
    `unfollow ${show(this.follower)} -> ${show(this.target)}${this.keepHistory ? ' (keep history)' : ''}`;
}

class BatchImport implements Command {
  constructor(
    readonly user: Id,
    readonly activities: readonly Activity[],
    readonly fanout: boolean,
  ) {}
  check = () => true;
  run = (m: FeedModel, r: Real) =>
    step(
      'batchImport',
      m,
      r,
      () =>
        r.world.manager.batchImport(this.user, this.activities, {
          fanout: this.fanout,
          chunkSize: 2,
        }),
      () => m.batchImport(this.user, this.activities, this.fanout),
    );
  toString = () =>
    `batchImport ${show(this.user)} [${this.activities.map(label).join(', ')}]${this.fanout ? '' : ' (no fan-out)'}`;
}

type MarkHow = 'seen' | 'read' | 'readAndSeen' | 'allSeen' | 'allRead' | 'all';
/** An id no group has (group ids are 16 hex characters). */
const UNKNOWN_GROUP = 'ffffffffffffffff';

class Mark implements Command {
  constructor(
    readonly user: Id,
    readonly how: MarkHow,
    /** Which groups, by position in the model's feed (modulo its length); -1: an unknown id. */
    readonly picks: readonly number[],
  ) {}
  check = () => true;
  run = (m: FeedModel, r: Real) => {
    const groups = m.notificationGroups(this.user);
    const ids = this.picks.map((p) =>
      p < 0 || groups.length === 0 ? UNKNOWN_GROUP : groups[p % groups.length]!.id,
    );
    const feed = r.world.notification.for(this.user);
    return step(
      'mark',
      m,
      r,
      async () => {
        if (this.how === 'seen') await feed.markSeen(ids);
        else if (this.how === 'read') await feed.markRead(ids);
        else if (this.how === 'readAndSeen') await feed.markRead(ids, { seen: true });
        else if (this.how === 'allSeen') await feed.markAllSeen();
        else if (this.how === 'allRead') await feed.markAllRead();
        else await feed.markAll({ seen: true, read: true });
      },
      () => {
        const all = this.how.startsWith('all');
        const seen = this.how === 'seen' || this.how === 'readAndSeen' || this.how === 'allSeen';
        const read = this.how !== 'seen' && this.how !== 'allSeen';
        m.mark(this.user, all ? 'all' : ids, seen || this.how === 'all', read);
      },
    );
  };
  toString = () => `mark ${this.how} ${show(this.user)} [${this.picks.join(',')}]`;
}

// ---- arbitraries -------------------------------------------------------------------------------

const userIndex = fc.integer({ min: 0, max: USERS.length - 1 });
const user = userIndex.map((i) => USERS[i]!);
const activity = fc.integer({ min: 0, max: POOL.length - 1 }).map((i) => POOL[i]!);

/** The commands, weighted towards writes. */
export const commandArbitraries: fc.Arbitrary<Command>[] = [
  activity.map((a) => new Add(a)),
  activity.map((a) => new Add(a)),
  activity.map((a) => new Add(a)),
  fc.tuple(activity, fc.boolean()).map(([a, byIdOnly]) => new Remove(a, byIdOnly)),
  fc.tuple(user, user).map(([f, t]) => new Follow(f, t)),
  fc.tuple(user, user).map(([f, t]) => new Follow(f, t)),
  fc
    .tuple(
      activity,
      user,
      fc.constantFrom('add', 'update', 'remove', 'removeById') as fc.Arbitrary<Steal['how']>,
    )
    .map(([a, thief, how]) => new Steal(a, thief, how)),
  fc.tuple(user, user, fc.boolean()).map(([f, t, keep]) => new Unfollow(f, t, keep)),
  fc
    .tuple(
      userIndex,
      fc.array(fc.integer({ min: 0, max: PER_ACTOR - 1 }), { maxLength: 5 }),
      fc.boolean(),
    )
    .map(([u, picks, fanout]) => {
      const own = poolOf(u);
      return new BatchImport(
        USERS[u]!,
        picks.map((p) => own[p]!),
        fanout,
      );
    }),
  fc
    .tuple(
      user,
      fc.constantFrom<MarkHow>('seen', 'read', 'readAndSeen', 'allSeen', 'allRead', 'all'),
      fc.array(fc.integer({ min: -1, max: LIMITS.notificationLength }), {
        minLength: 1,
        maxLength: 2,
      }),
    )
    .map(([u, how, picks]) => new Mark(u, how, picks)),
];

// ---- the property --------------------------------------------------------------------------------

/** Run sizes: CI by default, many more with SF_SOAK=1, or exactly SF_RUNS / SF_STEPS. */
export function propertySize(defaults: { runs: number; steps: number; soakRuns: number }) {
  const soak = process.env.SF_SOAK === '1';
  const runs = Number(process.env.SF_RUNS ?? (soak ? defaults.soakRuns : defaults.runs));
  const steps = Number(process.env.SF_STEPS ?? defaults.steps);
  // CI replays the same sequences every time (a fixed seed); a soak explores new ones.
  const seed = Number(process.env.SF_SEED ?? (soak ? Date.now() % 2 ** 31 : 20_261_128));
  return { runs, steps, seed, soak };
}

/** A backend for the property: fresh storage per sequence, and what to do after it. */
export interface PropertyBackend {
  readonly create: () => Storage | Promise<Storage>;
  readonly destroy?: (storage: Storage) => Promise<void>;
}

/**
 * Runs the model-based property on a backend and returns its figures. Throws fast-check's report
 * (seed, path, shrunk counterexample) when a sequence fails.
 */
export async function checkFeedModel(
  backend: PropertyBackend,
  size: { runs: number; steps: number; seed: number },
): Promise<PropertyFigures> {
  const figures: PropertyFigures = { sequences: 0, operations: 0, checks: 0, byKind: {} };
  await fc.assert(
    fc.asyncProperty(
      fc.commands(commandArbitraries, { maxCommands: size.steps, size: 'max' }),
      async (commands) => {
        figures.sequences += 1;
        const storage = await backend.create();
        try {
          await fc.asyncModelRun(
            () => ({ model: new FeedModel(), real: { world: createWorld(storage), figures } }),
            commands,
          );
        } finally {
          await backend.destroy?.(storage);
        }
      },
    ),
    { numRuns: size.runs, seed: size.seed, includeErrorInReport: true },
  );
  return figures;
}

/** One line of figures, e.g. "100 sequences, 1,523 operations checked". */
export function describeFigures(name: string, f: PropertyFigures, seed: number): string {
  const kinds = Object.entries(f.byKind)
    .sort()
    .map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`)
    .join(', ');
  return `properties (${name}): ${f.sequences} sequences, ${f.operations.toLocaleString('en-US')} operations each followed by a full comparison with the model (${kinds}), seed ${seed}, 0 failures`;
}
