import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../activity/activity.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { createManager } from '../manager/manager.js';
import { flakyStorage } from '../testing/manager-world.js';
import { type LogFields, type Logger, log, loggerOption } from './logger.js';

type Rec = { level: string; fields: LogFields; message: string };

/** A pino-like logger that keeps its records. */
function recorder(): Logger & { records: Rec[] } {
  const records: Rec[] = [];
  const at = (level: string) => (fields: LogFields, message: string) =>
    void records.push({ level, fields, message });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const SECRET = 'private caption: do not log me';

function world(logger: Logger, failures = 0) {
  const storage = createMemoryStorage();
  return createManager({
    userFeed: defineFlatFeed({ name: 'user', storage }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage: flakyStorage(storage, failures) }),
    },
    getFollowerIds: () => [2, 3, 4],
    limits: { fanoutChunkSize: 2 },
    logger,
  });
}

const post = createActivity({
  actor: 1,
  verb: 'pin',
  object: 1,
  time: Date.UTC(2024, 0, 1),
  extra: { caption: SECRET },
});

describe('logger', () => {
  it('logs a failed task at warn with ids and counts, never the payload', async () => {
    const logger = recorder();
    await assert.rejects(world(logger, 1).addUserActivity(1, post), /injected/);
    const warnings = logger.records.filter((r) => r.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.message, 'stream-framework: task failed');
    assert.equal(warnings[0]?.fields['stream_framework.task.kind'], 'fanout');
    assert.equal(warnings[0]?.fields['stream_framework.feed'], 'timeline');
    assert.equal(warnings[0]?.fields['stream_framework.users'], 2);
    assert.equal(warnings[0]?.fields['stream_framework.activities'], 1);
    assert.match(String(warnings[0]?.fields.err), /injected addToMany failure/);
    assert.doesNotMatch(JSON.stringify(logger.records), /private caption/);
  });

  it('logs each task at debug only, with its duration', async () => {
    const logger = recorder();
    await world(logger).addUserActivity(1, post);
    assert.deepEqual(
      logger.records.map((r) => [r.level, r.message, r.fields['stream_framework.users']]),
      [
        ['debug', 'stream-framework: task ran', 2],
        ['debug', 'stream-framework: task ran', 1],
      ],
    );
    assert.ok(logger.records.every((r) => typeof r.fields.durationMs === 'number'));
    assert.doesNotMatch(JSON.stringify(logger.records), /private caption/);
  });

  it('a logger that throws or lacks a level never fails the operation', async () => {
    const throwing: Logger = {
      debug: () => {
        throw new Error('logger down');
      },
    };
    const handle = await world(throwing).addUserActivity(1, post);
    assert.equal(handle.total, 2);
    await assert.rejects(world({ error: () => {} }, 1).addUserActivity(1, post), /injected/);
    log({ warn: undefined }, 'warn', {}, 'nothing happens');
  });

  it('rejects what is not a logger, with INVALID_OPTION', () => {
    for (const bad of [null, 42, 'pino', {}, { warn: 'yes' }, { info: () => {}, error: 1 }]) {
      assert.throws(
        () => loggerOption(bad, 'manager'),
        (e: { code?: string }) => e.code === 'INVALID_OPTION',
        JSON.stringify(bad),
      );
      assert.throws(() => world(bad as never), /logger/);
    }
    assert.equal(loggerOption(undefined, 'manager'), undefined);
    const console_ = { debug() {}, info() {}, warn() {}, error() {} };
    assert.equal(loggerOption(console_, 'manager'), console_);
  });
});
