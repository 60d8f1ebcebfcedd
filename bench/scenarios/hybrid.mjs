// Scenario `hybrid` (issue #14): T3, a post of an account with 1,000,000 followers in hybrid mode
// (hybrid-publish.mjs, single Redis only), and T1 calibrated, a replay of the simulator's graph
// and workload at a small size through pure push and hybrid managers (hybrid-replay.mjs).
import { hybridPublish } from './hybrid-publish.mjs';
import { hybridReplay } from './hybrid-replay.mjs';

export async function hybrid(options) {
  await hybridPublish(options);
  await hybridReplay(options);
}
