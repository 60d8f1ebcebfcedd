// The example app (examples/pinterest) in a real browser: test/browser/**/*.test.ts drive Debian's
// chromium with playwright-core, and HTTP-level tests hit the app with fetch. Each test file starts
// the app itself (a child process on a free port with a fresh temp data dir, stopped by PID).
//
// start() needs chromium at /usr/bin/chromium (or CHROMIUM_PATH): without it the group is skipped,
// or fails when `browser` is in REQUIRE_BACKENDS. The app imports stream-framework by package name,
// which resolves to dist/, so start() builds the package first. It hands the test process:
//   CHROMIUM_PATH   the browser binary
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { root, testFiles } from './files.mjs';

export default {
  name: 'browser',
  files: () => testFiles('test/browser'),

  async start() {
    const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    if (!existsSync(chromium))
      throw new Error('chromium not found (Debian: apt-get install chromium)');
    const started = performance.now();
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (build.status !== 0) {
      throw new Error(`npm run build failed (${build.error?.message ?? `exit ${build.status}`})`);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.error(`browser: ${chromium}; package built in ${seconds}s`);
    return { CHROMIUM_PATH: chromium };
  },
};
