/**
 * A small seeded random source for the capacity simulator, so a run is reproducible from its
 * `--seed`.
 * @module
 */

/** A seeded source of uniform and derived random numbers. */
export interface Random {
  /** A uniform number in [0, 1). */
  uniform(): number;
  /** A standard normal number (Box-Muller). */
  normal(): number;
  /** A log-normal number with mean `mean` and log-space deviation `sigma`. */
  logNormal(mean: number, sigma: number): number;
}

/** A {@link Random} seeded with `seed` (mulberry32: 32-bit state, period 2^32). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const u = 1 - uniform(); // (0, 1]: log(u) is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return {
    uniform,
    normal,
    logNormal: (mean, sigma) => mean * Math.exp(sigma * normal() - (sigma * sigma) / 2),
  };
}
