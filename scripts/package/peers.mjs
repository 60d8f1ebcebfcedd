// The optional peers of the package, which entry points need which, and consumer projects with
// some peers left out. The peers are installed once (types only: --ignore-scripts); a variant
// links the full project's node_modules except the left-out packages, with its own real copy of
// stream-framework (TypeScript resolves a symlinked package from its real path, so a linked copy
// would still find the left-out peers next to it).
import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Each optional peer, with the packages that come with it in a TypeScript application. */
export const PEERS = {
  ioredis: ['ioredis'],
  bullmq: ['bullmq'],
  'cassandra-driver': ['cassandra-driver'],
  'better-sqlite3': ['better-sqlite3', '@types/better-sqlite3'],
  '@opentelemetry/api': ['@opentelemetry/api'],
};

/** Peers a peer itself needs: leaving one out leaves these out too (bullmq needs ioredis). */
const NEEDS = { bullmq: ['ioredis'] };

/** Entry points (import specifier) and the peers their declarations import. */
export const ENTRIES = {
  'stream-framework': [],
  'stream-framework/testing': [],
  'stream-framework/redis': ['ioredis'],
  'stream-framework/bullmq': ['bullmq', 'ioredis'],
  'stream-framework/cassandra': ['cassandra-driver'],
  'stream-framework/sqlite': ['better-sqlite3'],
  'stream-framework/import': ['ioredis'],
};

/** `name@version` of every peer package and @types/node, as installed in this repository. */
export function peerInstallSpecs(root) {
  const names = [...Object.values(PEERS).flat(), '@types/node'];
  return names.map((name) => {
    const manifest = join(root, 'node_modules', name, 'package.json');
    return `${name}@${JSON.parse(readFileSync(manifest, 'utf8')).version}`;
  });
}

/** Peers left out when `peer` is: itself and every peer that needs it. */
export function leftOutWith(peer) {
  const out = new Set([peer]);
  for (const [other, needs] of Object.entries(NEEDS)) if (needs.includes(peer)) out.add(other);
  return [...out];
}

/**
 * Creates `dir` as a consumer project whose node_modules is `full`'s without the packages of
 * `leftOut` peers and without the packages named in `without`.
 */
export function createVariant(full, dir, leftOut, without = []) {
  const skipped = new Set([...leftOut.flatMap((peer) => PEERS[peer]), ...without]);
  const from = join(full, 'node_modules');
  const to = join(dir, 'node_modules');
  mkdirSync(to, { recursive: true });
  cpSync(join(full, 'package.json'), join(dir, 'package.json'));
  const link = (name) => {
    if (skipped.has(name)) return;
    if (name === 'stream-framework') {
      cpSync(join(from, name), join(to, name), { recursive: true });
    } else if (name.startsWith('@') && !name.includes('/')) {
      mkdirSync(join(to, name));
      for (const child of readdirSync(join(from, name))) link(`${name}/${child}`);
    } else {
      const target = join(from, name);
      symlinkSync(target, join(to, name), lstatSync(target).isDirectory() ? 'dir' : 'file');
    }
  };
  for (const name of readdirSync(from)) if (!name.startsWith('.')) link(name);
}
