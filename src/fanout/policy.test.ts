import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '../errors.js';
import { hasCode } from '../testing/fixtures.js';
import {
  decideEdge,
  type EdgeInputs,
  explainDecision,
  FANOUT_POLICY_DEFAULTS,
  type FanoutPolicyOptions,
  type ResolvedFanoutPolicy,
  resolveFanoutPolicy,
} from './policy.js';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const hybrid = resolveFanoutPolicy({ mode: 'hybrid' });
const L = FANOUT_POLICY_DEFAULTS.readCost;

/** An active consumer (read an hour ago) of an ordinary producer; override what a test is about. */
function edge(overrides: Partial<EdgeInputs> = {}): EdgeInputs {
  return {
    producerRate: 2,
    followerCount: 300,
    consumerReadRate: 5,
    consumerLastRead: NOW - 3_600_000,
    now: NOW,
    ...overrides,
  };
}

const rate = fc.double({ min: 0, max: 1e6, noNaN: true });
const inputs = fc.record({
  producerRate: rate,
  followerCount: fc.integer({ min: 0, max: 10_000_000 }),
  consumerReadRate: rate,
  consumerLastRead: fc.option(fc.integer({ min: NOW - 100 * DAY, max: NOW + DAY }), {
    nil: undefined,
  }),
  now: fc.constant(NOW),
});
const policy = fc
  .record({
    mode: fc.constantFrom('push' as const, 'pull' as const, 'hybrid' as const),
    writeCost: fc.double({ min: 0.001, max: 1000, noNaN: true }),
    readCost: fc.double({ min: 0.001, max: 1000, noNaN: true }),
    pushBias: fc.double({ min: 0, max: 100, noNaN: true }),
    maxPushFollowers: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constant(Infinity)),
    maxPushRate: fc.oneof(fc.double({ min: 0, max: 1e5, noNaN: true }), fc.constant(Infinity)),
    inactiveAfterDays: fc.oneof(fc.double({ min: 0, max: 60, noNaN: true }), fc.constant(Infinity)),
  })
  .map((o) => resolveFanoutPolicy(o));
/** A second value >= the first. */
const rising = (arb: fc.Arbitrary<number>): fc.Arbitrary<[number, number]> =>
  fc.tuple(arb, arb).map(([a, b]) => (a <= b ? [a, b] : [b, a]));

describe('resolveFanoutPolicy', () => {
  it('gives the documented defaults for undefined and {}', () => {
    const expected = {
      mode: 'push',
      writeCost: 1,
      readCost: 5,
      pushBias: 1,
      maxPushFollowers: 100_000,
      maxPushRate: 1_440,
      inactiveAfterDays: 30,
      halfLifeDays: 7,
      allPullRefreshHours: 24,
    };
    assert.deepEqual(resolveFanoutPolicy(undefined), expected);
    assert.deepEqual(resolveFanoutPolicy({}), expected);
    assert.deepEqual(FANOUT_POLICY_DEFAULTS, expected);
    assert.ok(Object.isFrozen(resolveFanoutPolicy({})));
  });

  it('keeps every given value, Infinity included where it means "no limit"', () => {
    const options: Required<FanoutPolicyOptions> = {
      mode: 'hybrid',
      writeCost: 2,
      readCost: 0.5,
      pushBias: 0,
      maxPushFollowers: Infinity,
      maxPushRate: Infinity,
      inactiveAfterDays: Infinity,
      halfLifeDays: 0.25,
      allPullRefreshHours: 0.5,
    };
    assert.deepEqual(resolveFanoutPolicy(options), options);
    assert.equal(Object.is(resolveFanoutPolicy({ maxPushRate: -0 }).maxPushRate, 0), true);
  });

  const rejected: [keyof FanoutPolicyOptions | 'maxPushFollower', unknown][] = [
    ['mode', 'fanout'],
    ['mode', 1],
    ['allPullRefreshHours', 0],
    ['allPullRefreshHours', Infinity],
    ['writeCost', 0],
    ['writeCost', -1],
    ['writeCost', Number.NaN],
    ['writeCost', Infinity],
    ['writeCost', '1'],
    ['readCost', 0],
    ['readCost', Infinity],
    ['pushBias', -0.5],
    ['pushBias', Infinity],
    ['pushBias', Number.NaN],
    ['maxPushFollowers', 1.5],
    ['maxPushFollowers', -1],
    ['maxPushFollowers', Number.NaN],
    ['maxPushFollowers', -Infinity],
    ['maxPushRate', -1],
    ['maxPushRate', Number.NaN],
    ['maxPushRate', null],
    ['inactiveAfterDays', -1],
    ['inactiveAfterDays', Number.NaN],
    ['halfLifeDays', 0],
    ['halfLifeDays', 1e-9],
    ['halfLifeDays', Infinity],
    ['maxPushFollower', 10],
  ];
  for (const [key, value] of rejected) {
    it(`refuses ${key} = ${String(value)} with INVALID_OPTION naming it`, () => {
      const call = () => resolveFanoutPolicy({ [key]: value }, 'defineFanout');
      assert.throws(call, hasCode('INVALID_OPTION', ValidationError));
      assert.throws(call, (err: ValidationError) => {
        assert.equal(err.details.option, key);
        assert.ok(err.message.startsWith(`defineFanout: `), err.message);
        assert.ok(err.message.includes(key), err.message);
        return true;
      });
    });
  }

  it('refuses options that are not an object', () => {
    for (const bad of [null, 1, 'hybrid', ['hybrid']]) {
      assert.throws(() => resolveFanoutPolicy(bad), hasCode('INVALID_OPTION', ValidationError));
    }
  });
});

describe('decideEdge: the rules in order', () => {
  it('pushes a rare poster followed by a frequent reader, pulls the reverse (cost)', () => {
    const push = decideEdge(hybrid, edge({ producerRate: 2, consumerReadRate: 5 }));
    assert.deepEqual(
      [push.mode, push.reason, push.pushCost, push.pullCost],
      ['push', 'cost', 2, 5 * L],
    );
    const pull = decideEdge(hybrid, edge({ producerRate: 2 * L, consumerReadRate: 1 }));
    assert.deepEqual([pull.mode, pull.reason], ['pull', 'cost']);
  });

  it('pulls on a tie: push only when pushing costs strictly less', () => {
    const tie = decideEdge(hybrid, edge({ producerRate: 5 * L, consumerReadRate: 5 }));
    assert.equal(tie.pushCost, tie.pullCost);
    assert.equal(tie.mode, 'pull');
  });

  it('pulls for an inactive consumer before any other rule', () => {
    const old = edge({ consumerLastRead: NOW - 31 * DAY, followerCount: 10_000_000 });
    assert.deepEqual(pick(decideEdge(hybrid, old)), ['pull', 'inactive-consumer', 30]);
    const never = edge({ consumerLastRead: undefined, producerRate: 0 });
    assert.deepEqual(pick(decideEdge(hybrid, never)), ['pull', 'inactive-consumer', 30]);
    const recent = edge({ consumerLastRead: NOW - 30 * DAY });
    assert.deepEqual(pick(decideEdge(hybrid, recent)), ['push', 'cost', undefined]);
    const forever = resolveFanoutPolicy({ mode: 'hybrid', inactiveAfterDays: Infinity });
    const ancient = edge({ consumerLastRead: -1e15 });
    assert.equal(decideEdge(forever, ancient).reason, 'cost');
  });

  it('pulls a celebrity before the rate and cost rules', () => {
    const star = edge({ followerCount: 100_001, producerRate: 1e5, consumerReadRate: 1e6 });
    assert.deepEqual(pick(decideEdge(hybrid, star)), ['pull', 'celebrity', 100_000]);
    const atLimit = edge({ followerCount: 100_000 });
    assert.equal(decideEdge(hybrid, atLimit).mode, 'push');
  });

  it('pulls a hot producer even when its readers read more often', () => {
    const hot = edge({ producerRate: 1_441, consumerReadRate: 1e6 });
    assert.deepEqual(pick(decideEdge(hybrid, hot)), ['pull', 'hot-producer', 1_440]);
    const atLimit = edge({ producerRate: 1_440, consumerReadRate: 1e6 });
    assert.equal(decideEdge(hybrid, atLimit).mode, 'push');
  });

  it('forced modes decide every edge, and still report both costs', () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom('push' as const, 'pull' as const), (input, mode) => {
        const d = decideEdge(resolveFanoutPolicy({ mode }), input);
        assert.deepEqual([d.mode, d.reason, d.limit], [mode, 'mode', undefined]);
        assert.equal(d.pushCost, input.producerRate);
        assert.equal(d.pullCost, L * input.consumerReadRate);
        assert.equal(d.inputs, input);
      }),
    );
  });
});

describe('decideEdge: monotone', () => {
  it('raising the producer rate never turns pull into push', () => {
    fc.assert(
      fc.property(policy, inputs, rising(rate), (p, input, [low, high]) => {
        const before = decideEdge(p, { ...input, producerRate: low });
        const after = decideEdge(p, { ...input, producerRate: high });
        assert.ok(!(before.mode === 'pull' && after.mode === 'push'));
      }),
    );
  });

  it("raising the consumer's read rate never turns push into pull", () => {
    fc.assert(
      fc.property(policy, inputs, rising(rate), (p, input, [low, high]) => {
        const before = decideEdge(p, { ...input, consumerReadRate: low });
        const after = decideEdge(p, { ...input, consumerReadRate: high });
        assert.ok(!(before.mode === 'push' && after.mode === 'pull'));
      }),
    );
  });

  it('raising pushBias never turns push into pull', () => {
    const bias = fc.double({ min: 0, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(policy, inputs, rising(bias), (p, input, [low, high]) => {
        const before = decideEdge(withBias(p, low), input);
        const after = decideEdge(withBias(p, high), input);
        assert.ok(!(before.mode === 'push' && after.mode === 'pull'));
      }),
    );
  });

  it('hybrid pushes exactly when no hard rule applies and H·φp < pushBias·L·φc', () => {
    fc.assert(
      fc.property(policy, inputs, (p, input) => {
        const d = decideEdge(p, input);
        const pushCost = p.writeCost * input.producerRate;
        const pullCost = p.pushBias * p.readCost * input.consumerReadRate;
        assert.deepEqual([d.pushCost, d.pullCost], [pushCost, pullCost]);
        if (d.reason === 'cost') assert.equal(d.mode, pushCost < pullCost ? 'push' : 'pull');
        if (d.reason !== 'mode' && d.reason !== 'cost') assert.equal(d.mode, 'pull');
        if (d.reason === 'mode') assert.notEqual(p.mode, 'hybrid');
      }),
    );
  });
});

describe('decideEdge: inputs', () => {
  const bad: [keyof EdgeInputs, unknown][] = [
    ['producerRate', Number.NaN],
    ['producerRate', Infinity],
    ['producerRate', -1],
    ['consumerReadRate', Number.NaN],
    ['consumerReadRate', Infinity],
    ['consumerReadRate', -0.1],
    ['followerCount', -1],
    ['followerCount', 2.5],
    ['followerCount', Infinity],
    ['followerCount', Number.NaN],
    ['consumerLastRead', Number.NaN],
    ['consumerLastRead', Infinity],
    ['consumerLastRead', null],
    ['now', Number.NaN],
    ['now', -Infinity],
    ['now', '2026-01-01'],
  ];
  for (const [key, value] of bad) {
    it(`refuses ${key} = ${String(value)}`, () => {
      const input = { ...edge(), [key]: value } as EdgeInputs;
      assert.throws(
        () => decideEdge(hybrid, input),
        (err: unknown) => {
          hasCode('INVALID_OPTION', ValidationError)(err);
          assert.equal((err as ValidationError).details.option, key);
          assert.match((err as ValidationError).message, new RegExp(`^decideEdge: ${key} must be`));
          return true;
        },
      );
    });
  }

  it('refuses inputs that are not an object', () => {
    const call = () => decideEdge(hybrid, null as unknown as EdgeInputs);
    assert.throws(call, hasCode('INVALID_OPTION', ValidationError));
  });

  it('takes a last read in the future (clock skew) as active', () => {
    assert.equal(decideEdge(hybrid, edge({ consumerLastRead: NOW + DAY })).reason, 'cost');
  });
});

describe('explainDecision', () => {
  const cases: [EdgeInputs, ResolvedFanoutPolicy, string][] = [
    [
      edge(),
      hybrid,
      `push (cost): pushing costs 2/day (writeCost × 2 events/day) < pulling ${5 * L}/day (pushBias × readCost × 5 reads/day)`,
    ],
    [
      edge({ producerRate: 72.5, consumerReadRate: 0.25 }),
      hybrid,
      `pull (cost): pushing costs 72.5/day (writeCost × 72.5 events/day) >= pulling ${0.25 * L}/day (pushBias × readCost × 0.25 reads/day)`,
    ],
    [
      edge({ consumerLastRead: NOW - 45.25 * DAY }),
      hybrid,
      'pull (inactive-consumer): the consumer last read 45.3 days ago; inactive after 30 days',
    ],
    [
      edge({ consumerLastRead: undefined }),
      hybrid,
      'pull (inactive-consumer): the consumer never read; inactive after 30 days',
    ],
    [
      edge({ followerCount: 2_500_000 }),
      hybrid,
      'pull (celebrity): the producer has 2,500,000 followers, more than 100,000',
    ],
    [
      edge({ producerRate: 5000 }),
      hybrid,
      'pull (hot-producer): the producer posts 5,000 events/day, more than 1,440',
    ],
    [
      edge(),
      resolveFanoutPolicy({ mode: 'pull' }),
      "pull (mode): the policy's mode forces pull on every edge",
    ],
  ];
  for (const [input, p, sentence] of cases) {
    it(sentence.slice(0, sentence.indexOf(':')), () => {
      assert.equal(explainDecision(decideEdge(p, input)), sentence);
    });
  }

  it('always names the mode and reason first, whatever the inputs', () => {
    fc.assert(
      fc.property(policy, inputs, (p, input) => {
        const d = decideEdge(p, input);
        assert.ok(explainDecision(d).startsWith(`${d.mode} (${d.reason}): `));
      }),
    );
  });
});

describe('docs/fanout-policy.md', () => {
  it("shows explainDecision's real output for its examples", () => {
    const doc = readFileSync(new URL('../../docs/fanout-policy.md', import.meta.url), 'utf8');
    const read = { consumerLastRead: NOW - 2 * 3_600_000 };
    const examples: [EdgeInputs, ResolvedFanoutPolicy][] = [
      [edge({ producerRate: 3, followerCount: 250, consumerReadRate: 4, ...read }), hybrid],
      [edge({ producerRate: 300, followerCount: 5_000, consumerReadRate: 4, ...read }), hybrid],
      [edge({ producerRate: 3, consumerReadRate: 0.4, consumerLastRead: NOW - 3 * DAY }), hybrid],
      [edge({ consumerLastRead: NOW - 62 * DAY }), hybrid],
      [edge({ followerCount: 31_000_000, consumerReadRate: 20 }), hybrid],
      [edge({ producerRate: 20_000, followerCount: 40, consumerReadRate: 50 }), hybrid],
    ];
    // The page wraps its prose at 100 columns: compare with whitespace collapsed.
    const flat = doc.replace(/\s+/g, ' ');
    for (const [input, p] of examples) {
      const sentence = explainDecision(decideEdge(p, input));
      assert.ok(flat.includes(`\`${sentence}\``), `the page lacks: ${sentence}`);
    }
    const biased = resolveFanoutPolicy({ mode: 'hybrid', pushBias: 4 });
    const weekly = decideEdge(biased, examples[2]?.[0] as EdgeInputs);
    assert.ok(flat.includes(`(\`${explainDecision(weekly)}\`)`), explainDecision(weekly));
    const defaults = Object.entries(FANOUT_POLICY_DEFAULTS) as [string, string | number][];
    for (const [key, value] of defaults) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${key}\``));
      const shown = typeof value === 'string' ? `\`'${value}'\`` : value.toLocaleString('en-US');
      const cell = row?.split('|')[2]?.trim() ?? '';
      assert.ok(cell.startsWith(shown), `the defaults table shows ${key} = ${cell}, not ${shown}`);
    }
  });
});

function pick(d: ReturnType<typeof decideEdge>): [string, string, number | undefined] {
  return [d.mode, d.reason, d.limit];
}

function withBias(p: ResolvedFanoutPolicy, pushBias: number): ResolvedFanoutPolicy {
  return resolveFanoutPolicy({ ...p, pushBias });
}
