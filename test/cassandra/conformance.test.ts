import { after, before, describe, test } from 'node:test';
import { describeBackend } from '../../src/testing/index.js';
import { cassandraBackend, ensureSchema, testClient } from '../support/cassandra.js';

const client = testClient();
before(() => ensureSchema(client));
after(() => client.shutdown());
describeBackend({ describe, test }, cassandraBackend('cassandra', client));
