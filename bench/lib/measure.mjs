// Timing helpers. Every figure is a median over repeats, reported with min and max, and compared
// with a baseline measured in the same run on the same server (the machines are shared and noisy).

/** Runs `fn` `repeats` times (after `setup` each time) and returns the durations in ms. */
export async function timed(repeats, fn, setup) {
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const state = setup ? await setup(i) : undefined;
    const t = performance.now();
    await fn(state, i);
    times.push(performance.now() - t);
  }
  return times;
}

/** Median, min and max of numbers. */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** The p-th percentile (0-100) of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Throughput stats (ops/s) from durations in ms of runs of `ops` operations each. */
export function rate(ops, durations) {
  return stats(durations.map((ms) => (ops / ms) * 1000));
}

/** Runs `read` `n` times one after another; returns each call's latency in ms. */
export async function latencies(n, read) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await read();
    out.push(performance.now() - t);
  }
  return out;
}
