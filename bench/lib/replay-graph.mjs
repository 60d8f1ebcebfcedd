// The follow graph and the events of the hybrid calibration replay, drawn from the capacity
// simulator's own workload (src/simulate, from dist/): user i is the producer of popularity rank
// i (its follower count and post rate) and the simulator's consumer sample i (accounts followed,
// read rate, last read). Each producer's followers are drawn without replacement in proportion
// to the consumers' follow counts, so edges meet consumers as the model assumes (independently of
// the producer, in proportion to how many accounts each follows).

const DAY_MS = 86_400_000;

/** Walker's alias table: draws index i with probability weights[i] / sum. */
function aliasTable(weights) {
  const n = weights.length;
  const sum = weights.reduce((a, b) => a + b, 0);
  const prob = new Float64Array(n);
  const alias = new Uint32Array(n);
  const scaled = weights.map((w) => (w * n) / sum);
  const small = [];
  const large = [];
  for (const [i, p] of scaled.entries()) (p < 1 ? small : large).push(i);
  while (small.length > 0 && large.length > 0) {
    const s = small.pop();
    const l = large.at(-1);
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] -= 1 - scaled[s];
    if (scaled[l] < 1) small.push(large.pop());
  }
  for (const i of [...small, ...large]) prob[i] = 1;
  return (random) => {
    const i = Math.floor(random.uniform() * n);
    return random.uniform() < prob[i] ? i : alias[i];
  };
}

/**
 * Followers of each producer (arrays of user numbers): `followers[p]` distinct users other than
 * p, drawn with weights `follows` (rejection on an alias table; for producers followed by more
 * than half of the users, the heaviest keys of Efraimidis-Spirakis sampling).
 */
export function drawFollowers(followers, follows, random) {
  const n = followers.length;
  const draw = aliasTable(follows);
  const out = [];
  for (let p = 0; p < n; p++) {
    const d = Math.min(followers[p], n - 1);
    if (d > n / 2) {
      const keys = [];
      for (let c = 0; c < n; c++) {
        if (c !== p) keys.push([Math.log(1 - random.uniform()) / follows[c], c]);
      }
      keys.sort((a, b) => b[0] - a[0]);
      out.push(keys.slice(0, d).map(([, c]) => c));
      continue;
    }
    const chosen = new Set();
    while (chosen.size < d) {
      const c = draw(random);
      if (c !== p) chosen.add(c);
    }
    out.push([...chosen]);
  }
  return out;
}

/** A Poisson number of events with mean `mean` (Knuth below 30, else a rounded normal). */
function poisson(mean, random) {
  if (mean >= 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.normal()));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.uniform();
  while (p > limit) {
    k++;
    p *= random.uniform();
  }
  return k;
}

/**
 * Posts and reads over `windowDays` after `start` (ms), sorted by time: each user posts at its
 * rate; each active consumer (last read at most `inactiveDays` ago) reads at its rate; inactive
 * ones never read.
 */
export function drawEvents(workload, { start, windowDays, inactiveDays }, random) {
  const events = [];
  const at = () => start + Math.floor(random.uniform() * windowDays * DAY_MS);
  workload.postsPerDay.forEach((rate, user) => {
    for (let k = poisson(rate * windowDays, random); k > 0; k--) {
      events.push({ time: at(), user, kind: 'post' });
    }
  });
  workload.consumers.forEach((c, user) => {
    if (c.lastReadDaysAgo > inactiveDays) return;
    for (let k = poisson(c.readsPerDay * windowDays, random); k > 0; k--) {
      events.push({ time: at(), user, kind: 'read' });
    }
  });
  return events.sort((a, b) => a.time - b.time || a.user - b.user);
}
