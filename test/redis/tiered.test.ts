// The tiered storage's own cases (test/support/tiered.ts): Redis over SQLite.
import { after } from 'node:test';
import Database from 'better-sqlite3';
import { singleClient } from '../support/redis.js';
import { describeTieredCases } from '../support/tiered.js';
import { tieredRedisSqlite } from '../support/tiered-worlds.js';

const client = singleClient();
after(() => client.quit());
describeTieredCases(tieredRedisSqlite(client, () => new Database(':memory:')));
