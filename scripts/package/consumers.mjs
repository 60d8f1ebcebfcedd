// Compiles, against the packed tarball installed in temp projects, what a consumer compiles:
// every ```ts block of the documentation, the example app, and each entry point with and without
// each optional peer. Strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, and no
// skipLibCheck: a declaration file that does not compile fails here as it would in an application.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVariant, ENTRIES, leftOutWith, PEERS, peerInstallSpecs } from './peers.mjs';
import { documentationSnippets, snippetModule } from './snippets.mjs';
import { formatDiagnostic, readProject, STRICT_CONSUMER, typecheck } from './typecheck.mjs';

/** Writes one module per entry point under `dir`; returns their paths by specifier. */
function writeEntryModules(dir) {
  mkdirSync(join(dir, 'entries'), { recursive: true });
  const paths = {};
  for (const specifier of Object.keys(ENTRIES)) {
    const path = join(dir, 'entries', `${specifier.replace(/\W+/g, '-')}.mts`);
    writeFileSync(
      path,
      `import * as entry from '${specifier}';\nexport const names: string[] = Object.keys(entry);\n`,
    );
    paths[specifier] = path;
  }
  return paths;
}

/** Throws with every diagnostic when there is any. */
function expectClean(what, diagnostics, describe = formatDiagnostic) {
  if (diagnostics.length === 0) return;
  throw new Error(`${what} does not compile:\n  ${diagnostics.map(describe).join('\n  ')}`);
}

/**
 * Compiles, in `full` (every peer installed), the ```ts blocks of the documentation together with
 * every entry point.
 */
export function checkSnippetsAndEntries(root, full) {
  const dir = join(full, 'snippets');
  mkdirSync(dir);
  const byPath = new Map();
  const snippets = documentationSnippets(root);
  for (const snippet of snippets.filter((s) => s.skip === undefined)) {
    const path = join(dir, `${snippet.file.replace(/\W+/g, '-')}-${snippet.line}.mts`);
    const module = snippetModule(snippet);
    writeFileSync(path, module.text);
    byPath.set(path, { ...snippet, offset: module.offset });
  }
  const roots = [...byPath.keys(), ...Object.values(writeEntryModules(full))];
  const diagnostics = typecheck(roots, { ...STRICT_CONSUMER, types: ['node'] }, full);
  expectClean('with every peer, the documentation or an entry point', diagnostics, (d) => {
    const s = byPath.get(d.file);
    if (s === undefined) return formatDiagnostic(d);
    const line = d.line > s.offset ? s.line + d.line - s.offset : `${s.line} (prelude)`;
    return `${s.file}:${line}:${d.column} TS${d.code} ${d.message}`;
  });
  const skipped = snippets.filter((s) => s.skip !== undefined);
  console.log(
    `with every peer: every entry point and ${byPath.size} ts blocks of the documentation compile; ${skipped.length} skipped`,
  );
  for (const s of skipped) console.log(`  skipped ${s.file}:${s.line}: ${s.skip}`);
}

/** Compiles examples/pinterest with its own tsconfig, stream-framework from the tarball. */
export function checkExample(root, full) {
  const dir = join(full, 'pinterest');
  cpSync(join(root, 'examples/pinterest/src'), join(dir, 'src'), { recursive: true });
  cpSync(join(root, 'examples/pinterest/tsconfig.json'), join(dir, 'tsconfig.json'));
  const { rootNames, options } = readProject(join(dir, 'tsconfig.json'));
  const strict = { ...options, noEmit: true, skipLibCheck: false, strict: true };
  expectClean('examples/pinterest', typecheck(rootNames, strict, dir));
  console.log(`examples/pinterest: ${rootNames.length} files compile`);
}

/**
 * In a project without the `leftOut` peers (and without the packages of `without`): entry points
 * that need none of them compile; each one that needs one fails only for want of a left-out
 * package (so the table of ENTRIES is not too wide).
 */
export function checkVariant(full, dir, leftOut, without = []) {
  createVariant(full, dir, leftOut, without);
  const paths = writeEntryModules(dir);
  const missing = leftOut.flatMap((peer) => PEERS[peer]);
  const needs = (specifier) => ENTRIES[specifier].some((p) => leftOut.includes(p));
  const fine = Object.keys(ENTRIES).filter((s) => !needs(s));
  const label = `no ${[...leftOut, ...without].join(', ')}`;
  expectClean(
    `with ${label}, ${fine.join(', ')}`,
    typecheck(
      fine.map((s) => paths[s]),
      STRICT_CONSUMER,
      dir,
    ),
  );
  const failing = Object.keys(ENTRIES).filter(needs);
  for (const specifier of failing) {
    const diagnostics = typecheck([paths[specifier]], STRICT_CONSUMER, dir);
    const unrelated = diagnostics.filter(
      (d) => d.code !== 2307 || !missing.some((m) => d.message.includes(`'${m}'`)),
    );
    if (diagnostics.length === 0 || unrelated.length > 0) {
      throw new Error(
        `with ${label}, ${specifier} should fail only for want of ${missing.join(' or ')}:\n  ${
          diagnostics.map(formatDiagnostic).join('\n  ') || '(it compiles)'
        }`,
      );
    }
  }
  const others =
    failing.length === 0 ? '' : `; ${failing.join(', ')} need a left-out peer (TS2307 without it)`;
  console.log(`with ${label}: ${fine.join(', ')} compile${others}`);
}

/**
 * Installs the tarball and every optional peer (types only) into `tmp/full`, then runs every
 * consumer check. `run` runs a command (see check-package.mjs).
 */
export function checkConsumers({ root, tmp, tarball, run }) {
  const started = performance.now();
  const full = join(tmp, 'full');
  mkdirSync(full);
  writeFileSync(
    join(full, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const install = [
    'install',
    tarball,
    ...peerInstallSpecs(root),
    '--ignore-scripts', // types only: no native build of better-sqlite3
    '--no-audit',
    '--no-fund',
    '--no-package-lock',
    '--prefer-offline',
  ];
  run('npm', install, { cwd: full });
  const installed = performance.now();
  checkSnippetsAndEntries(root, full);
  checkExample(root, full);
  // No peer and no @types/node either: the root entry's declarations need neither.
  checkVariant(full, join(tmp, 'no-peers'), Object.keys(PEERS), ['@types/node']);
  for (const peer of Object.keys(PEERS)) {
    checkVariant(full, join(tmp, `without-${peer.replace(/\W+/g, '-')}`), leftOutWith(peer));
  }
  const seconds = (to) => ((to - started) / 1000).toFixed(1);
  console.log(
    `consumer checks passed in ${seconds(performance.now())} s (install ${seconds(installed)} s)`,
  );
}
