// A writer process for test/sqlite/processes.test.ts: opens the database file given as argv[2]
// (WAL, a 30 s busy timeout) and makes argv[3] increments of one counter entry through update(),
// each also adding an entry of its own (argv[4] names the writer), then exits. compute() sleeps
// 1 ms, so that without a write transaction around read, compute and write, increments are lost.
import Database from 'better-sqlite3';
import { createSqliteStorage } from '../../src/backends/sqlite/index.js';

const [path, rounds, writer] = process.argv.slice(2);
const db = new Database(path!, { timeout: 30_000 });
db.pragma('journal_mode = WAL');
const { timeline } = createSqliteStorage({ database: db });
const sleeper = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < Number(rounds); i++) {
  await timeline.update('counter-feed', ['counter'], ([current]) => {
    const n = current?.payload === undefined ? 1 : Number(current.payload) + 1;
    Atomics.wait(sleeper, 0, 0, 1);
    return {
      changes: {
        put: [
          { id: 'counter', score: 0, payload: String(n) },
          { id: `${writer}-${i}`, score: i + 1 },
        ],
        mark: { unseen: [`${writer}-${i}`] },
      },
      result: n,
    };
  });
  // Let the other writers in between increments.
  if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
}
db.close();
