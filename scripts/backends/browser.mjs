// The example app (examples/pinterest) in a real browser: test/browser/**/*.test.ts drive Debian's
// chromium with playwright-core, and HTTP-level tests hit the app with fetch. Each test file starts
// the app itself (a child process on a free port with a fresh temp data dir, stopped by PID).
//
// start() needs chromium at /usr/bin/chromium (or CHROMIUM_PATH): without it the group is skipped,
// or fails when `browser` is in REQUIRE_BACKENDS. The app imports stream-framework by package name,
// which resolves to dist/, so start() builds the package first. It hands the test process:
//   CHROMIUM_PATH   the browser binary
import { existsSync } from 'node:fs';
import { buildPackage, testFiles } from './files.mjs';

export default {
  name: 'browser',
  files: () => testFiles('test/browser'),

  async start() {
    const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    if (!existsSync(chromium))
      throw new Error('chromium not found (Debian: apt-get install chromium)');
    const seconds = buildPackage();
    console.error(`browser: ${chromium}; package built in ${seconds}s`);
    return { CHROMIUM_PATH: chromium };
  },
};
