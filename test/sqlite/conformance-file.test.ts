// The whole conformance kit on SQLite with a database file per test (WAL, synchronous NORMAL, as
// docs/backends/sqlite.md recommends) in a temp dir removed at the end.
import { after, describe, test } from 'node:test';
import { describeBackend } from '../../src/testing/index.js';
import { sqliteBackend, tempDir } from '../support/sqlite.js';

const dir = tempDir();
after(() => dir.remove());
describeBackend({ describe, test }, sqliteBackend('sqlite, file', dir));
