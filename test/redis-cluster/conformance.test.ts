import { after } from 'node:test';
import { describeBackend } from '../../src/testing/index.js';
import { clusterClient, redisBackend } from '../support/redis.js';

const client = clusterClient();
after(() => client.quit());
describeBackend(redisBackend('redis-cluster', client));
