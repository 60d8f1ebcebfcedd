import { after } from 'node:test';
import { describeBackend } from '../../src/testing/index.js';
import { redisBackend, singleClient } from '../support/redis.js';

const client = singleClient();
after(() => client.quit());
describeBackend(redisBackend('redis', client));
