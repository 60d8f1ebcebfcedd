// Starts the example app (examples/pinterest) as a child process on a free port with a fresh data
// directory, for the browser and HTTP tests. The app imports stream-framework by package name, so
// dist/ must be built: the browser test group's start() does that (scripts/backends/browser.mjs).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const exampleDir = join(root, 'examples', 'pinterest');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Chromium flags for a closed network, as root, headless. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface RunningApp {
  readonly url: string;
  readonly pid: number;
  /** Everything the app printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the app; resolves once it listens. */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sf-pinstream-'));
  let log = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: exampleDir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the example app');
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app did not start in 60 s:\n${log}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(log);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the app ${exited}:\n${log}`));
    });
  });
  return {
    url,
    pid,
    output: () => log,
    async stop() {
      if (exited === undefined) {
        process.kill(pid, 'SIGTERM');
        const deadline = Date.now() + 5000;
        while (exited === undefined && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 25));
        }
        if (exited === undefined) process.kill(pid, 'SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Where screenshots go: docs/screenshots with UPDATE_SCREENSHOTS=1, else test-results/. */
export function screenshotDir(): string {
  return process.env.UPDATE_SCREENSHOTS === '1'
    ? join(root, 'docs', 'screenshots')
    : join(root, 'test-results', 'screenshots');
}

export const hasChromium = (): boolean => existsSync(chromiumPath);
