import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteStorage } from '../../src/backends/sqlite/index.js';
import { SqliteTimelineStorage } from '../../src/backends/sqlite/sqlite-timeline-storage.js';
import { BackendError, ConflictError, ValidationError } from '../../src/index.js';
import { entry, entryId, entryRange, markEntries } from '../../src/testing/fixtures.js';
import { dumpTables, openDatabase, tempDir } from '../support/sqlite.js';

// The SQLite backend's own tests: durability across a close and reopen, atomic updates that
// write nothing when they fail, option checks, table prefixes, typed errors for SQLite failures
// and damaged rows, and statements prepared once.
const dir = tempDir();
after(() => dir.remove());
let files = 0;
const file = () => dir.file(`storage-${++files}.db`);

describe('sqlite backend: durability', () => {
  it('entries, payloads, markers and activities survive closing and reopening the file', async () => {
    const path = file();
    const db = openDatabase(path);
    const first = createSqliteStorage({ database: db });
    await first.timeline.add('feed:1', entryRange(0, 5), { maxLength: 4 });
    await markEntries(first.timeline, 'feed:1', 'unseen', [entryId(1), entryId(4)]);
    await first.activities.putMany([{ id: entryId(1), payload: 'activity 1' }]);
    await first.timeline.update('feed:2', [], () => ({
      changes: { put: [entry(9, null)], mark: { unread: [entryId(9)] } },
      result: 0,
    }));
    db.close();

    const reopened = openDatabase(path);
    const second = createSqliteStorage({ database: reopened });
    assert.deepEqual(
      await second.timeline.range('feed:1', { limit: 10, order: 'desc' }),
      [4, 3, 2, 1].map((n) => entry(n)),
    );
    assert.deepEqual(await second.timeline.isMarked('feed:1', 'unseen', [entryId(1), entryId(4)]), [
      true,
      true,
    ]);
    assert.equal(await second.timeline.countMarked('feed:2', 'unread'), 1);
    assert.deepEqual(await second.timeline.get('feed:2', [entryId(9)]), [entry(9, null)]);
    assert.deepEqual(await second.activities.getMany([entryId(1), entryId(2)]), [
      'activity 1',
      undefined,
    ]);
    reopened.close();
  });
});

describe('sqlite backend: updates are one transaction', () => {
  it('a compute() that throws rejects with its own error and writes nothing', async () => {
    const db = openDatabase(file());
    const { timeline } = createSqliteStorage({ database: db });
    await timeline.add('k', entryRange(0, 3));
    const before = dumpTables(db);
    const boom = new Error('compute failed');
    await assert.rejects(
      timeline.update('k', [entryId(1)], () => {
        throw boom;
      }),
      (error: unknown) => error === boom,
    );
    await assert.rejects(
      timeline.update('new', [], () => {
        throw boom;
      }),
      (error: unknown) => error === boom,
    );
    assert.deepEqual(dumpTables(db), before);
    db.close();
  });

  it('marking an absent id is a ConflictError after puts and removes were applied: all rolled back', async () => {
    const db = new Database(':memory:');
    const { timeline } = createSqliteStorage({ database: db });
    await timeline.add('k', entryRange(0, 3));
    await markEntries(timeline, 'k', 'unseen', [entryId(0)]);
    const before = dumpTables(db);
    await assert.rejects(
      timeline.update('k', [], () => ({
        changes: { put: [entry(7)], remove: [entryId(0)], mark: { unseen: ['absent'] } },
        result: 0,
      })),
      ConflictError,
    );
    assert.deepEqual(dumpTables(db), before);
    db.close();
  });
  it('update returns any result, a promise included', async () => {
    const db = new Database(':memory:');
    const { timeline } = createSqliteStorage({ database: db });
    const result = await timeline.update('k', [], () => ({
      changes: { put: [entry(1)] },
      result: Promise.resolve(5),
    }));
    assert.equal(result, 5);
    assert.equal(await timeline.count('k'), 1);
    db.close();
  });

  it('a write failing half-way is rolled back whole: BackendError, nothing written', async () => {
    const db = new Database(':memory:');
    const { tables } = createSqliteStorage({ database: db });
    // The backend itself: the contract wrapper of createSqliteStorage() would refuse the broken entry
    // before the backend saw it.
    const timeline = new SqliteTimelineStorage({ database: db, tables });
    await timeline.add('k', entryRange(0, 3), {});
    await timeline.update(
      'k',
      [],
      () => ({ changes: { mark: { unseen: [entryId(0)] } }, result: 0 }),
      {},
    );
    const before = dumpTables(db);
    // A score the contract forbids: the NOT NULL constraint fails after earlier rows were written.
    const broken = { id: 'broken', score: null as unknown as number };
    const writes: [string, () => Promise<unknown>][] = [
      ['add', () => timeline.add('k', [entry(5), broken], { maxLength: 2 })],
      ['addToMany', () => timeline.addToMany(['other', 'k'], [entry(6), broken], {})],
      [
        'update',
        () =>
          timeline.update(
            'k',
            [],
            () => ({ changes: { remove: [entryId(0)], put: [entry(7), broken] }, result: 0 }),
            {},
          ),
      ],
    ];
    for (const [operation, write] of writes) {
      await assert.rejects(
        write,
        (e: unknown) => e instanceof BackendError && e.details.operation === operation,
      );
      assert.deepEqual(dumpTables(db), before, operation);
    }
    db.close();
  });
});

describe('sqlite backend: options', () => {
  it('rejects a missing or wrong database and bad prefixes with INVALID_OPTION', () => {
    const db = new Database(':memory:');
    const bad: unknown[] = [
      undefined,
      null,
      {},
      { database: undefined },
      { database: null },
      { database: {} },
      { database: 'feeds.db' },
      { database: { prepare() {} } },
      ...['', '1sf', 'a-b', 'a b', 'a"b', 'x'.repeat(33), 'sqlite', 'SQLite_x', 42].map(
        (prefix) => ({ database: db, prefix }),
      ),
    ];
    for (const options of bad) {
      assert.throws(
        () => createSqliteStorage(options as never),
        (e: unknown) => e instanceof ValidationError && e.code === 'INVALID_OPTION',
        JSON.stringify(options === undefined ? 'undefined' : options),
      );
    }
    assert.equal(dumpTables(db).tables.length, 0, 'nothing created');
    db.close();
  });

  it('prefixes name the tables; storages with different prefixes share nothing', async () => {
    const db = new Database(':memory:');
    const a = createSqliteStorage({ database: db, prefix: 'app_1' });
    const b = createSqliteStorage({ database: db, prefix: 'sqlitex' });
    assert.equal(a.prefix, 'app_1');
    assert.deepEqual(a.tables, {
      timeline: 'app_1_timeline',
      marker: 'app_1_marker',
      activity: 'app_1_activity',
    });
    await a.timeline.add('k', [entry(1)]);
    await a.activities.putMany([{ id: 'x', payload: 'p' }]);
    assert.equal(await b.timeline.count('k'), 0);
    assert.deepEqual(await b.activities.getMany(['x']), [undefined]);
    // The same prefix again on the same database: the tables exist and the data is shared.
    const again = createSqliteStorage({ database: db, prefix: 'app_1' });
    assert.equal(await again.timeline.count('k'), 1);
    assert.equal(createSqliteStorage({ database: db }).prefix, 'sf');
    db.close();
  });
});

describe('sqlite backend: typed errors', () => {
  it('a closed database gives BackendErrors naming the operation and key', async () => {
    const db = new Database(':memory:');
    const { timeline, activities } = createSqliteStorage({ database: db });
    db.close();
    const calls: [string, () => Promise<unknown>][] = [
      ['add', () => timeline.add('k', [entry(1)])],
      ['range', () => timeline.range('k', { limit: 1, order: 'desc' })],
      ['update', () => timeline.update('k', [], () => ({ changes: {}, result: 0 }))],
      ['addToMany', () => timeline.addToMany(['a', 'b'], [entry(1)])],
      ['getMany', () => activities.getMany(['x'])],
      ['putMany', () => activities.putMany([{ id: 'x', payload: 'p' }])],
    ];
    for (const [operation, call] of calls) {
      await assert.rejects(call, (e: unknown) => {
        assert.ok(e instanceof BackendError, operation);
        assert.equal(e.code, 'BACKEND');
        assert.equal(e.details.backend, 'sqlite');
        assert.equal(e.details.operation, operation);
        assert.ok(e.cause instanceof Error);
        return true;
      });
    }
    assert.throws(() => createSqliteStorage({ database: db }), BackendError);
  });

  it('a database locked by another connection: SQLITE_BUSY as a BackendError, nothing written, then a retry succeeds', async () => {
    const path = file();
    const holder = openDatabase(path);
    const db = new Database(path, { timeout: 20 });
    const { timeline } = createSqliteStorage({ database: db });
    await timeline.add('k', [entry(1)]);
    holder.exec('BEGIN IMMEDIATE');
    for (const write of [
      () => timeline.add('k', [entry(2)]),
      () => timeline.update('k', [], () => ({ changes: { put: [entry(3)] }, result: 0 })),
    ]) {
      await assert.rejects(
        write,
        (e: unknown) => e instanceof BackendError && e.details.sqliteCode === 'SQLITE_BUSY',
      );
    }
    assert.equal(await timeline.count('k'), 1, 'reads still work under WAL');
    holder.exec('COMMIT');
    assert.equal(await timeline.add('k', [entry(2)]), 1);
    holder.close();
    db.close();
  });

  it('a read-only connection reads the tables; its writes are BackendErrors (SQLITE_READONLY)', async () => {
    const path = file();
    const writer = openDatabase(path);
    await createSqliteStorage({ database: writer }).timeline.add('k', [entry(1)]);
    const reader = new Database(path, { readonly: true });
    const { timeline } = createSqliteStorage({ database: reader });
    assert.deepEqual(await timeline.range('k', { limit: 5, order: 'desc' }), [entry(1)]);
    await assert.rejects(
      timeline.add('k', [entry(2)]),
      (e: unknown) => e instanceof BackendError && e.details.sqliteCode === 'SQLITE_READONLY',
    );
    reader.close();
    writer.close();
  });

  it('damaged rows read back as BackendErrors; other feeds are unaffected', async () => {
    const db = new Database(':memory:');
    const { timeline, activities } = createSqliteStorage({ database: db });
    await timeline.add('good', [entry(1)]);
    const plant = db.prepare(
      'INSERT INTO sf_timeline (feed, id, score, payload) VALUES (?, ?, ?, ?)',
    );
    plant.run('bad-score', 'a', 'not a number', null);
    plant.run('bad-payload', 'a', 1, Buffer.from('blob'));
    plant.run('bad-id', Buffer.from('id'), 1, 'p');
    db.prepare('INSERT INTO sf_activity (id, payload) VALUES (?, ?)').run('x', Buffer.from('b'));
    for (const key of ['bad-score', 'bad-payload', 'bad-id']) {
      await assert.rejects(
        timeline.range(key, { limit: 10, order: 'desc' }),
        (e: unknown) => e instanceof BackendError && e.details.key === key,
        key,
      );
    }
    await assert.rejects(timeline.get('bad-payload', ['a']), BackendError);
    await assert.rejects(timeline.indexOf('bad-score', 'a', 'desc'), BackendError);
    await assert.rejects(
      timeline.update('bad-score', ['a'], () => ({ changes: {}, result: 0 })),
      BackendError,
    );
    await assert.rejects(activities.getMany(['x']), BackendError);
    assert.deepEqual(await timeline.range('good', { limit: 10, order: 'desc' }), [entry(1)]);
    db.close();
  });
});

describe('sqlite backend: statements and numbers', () => {
  it('statements are prepared once per storage; each range shape once', async () => {
    const db = new Database(':memory:');
    let prepared = 0;
    const counting = new Proxy(db, {
      get(target, property) {
        if (property === 'prepare') {
          return (sql: string) => {
            prepared += 1;
            return target.prepare(sql);
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { timeline, activities } = createSqliteStorage({ database: counting });
    const atStart = prepared;
    for (let round = 0; round < 20; round++) {
      await timeline.add('k', entryRange(round, round + 3), { maxLength: 10 });
      await timeline.addToMany(['a', 'b'], [entry(round)], { maxLength: 5 });
      await timeline.update('k', [entryId(round)], () => ({
        changes: { mark: { unseen: [entryId(round)] } },
        result: 0,
      }));
      await timeline.range('k', { limit: 5, order: 'desc' });
      await timeline.range('k', { limit: 5, order: 'desc', min: { ...entry(3), inclusive: true } });
      await timeline.indexOf('k', entryId(round), 'asc');
      await timeline.removeFromMany(['a', 'b'], [entryId(round)]);
      await activities.putMany([{ id: `${round}`, payload: 'p' }]);
      await activities.getMany([`${round}`]);
    }
    assert.equal(prepared, atStart + 2, 'only the two range shapes were prepared after creation');
    db.close();
  });

  it('scores and counts are numbers even with defaultSafeIntegers(true)', async () => {
    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    const { timeline } = createSqliteStorage({ database: db });
    const top = { id: 'max', score: Number.MAX_SAFE_INTEGER, payload: 'p' };
    await timeline.add('k', [top, entry(1)]);
    assert.deepEqual(await timeline.range('k', { limit: 1, order: 'desc' }), [top]);
    assert.equal(await timeline.count('k'), 2);
    assert.equal(await timeline.indexOf('k', entryId(1), 'desc'), 1);
    db.close();
  });
});
