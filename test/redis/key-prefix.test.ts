import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { describeBackend } from '../../src/testing/index.js';
import { singleClient } from '../support/redis.js';
import { describeKeyPrefixCases, prefixedBackend } from '../support/redis-key-prefix.js';

// A single-node client with an ioredis keyPrefix: every key the backend writes is under it.
const raw = singleClient();
const client = new Redis(process.env.REDIS_URL ?? '', {
  keyPrefix: 'app:',
  maxRetriesPerRequest: 3,
});
after(async () => {
  await client.quit();
  await raw.quit();
});

describe('redis with an ioredis keyPrefix', () => {
  describeKeyPrefixCases(client, raw, 'app:');
});
describeBackend({ describe, test }, prefixedBackend('redis, keyPrefix app:', client, raw));
