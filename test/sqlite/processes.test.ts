import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createSqliteStorage } from '../../src/backends/sqlite/index.js';
import { tempDir } from '../support/sqlite.js';

// atomicUpdate across processes: several processes increment one counter entry of one database
// file through update() at the same time; BEGIN IMMEDIATE serializes them, so none is lost.
const dir = tempDir();
after(() => dir.remove());
const writer = fileURLToPath(new URL('../support/sqlite-writer.ts', import.meta.url));

function run(path: string, rounds: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path, String(rounds), name], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`writer ${name} exited with ${code}`)),
    );
  });
}

it('4 processes making 150 updates each to one feed lose none of them', async () => {
  const path = dir.file('processes.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const { timeline } = createSqliteStorage({ database: db });
  const writers = ['a', 'b', 'c', 'd'];
  await Promise.all(writers.map((name) => run(path, 150, name)));
  const [counter] = await timeline.get('counter-feed', ['counter']);
  assert.equal(counter?.payload, String(4 * 150));
  assert.equal(await timeline.count('counter-feed'), 4 * 150 + 1);
  assert.equal(await timeline.countMarked('counter-feed', 'unseen'), 4 * 150);
  db.close();
});
