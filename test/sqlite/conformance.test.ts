import { describe, test } from 'node:test';
// The whole conformance kit on SQLite, on a fresh in-memory database per test (see
// conformance-file.test.ts for database files).
import { describeBackend } from '../../src/testing/index.js';
import { sqliteBackend } from '../support/sqlite.js';

describeBackend({ describe, test }, sqliteBackend('sqlite'));
