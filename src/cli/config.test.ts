/**
 * `stream-framework worker --config feeds.ts` loads a TypeScript config without `--import tsx` on
 * the command line: the CLI runs here from a plain-JavaScript copy of src/ (transpiled once into
 * .cache/, no TypeScript loader in the process), as it runs from dist/ in an application.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const src = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(src);
/** Inside the repository, so tsx (a devDependency) resolves from a config written there. */
const work = join(root, '.cache', `cli-config-${randomUUID()}`);
const outside = mkdtempSync(join(tmpdir(), 'sf-cli-config-'));

/** Transpiles every non-test module of src/ to JavaScript under `out` (imports already end in .js). */
function transpileSources(out: string): void {
  for (const file of readdirSync(src, { recursive: true }).map(String)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const { outputText } = ts.transpileModule(readFileSync(join(src, file), 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: file,
    });
    const target = join(out, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
}

/**
 * A TypeScript config (type-only syntax, importing a `.ts` file by a `.js` specifier as tsc
 * projects do, or by its `.ts` name) in `dir`.
 */
function writeConfig(dir: string, specifier = './label.js', name = 'feeds.ts'): string {
  writeFileSync(join(dir, 'label.ts'), "export const label: string = 'TypeScript';\n");
  writeFileSync(
    join(dir, name),
    `import { label } from '${specifier}';
interface ManagerStub { readonly runTask: (task: unknown) => Promise<void> }
export const manager: ManagerStub = { runTask: async () => {} };
console.error(\`config loaded from \${label satisfies string}\`);
// Wrong on purpose: the CLI stops at its check, after the module ran, before connecting.
export const redis = 42 as unknown as string;
`,
  );
  return join(dir, name);
}

/** Runs the transpiled CLI in `cwd` with plain `node` (no --import); resolves to code and output. */
function cli(args: readonly string[], cwd: string) {
  return new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn(process.execPath, [join(work, 'src', 'cli', 'main.js'), ...args], {
      cwd,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => done({ code, output }));
  });
}

describe('stream-framework worker --config <file>.ts', () => {
  before(() => {
    transpileSources(join(work, 'src'));
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('loads a TypeScript config with the application’s tsx, without --import tsx', async () => {
    const config = writeConfig(work);
    const { code, output } = await cli(['worker', '--config', config], work);
    assert.match(output, /config loaded from TypeScript/);
    assert.match(output, /`redis` must be a Redis URL or ioredis options/);
    assert.equal(code, 1, output);
  });

  it('without tsx, says what to do (or loads it where Node strips types)', async () => {
    const config = writeConfig(outside);
    const { code, output } = await cli(['worker', '--config', config], outside);
    assert.equal(code, 1, output);
    const features = process.features as { readonly typescript?: string | false | undefined };
    if (features.typescript) {
      // Node strips types but resolves './label.js' literally: the CLI says what to do.
      assert.match(output, /imports \S+label\.js, which does not exist; \S+label\.ts does/);
      assert.match(output, /npm install --save-dev tsx/);
      assert.doesNotMatch(output, /config loaded/);
    } else {
      assert.match(output, /feeds\.ts is TypeScript, which Node v[\d.]+ cannot load by itself/);
      assert.match(output, /npm install --save-dev tsx/);
      assert.doesNotMatch(output, /config loaded/);
    }
  });

  it('without tsx, a config importing .ts names loads where Node strips types', async () => {
    const config = writeConfig(outside, './label.ts', 'feeds-ts-names.ts');
    const { code, output } = await cli(['worker', '--config', config], outside);
    assert.equal(code, 1, output);
    const features = process.features as { readonly typescript?: string | false | undefined };
    if (features.typescript) {
      assert.match(output, /config loaded from TypeScript/);
      assert.match(output, /`redis` must be a Redis URL or ioredis options/);
    } else {
      assert.match(output, /feeds-ts-names\.ts is TypeScript, which Node v[\d.]+ cannot load/);
    }
  });
});
