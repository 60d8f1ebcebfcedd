import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { activityId, timeOfActivityId } from '../activity/ids.js';
import { ValidationError } from '../errors.js';
import type { RangeBound } from '../storage/contracts.js';
import { BASE_TIME_MS, hasCode } from '../testing/fixtures.js';
import {
  checkFilter,
  decodeCursor,
  encodeCursor,
  nextCursor,
  type ReadLimits,
  type ReadOptions,
  toRangeQuery,
} from './read-options.js';

const flat: ReadLimits = { defaultLimit: 25, maxPageSize: 100, idBounds: true };
const aggregated: ReadLimits = { defaultLimit: 10, maxPageSize: 50, idBounds: false };
/** Activity ids at increasing times: ids[0] < ids[1] < ... */
const ids = Array.from({ length: 6 }, (_, i) => activityId(BASE_TIME_MS + i * 1000, `a${i}`));
const bound = (i: number, inclusive: boolean): RangeBound => ({
  score: timeOfActivityId(ids[i]!),
  id: ids[i]!,
  inclusive,
});
const query = (options: ReadOptions | undefined, limits: ReadLimits = flat) =>
  toRangeQuery(options, limits);

describe('toRangeQuery: limit and order', () => {
  it('defaults: the default limit, newest first, no bounds', () => {
    for (const options of [undefined, {}]) {
      const q = query(options);
      assert.equal(q.limit, 25);
      assert.equal(q.order, 'desc');
      assert.equal(q.min, undefined);
      assert.equal(q.max, undefined);
    }
    assert.equal(query({}, aggregated).limit, 10);
  });

  it('passes valid values through', () => {
    const q = query({ limit: 100, order: 'asc' });
    assert.equal(q.limit, 100);
    assert.equal(q.order, 'asc');
    assert.equal(query({ limit: 1 }).limit, 1);
  });

  it('limit 0, negative or fractional → INVALID_OPTION; above maxPageSize → LIMIT_EXCEEDED', () => {
    for (const limit of [0, -1, 1.5, Number.NaN, '10', null]) {
      assert.throws(
        () => query({ limit } as unknown as ReadOptions),
        hasCode('INVALID_OPTION', ValidationError),
        String(limit),
      );
    }
    assert.throws(() => query({ limit: 101 }), hasCode('LIMIT_EXCEEDED', ValidationError));
    assert.throws(() => query({ limit: 51 }, aggregated), hasCode('LIMIT_EXCEEDED'));
  });

  it('an unknown order → INVALID_OPTION', () => {
    for (const options of [{ order: 'newest' }, { order: 'DESC' }, { order: null }]) {
      assert.throws(() => query(options as ReadOptions), hasCode('INVALID_OPTION'));
    }
  });

  it('unknown options → INVALID_OPTION naming the option', () => {
    assert.throws(
      () => query({ limt: 10 } as unknown as ReadOptions),
      (err: ValidationError) => err.code === 'INVALID_OPTION' && err.details.option === 'limt',
    );
    assert.throws(
      () => query({ reverse: undefined } as unknown as ReadOptions),
      hasCode('INVALID_OPTION'),
    );
    assert.throws(() => query('x' as unknown as ReadOptions), hasCode('INVALID_OPTION'));
  });

  it('the removed offset, before and after → INVALID_OPTION saying what to use instead', () => {
    const instead = {
      offset: /cursor/,
      before: /filter: \{ lt: id \}/,
      after: /filter: \{ gt: id \}/,
    };
    for (const [option, hint] of Object.entries(instead)) {
      const value = option === 'offset' ? 2 : ids[1];
      assert.throws(
        () => query({ [option]: value } as unknown as ReadOptions),
        (err: ValidationError) =>
          err.code === 'INVALID_OPTION' && err.details.option === option && hint.test(err.message),
      );
    }
  });
});

describe('toRangeQuery: filters', () => {
  it('maps gt/gte to min and lt/lte to max', () => {
    assert.deepEqual(query({ filter: { gt: ids[1] } }).min, bound(1, false));
    assert.deepEqual(query({ filter: { gte: ids[1] } }).min, bound(1, true));
    assert.deepEqual(query({ filter: { lt: ids[4] } }).max, bound(4, false));
    assert.deepEqual(query({ filter: { lte: ids[4] } }).max, bound(4, true));
    const q = query({ filter: { gte: ids[1], lt: ids[4] } });
    assert.deepEqual([q.min, q.max], [bound(1, true), bound(4, false)]);
  });

  it('combined bounds pick the tighter one', () => {
    assert.deepEqual(query({ filter: { gt: ids[3], gte: ids[1] } }).min, bound(3, false));
    assert.deepEqual(query({ filter: { gte: ids[4], gt: ids[2] } }).min, bound(4, true));
    assert.deepEqual(query({ filter: { lt: ids[2], lte: ids[4] } }).max, bound(2, false));
    assert.deepEqual(query({ filter: { lte: ids[1], lt: ids[5] } }).max, bound(1, true));
    // At the same position, exclusive is tighter than inclusive.
    assert.deepEqual(query({ filter: { gte: ids[2], gt: ids[2] } }).min, bound(2, false));
    assert.deepEqual(query({ filter: { gt: ids[2], gte: ids[2] } }).min, bound(2, false));
    assert.deepEqual(query({ filter: { lte: ids[2], lt: ids[2] } }).max, bound(2, false));
    // The handle's filter and the read's filter combine the same way.
    const limits = { ...flat, baseFilter: { lt: ids[2] } };
    assert.deepEqual(query({ filter: { lte: ids[2] } }, limits).max, bound(2, false));
    assert.deepEqual(query({ filter: { lt: ids[1] } }, limits).max, bound(1, false));
  });

  it("the feed's base filter combines with the read's own filter", () => {
    const limits = { ...flat, baseFilter: { gte: ids[1], lte: ids[4] } };
    const q = query({ filter: { gt: ids[2] } }, limits);
    assert.deepEqual([q.min, q.max], [bound(2, false), bound(4, true)]);
    const wide = query({ filter: { gt: ids[0], lt: ids[5] } }, limits);
    assert.deepEqual([wide.min, wide.max], [bound(1, true), bound(4, true)]);
    assert.deepEqual(query(undefined, limits).min, bound(1, true));
  });

  it('an unknown filter operator → UNKNOWN_FILTER', () => {
    for (const filter of [{ eq: ids[0] }, { activity_id__gt: ids[0] }, { GT: ids[0] }]) {
      assert.throws(
        () => query({ filter } as unknown as ReadOptions),
        hasCode('UNKNOWN_FILTER', ValidationError),
      );
    }
  });

  it('a filter value that is not an activity id → INVALID_ID', () => {
    for (const value of [5, 'abc', ids[0]!.toUpperCase(), `${ids[0]}x`, null]) {
      for (const options of [{ filter: { gt: value } }, { filter: { lte: value } }]) {
        assert.throws(() => query(options as unknown as ReadOptions), hasCode('INVALID_ID'));
      }
    }
    assert.equal(query({ filter: { gt: undefined } }).min, undefined);
  });

  it('a filter that is not an object → INVALID_OPTION', () => {
    for (const filter of [null, 'gt', [ids[0]], 5]) {
      assert.throws(() => query({ filter } as unknown as ReadOptions), hasCode('INVALID_OPTION'));
      assert.throws(() => checkFilter(filter), hasCode('INVALID_OPTION'));
    }
  });

  it('a filter is rejected when idBounds is false', () => {
    const options: ReadOptions[] = [
      { filter: { lt: ids[1] } },
      { filter: { gt: ids[1] } },
      { filter: {} },
    ];
    for (const o of options) {
      assert.throws(() => query(o, aggregated), hasCode('INVALID_OPTION', ValidationError));
    }
    assert.throws(
      () => query({}, { ...aggregated, baseFilter: { gt: ids[0] } }),
      hasCode('INVALID_OPTION'),
    );
    assert.equal(query({ limit: 5, order: 'asc' }, aggregated).limit, 5);
  });
});

describe('cursors', () => {
  it('encode/decode round-trips any safe score and id', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.string({ minLength: 1, maxLength: 64 }),
        (score, id) => {
          const back = decodeCursor(encodeCursor({ score, id }));
          return back.score === score && back.id === id;
        },
      ),
    );
    assert.deepEqual(decodeCursor(encodeCursor({ score: 0, id: 'a.b' })), { score: 0, id: 'a.b' });
  });

  it('malformed cursors → INVALID_OPTION', () => {
    const bad: unknown[] = [
      '',
      'abc',
      '.id',
      'zz.',
      '1',
      'Z1.id',
      '1 .id',
      '+1.id',
      `1.${'x'.repeat(65)}`,
      `${(Number.MAX_SAFE_INTEGER + 2).toString(36)}0.id`,
      5,
      null,
      undefined,
      { score: 1, id: 'x' },
    ];
    for (const cursor of bad) {
      assert.throws(() => decodeCursor(cursor), hasCode('INVALID_OPTION', ValidationError));
    }
    assert.throws(() => query({ cursor: 'garbage' }), hasCode('INVALID_OPTION'));
  });

  it('a cursor continues after its position: max in desc, min in asc, exclusive', () => {
    const cursor = encodeCursor({ score: 500, id: 'g1' });
    assert.deepEqual(query({ cursor }).max, { score: 500, id: 'g1', inclusive: false });
    assert.equal(query({ cursor }).min, undefined);
    assert.deepEqual(query({ cursor, order: 'asc' }).min, {
      score: 500,
      id: 'g1',
      inclusive: false,
    });
    assert.deepEqual(query({ cursor }, aggregated).max, { score: 500, id: 'g1', inclusive: false });
  });

  it('a cursor combines with filters, keeping the tighter bound', () => {
    const at3 = encodeCursor({ score: timeOfActivityId(ids[3]!), id: ids[3]! });
    assert.deepEqual(query({ cursor: at3, filter: { lt: ids[4] } }).max, bound(3, false));
    assert.deepEqual(query({ cursor: at3, filter: { lt: ids[2] } }).max, bound(2, false));
    assert.deepEqual(
      query({ cursor: at3, order: 'asc', filter: { gte: ids[4] } }).min,
      bound(4, true),
    );
  });

  it('nextCursor is set only for a full page, at its last entry', () => {
    const page = [
      { id: 'b', score: 2 },
      { id: 'a', score: 1 },
    ];
    assert.equal(nextCursor(page, 2), encodeCursor({ id: 'a', score: 1 }));
    assert.equal(nextCursor(page, 3), undefined);
    assert.equal(nextCursor([], 5), undefined);
  });
});
