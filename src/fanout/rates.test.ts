import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '../errors.js';
import { hasCode } from '../testing/fixtures.js';
import { type RateState, rateAt, recordEvents } from './rates.js';

const DAY = 86_400_000;
const time = fc.integer({ min: 0, max: 4_000_000_000_000 });
const halfLife = fc.integer({ min: 1, max: 365 * DAY });
const state = fc.record({
  rate: fc.double({ min: 0, max: 1e9, noNaN: true }),
  at: time,
});

/** Equal up to float rounding (relative 1e-9). */
function close(actual: number, expected: number): void {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= 1e-9 * scale, `${actual} is not close to ${expected}`);
}

describe('rateAt', () => {
  it('is 0 with no events', () => {
    assert.equal(rateAt(undefined, 123, DAY), 0);
  });

  it('halves every half-life, exactly', () => {
    fc.assert(
      fc.property(state, halfLife, fc.integer({ min: 1, max: 20 }), (s, h, k) => {
        assert.equal(rateAt(s, s.at + h, h), s.rate / 2);
        close(rateAt(s, s.at + k * h, h), s.rate / 2 ** k);
      }),
    );
  });

  it('never goes negative and never grows without events', () => {
    fc.assert(
      fc.property(state, halfLife, time, time, (s, h, t1, t2) => {
        const [early, late] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const a = rateAt(s, early, h);
        const b = rateAt(s, late, h);
        assert.ok(a >= 0 && b >= 0);
        assert.ok(b <= a, `rate grew from ${a} to ${b} with no event`);
        assert.ok(a <= s.rate);
      }),
    );
  });

  it('returns the stored rate for a time before the state (a clock that went back)', () => {
    assert.equal(rateAt({ rate: 5, at: 10 * DAY }, 9 * DAY, DAY), 5);
  });
});

describe('recordEvents', () => {
  it('recording n events at once equals recording them one by one at the same time', () => {
    fc.assert(
      fc.property(
        fc.option(state, { nil: undefined }),
        halfLife,
        time,
        fc.integer({ min: 1, max: 200 }),
        (s, h, now, n) => {
          const once = recordEvents(s, now, h, n);
          let one = recordEvents(s, now, h);
          for (let i = 1; i < n; i++) one = recordEvents(one, now, h);
          assert.equal(once.at, one.at);
          close(once.rate, one.rate);
        },
      ),
    );
  });

  it('recording 0 events only decays the estimate to now', () => {
    fc.assert(
      fc.property(state, halfLife, time, (s, h, now) => {
        const after = recordEvents(s, now, h, 0);
        assert.equal(after.rate, rateAt(s, now, h));
        assert.equal(after.at, Math.max(s.at, now));
      }),
    );
  });

  it('never goes negative and a recorded event never lowers the estimate', () => {
    fc.assert(
      fc.property(fc.option(state, { nil: undefined }), halfLife, time, (s, h, now) => {
        const after = recordEvents(s, now, h);
        assert.ok(after.rate > 0);
        assert.ok(after.rate >= rateAt(s, now, h));
        assert.ok(Number.isFinite(after.rate));
      }),
    );
  });

  it('converges to the true rate of a steady stream', () => {
    const h = 7 * DAY;
    for (const perDay of [1, 24, 1000]) {
      let s: RateState | undefined;
      const step = DAY / perDay;
      for (let t = 0; t < 20 * 7 * DAY; t += step) s = recordEvents(s, t, h);
      // Sampled right after an event: the estimate sits in [r, r * 2^(step/h)) of the true rate r.
      const estimate = rateAt(s, s?.at ?? 0, h);
      assert.ok(
        estimate >= perDay * 0.99 && estimate <= perDay * 1.08,
        `${perDay}/day gave ${estimate}`,
      );
    }
  });

  it('adds an event older than the state undecayed and keeps its time', () => {
    const s = recordEvents({ rate: 3, at: 10 * DAY }, 2 * DAY, DAY, 2);
    assert.equal(s.at, 10 * DAY);
    close(s.rate, 3 + 2 * Math.LN2);
  });

  it('does not change the state it is given', () => {
    const s = Object.freeze({ rate: 1, at: 0 });
    const next = recordEvents(s, DAY, DAY);
    assert.deepEqual(s, { rate: 1, at: 0 });
    assert.notEqual(next, s);
  });
});

describe('rate arguments', () => {
  const good: RateState = { rate: 1, at: 0 };
  const cases: [string, string, () => unknown][] = [
    ['now', 'NaN', () => rateAt(good, Number.NaN, DAY)],
    ['now', 'Infinity', () => recordEvents(good, Number.POSITIVE_INFINITY, DAY)],
    ['halfLifeMs', '0', () => rateAt(good, 0, 0)],
    ['halfLifeMs', '0.5 (under 1 ms)', () => rateAt(good, 0, 0.5)],
    ['halfLifeMs', 'negative', () => rateAt(good, 0, -DAY)],
    ['halfLifeMs', 'Infinity', () => recordEvents(good, 0, Number.POSITIVE_INFINITY)],
    ['halfLifeMs', 'NaN', () => recordEvents(good, 0, Number.NaN)],
    ['state.rate', 'negative', () => rateAt({ rate: -1, at: 0 }, 0, DAY)],
    ['state.rate', 'NaN', () => rateAt({ rate: Number.NaN, at: 0 }, 0, DAY)],
    [
      'state.rate',
      'Infinity',
      () => recordEvents({ rate: Number.POSITIVE_INFINITY, at: 0 }, 0, DAY),
    ],
    ['state.at', 'NaN', () => rateAt({ rate: 1, at: Number.NaN }, 0, DAY)],
    ['state', 'null', () => rateAt(null as unknown as RateState, 0, DAY)],
    ['count', 'negative', () => recordEvents(good, 0, DAY, -1)],
    ['count', '1.5', () => recordEvents(good, 0, DAY, 1.5)],
    ['count', 'NaN', () => recordEvents(good, 0, DAY, Number.NaN)],
  ];
  for (const [name, what, call] of cases) {
    it(`refuses ${name} = ${what}`, () => {
      assert.throws(call, hasCode('INVALID_OPTION', ValidationError));
      assert.throws(call, (err: ValidationError) => {
        assert.equal(err.details.option, name);
        assert.match(
          err.message,
          new RegExp(`^(rateAt|recordEvents): ${name.replace('.', '\\.')} must be`),
        );
        return true;
      });
    });
  }
});
