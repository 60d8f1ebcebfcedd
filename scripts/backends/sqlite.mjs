// The SQLite backend's tests, test/sqlite/**/*.test.ts: the conformance kit on in-memory and
// file databases (better-sqlite3, embedded), plus the backend's own tests. No server needed.
import { testFiles } from './files.mjs';

export default {
  name: 'sqlite',
  files: () => testFiles('test/sqlite'),
};
