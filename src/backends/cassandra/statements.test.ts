import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamFrameworkError } from '../../errors.js';
import { KeyQueue } from './key-queue.js';
import { replicationLiteral, schemaStatements, tableNames } from './schema.js';
import {
  boundsOverlap,
  checkIdentifier,
  countBeyondStatement,
  qualified,
  rangeStatement,
  timelineStatements,
} from './statements.js';

const T = '"ks"."sf_timeline"';
const invalid = (err: unknown) =>
  err instanceof StreamFrameworkError && err.code === 'INVALID_OPTION';

describe('cassandra statements: identifiers', () => {
  it('quotes checked keyspace and table names', () => {
    assert.equal(qualified('Feeds', 'sf_timeline'), '"Feeds"."sf_timeline"');
    for (const bad of ['', '1abc', 'a-b', 'a"b', 'a.b', 'x'.repeat(49), 'ks; DROP']) {
      assert.throws(() => checkIdentifier(bad, 'keyspace'), invalid, bad);
    }
    assert.equal(checkIdentifier('a'.repeat(48), 'keyspace'), 'a'.repeat(48));
  });

  it('fills in default table names and checks custom ones', () => {
    assert.deepEqual(tableNames(), {
      timelines: 'sf_timeline',
      activities: 'sf_activity',
      idTimelines: 'sf_id_timeline',
    });
    assert.deepEqual(tableNames({ timelines: 'tl' }), {
      timelines: 'tl',
      activities: 'sf_activity',
      idTimelines: 'sf_id_timeline',
    });
    assert.throws(() => tableNames({ activities: 'bad name' }), invalid);
    assert.throws(() => tableNames({ idTimelines: 'x"; DROP' }), invalid);
  });
});

describe('cassandra statements: schema', () => {
  it('renders the replication map and refuses anything that could escape the literal', () => {
    assert.equal(
      replicationLiteral({ class: 'NetworkTopologyStrategy', dc1: 3, 'dc-2': '2' }),
      "{'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc-2': '2'}",
    );
    assert.throws(() => replicationLiteral({ replication_factor: 1 }), invalid);
    assert.throws(() => replicationLiteral({ class: "x', 'y': 'z" }), invalid);
  });

  it('creates the keyspace, then both tables, each only if missing', () => {
    const [keyspace, timelines, activities] = schemaStatements({
      keyspace: 'feeds',
      replication: { class: 'SimpleStrategy', replication_factor: 1 },
      tables: { timelines: 'tl', activities: 'acts' },
      durableWrites: false,
    });
    assert.equal(
      keyspace,
      `CREATE KEYSPACE IF NOT EXISTS "feeds" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = false`,
    );
    assert.match(timelines ?? '', /^CREATE TABLE IF NOT EXISTS "feeds"\."tl" \(/);
    assert.match(timelines ?? '', /PRIMARY KEY \(\(ns, feed\), kind, tag, score, id\)/);
    assert.match(timelines ?? '', /CLUSTERING ORDER BY \(kind ASC, tag ASC, score DESC, id DESC\)/);
    assert.match(timelines ?? '', /version bigint static, entry_count int static/);
    assert.match(activities ?? '', /^CREATE TABLE IF NOT EXISTS "feeds"\."acts" \(/);
    assert.match(activities ?? '', /PRIMARY KEY \(\(ns, id\)\)/);
  });
});

describe('cassandra statements: timeline', () => {
  const cql = timelineStatements(T);

  it('addresses every row kind within one partition', () => {
    for (const [name, text] of Object.entries(cql)) {
      if (typeof text !== 'string') continue;
      assert.match(text, /ns = \?|\(ns, feed,|WHERE ns = \? AND feed = \?/, name);
      assert.ok(text.includes(T), name);
    }
    assert.equal(cql.deleteKind(2), `DELETE FROM ${T} WHERE ns = ? AND feed = ? AND kind = 2`);
  });

  it('conditions every write batch on the version', () => {
    assert.match(cql.bump, /IF version = \?$/);
    assert.match(cql.reset, /IF version = \?$/);
  });

  it('uses no IN in statements that go into conditional batches', () => {
    for (const name of ['putEntry', 'putBareEntry', 'deleteEntry', 'deleteEntriesTo', 'putRef']) {
      assert.doesNotMatch(cql[name as 'putEntry'], / IN /, name);
    }
    assert.doesNotMatch(cql.deleteRef, / IN /);
    assert.doesNotMatch(cql.deleteMark, / IN /);
    assert.doesNotMatch(cql.putMark, / IN /);
  });

  it('reads the lowest entries in ascending order', () => {
    assert.match(cql.lowest, /ORDER BY score ASC, id ASC LIMIT \?$/);
  });
});

describe('cassandra statements: ranges', () => {
  it('reads without bounds in either order', () => {
    const desc = rangeStatement(T, { order: 'desc' });
    assert.equal(
      desc.cql,
      `SELECT score, id, payload FROM ${T} WHERE ns = ? AND feed = ? AND kind = 0 AND tag = '' ORDER BY score DESC, id DESC LIMIT ?`,
    );
    assert.deepEqual(desc.params, []);
    assert.match(rangeStatement(T, { order: 'asc' }).cql, /ORDER BY score ASC, id ASC LIMIT \?$/);
  });

  it('turns bounds into multi-column slices, inclusive or not', () => {
    const both = rangeStatement(T, {
      order: 'asc',
      min: { score: 5, id: 'a', inclusive: true },
      max: { score: 9, id: 'z', inclusive: false },
    });
    assert.match(both.cql, /AND \(score, id\) >= \(\?, \?\) AND \(score, id\) < \(\?, \?\) ORDER/);
    assert.deepEqual(both.params, ['5', 'a', '9', 'z']);
    const min = rangeStatement(T, { order: 'desc', min: { score: -3, id: 'q', inclusive: false } });
    assert.match(min.cql, /AND \(score, id\) > \(\?, \?\) ORDER BY score DESC/);
    assert.deepEqual(min.params, ['-3', 'q']);
    const max = rangeStatement(T, { order: 'desc', max: { score: 1, id: 'q', inclusive: true } });
    assert.match(max.cql, /AND \(score, id\) <= \(\?, \?\) ORDER/);
  });

  it('counts the entries above or below a position for indexOf', () => {
    assert.match(countBeyondStatement(T, 'desc'), /\(score, id\) > \(\?, \?\)$/);
    assert.match(countBeyondStatement(T, 'asc'), /\(score, id\) < \(\?, \?\)$/);
  });

  it('knows when bounds leave nothing to read', () => {
    const b = (score: number, id: string, inclusive = true) => ({ score, id, inclusive });
    assert.equal(boundsOverlap(undefined, b(1, 'a')), true);
    assert.equal(boundsOverlap(b(1, 'a'), b(2, 'a')), true);
    assert.equal(boundsOverlap(b(2, 'a'), b(1, 'z')), false);
    assert.equal(boundsOverlap(b(1, 'b'), b(1, 'a')), false);
    assert.equal(boundsOverlap(b(1, 'a'), b(1, 'a')), true);
    assert.equal(boundsOverlap(b(1, 'a', false), b(1, 'a')), false);
  });
});

describe('cassandra key queue', () => {
  it('runs tasks of one key one at a time in call order, other keys concurrently', async () => {
    const queue = new KeyQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string, ms: number) => async () => {
      running += 1;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all([
      queue.run('a', task('a1', 20)),
      queue.run('a', task('a2', 1)),
      queue.run('b', task('b1', 5)),
    ]);
    assert.deepEqual(results, ['a1', 'a2', 'b1']);
    assert.ok(log.indexOf('end a1') < log.indexOf('start a2'));
    assert.ok(log.indexOf('start b1') < log.indexOf('end a1'));
    assert.equal(most, 2);
    assert.equal(queue.size, 0);
  });

  it('keeps going after a failed task and passes its error on', async () => {
    const queue = new KeyQueue();
    const boom = new Error('boom');
    const failed = queue.run('a', async () => {
      throw boom;
    });
    const next = queue.run('a', async () => 'next');
    await assert.rejects(failed, boom);
    assert.equal(await next, 'next');
  });
});
