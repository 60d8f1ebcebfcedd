import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedFollowers, type GraphParameters, generateGraph, zipfScale } from './graph.js';
import { createRandom } from './random.js';

/** Least-squares slope of log(followers) against log(rank) over ranks [from, to]. */
function logLogSlope(followers: Uint32Array, from: number, to: number): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let r = from; r <= to; r++) {
    const x = Math.log(r);
    const y = Math.log(followers[r - 1] ?? 0);
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

describe('simulate: follow graph', () => {
  for (const zipfExponent of [1, 0.8]) {
    it(`follower counts follow the Zipf law of exponent ${zipfExponent} (seed 7)`, () => {
      const params: GraphParameters = { users: 100_000, zipfExponent, meanFollows: 20 };
      const graph = generateGraph(params, createRandom(7));
      // The edges add up to users x meanFollows (stochastic rounding keeps the expectation).
      assert.ok(Math.abs(graph.edges / (params.users * params.meanFollows) - 1) < 0.001);
      // The ranks below the cap, down to an expectation of 20 followers (rounding noise <= 5%).
      const cap = params.users - 1;
      const first = Math.max(1, Math.ceil((graph.scale / cap) ** (1 / zipfExponent)) + 1);
      const last = Math.floor((graph.scale / 20) ** (1 / zipfExponent));
      assert.ok(last - first > 1000, `fit over ${first}..${last}`);
      const slope = logLogSlope(graph.followers, first, last);
      assert.ok(Math.abs(slope + zipfExponent) < 0.01, `slope ${slope}`);
      // Nobody has more followers than everyone else; with s = 1 the top accounts reach that cap.
      assert.ok(Math.max(...graph.followers) <= cap);
      if (zipfExponent === 1) assert.equal(graph.followers[0], cap);
      else assert.ok((graph.followers[0] ?? 0) < cap);
      // Every count is its expectation rounded down or up.
      graph.followers.forEach((d, i) => {
        const expected = expectedFollowers(params, graph.scale, i + 1);
        assert.ok(d === Math.floor(expected) || d === Math.ceil(expected), `rank ${i + 1}: ${d}`);
      });
    });
  }

  it('the scale makes the expected counts add up to users x meanFollows', () => {
    const params: GraphParameters = { users: 5000, zipfExponent: 1.2, meanFollows: 50 };
    const scale = zipfScale(params);
    let sum = 0;
    for (let r = 1; r <= params.users; r++) sum += expectedFollowers(params, scale, r);
    assert.ok(Math.abs(sum / (params.users * params.meanFollows) - 1) < 1e-9, `sum ${sum}`);
  });

  it('is reproducible from the seed', () => {
    const params: GraphParameters = { users: 10_000, zipfExponent: 1, meanFollows: 10 };
    const a = generateGraph(params, createRandom(3)).followers;
    const b = generateGraph(params, createRandom(3)).followers;
    const c = generateGraph(params, createRandom(4)).followers;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});
