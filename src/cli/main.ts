#!/usr/bin/env node
/**
 * The `stream-framework` command (package.json "bin"). Its commands:
 * `stream-framework worker --config ./feeds.js [--concurrency N]` runs the tasks of a
 * createBullmqQueue in this process until SIGTERM or SIGINT, then stops gracefully and exits with 0;
 * `stream-framework simulate [options]` runs the capacity simulator (docs/simulator.md);
 * `stream-framework import-python --config ./feeds.js --source <redis-url>` imports a Python
 * Stream Framework 1.4.0 Redis database (docs/migrating-from-python.md);
 * `inspect`, `rebuild`, `queue`, `failed`, `retry-failed` are admin commands (admin-args.ts).
 * Exit codes: 0 stopped cleanly, 1 failed (bad config, lost Redis at startup...), 2 bad usage.
 * @module
 */
import { VERSION } from '../version.js';
import { ADMIN_USAGE, isAdminCommand, parseAdminCommand } from './admin-args.js';
import { parseCommand, USAGE, UsageError } from './args.js';

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    if (isAdminCommand(argv[0])) {
      const admin = parseAdminCommand(argv);
      if (admin.kind === 'help') {
        console.log(ADMIN_USAGE);
        return 0;
      }
      const { runAdmin } = await import('./admin-command.js');
      return await runAdmin(admin);
    }
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      console.log(USAGE);
      return 0;
    }
    if (command.kind === 'version') {
      console.log(VERSION);
      return 0;
    }
    if (command.kind === 'import-python') {
      const { runImportPython } = await import('./import-command.js');
      return await runImportPython(command.argv);
    }
    if (command.kind === 'simulate') {
      const { runSimulate } = await import('./simulate-command.js');
      return await runSimulate(command.argv);
    }
    const { runWorker } = await import('./worker-command.js');
    return await runWorker(command);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`stream-framework: ${error.message}\n\n${error.usage ?? USAGE}`);
      return 2;
    }
    console.error(`stream-framework: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
}

process.exit(await main(process.argv.slice(2)));
