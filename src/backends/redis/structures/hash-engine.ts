// The engine behind createHashCache (one key) and createShardedHashCache (one key per shard).
// Every Redis command touches exactly one key, so nothing here can be a cross-slot command on a
// cluster; the commands of a multi-key operation are sent concurrently, one per key.
import { ValidationError } from '../../../errors.js';
import { settleAll } from '../../../util/settle-all.js';
import { toInteger } from './shared.js';
import type { RedisClient, ValueCodec } from './types.js';

/**
 * Loads fields missing from the cache, from the caller's database. It gets each missing field
 * once and returns either a Map (fields it has no value for are left out) or an array with one
 * slot per requested field, in order (`undefined` for no value).
 */
export type HashFallback<V> = (
  fields: string[],
) => Promise<ReadonlyMap<string, V> | readonly (V | undefined)[]>;

/** Field/value pairs to write: a Map, an iterable of `[field, value]` pairs or a plain object. */
export type HashEntries<V> = Iterable<readonly [string, V]> | Readonly<Record<string, V>>;

/** A Redis hash used as a string-keyed cache; see {@link createHashCache}. */
export interface HashCache<V = string> {
  /** The key given at creation (for a sharded cache, the base of the shard keys). */
  readonly key: string;
  /** The value of `field`, loaded through the fallback when missing; `undefined` if none. */
  get(field: string): Promise<V | undefined>;
  /**
   * The values of `fields`, positionally. Missing fields (absent from Redis; an empty string is
   * a value) are loaded through the fallback in one call and written back without overwriting
   * a value written meanwhile (HSETNX).
   */
  getMany(fields: readonly string[]): Promise<(V | undefined)[]>;
  /** Sets one field; resolves to `true` when the field is new. */
  set(field: string, value: V): Promise<boolean>;
  /** Sets many fields in one HSET per key; resolves to the number of new fields. */
  setMany(entries: HashEntries<V>): Promise<number>;
  /** Deletes one field; resolves to `true` when it existed. */
  delete(field: string): Promise<boolean>;
  /** Deletes many fields in one HDEL per key; resolves to the number that existed. */
  deleteMany(fields: readonly string[]): Promise<number>;
  /** Whether `field` is in Redis (the fallback is not consulted). */
  contains(field: string): Promise<boolean>;
  /** The number of fields in Redis. */
  count(): Promise<number>;
  /** The fields in Redis, in no particular order. */
  keys(): Promise<string[]>;
  /** Deletes the whole cache (every key it uses). */
  clear(): Promise<void>;
}

/** What the engine needs to know about the key layout. */
export interface HashLayout<V> {
  readonly client: RedisClient;
  readonly key: string;
  readonly keys: readonly string[];
  readonly keyOf: (field: string) => string;
  readonly codec: ValueCodec<V>;
  readonly fallback: HashFallback<V> | undefined;
  readonly where: string;
}

/** Positions of the requested fields, grouped by the key that holds them. */
function groupByKey(fields: readonly string[], keyOf: (field: string) => string) {
  const groups = new Map<string, { fields: string[]; positions: number[] }>();
  fields.forEach((field, position) => {
    const key = keyOf(field);
    let group = groups.get(key);
    if (!group) {
      group = { fields: [], positions: [] };
      groups.set(key, group);
    }
    group.fields.push(field);
    group.positions.push(position);
  });
  return groups;
}

function toPairs<V>(entries: HashEntries<V>): (readonly [string, V])[] {
  if (Symbol.iterator in entries) return [...(entries as Iterable<readonly [string, V]>)];
  return Object.entries(entries as Readonly<Record<string, V>>);
}

const sum = (values: unknown[]): number => values.reduce<number>((n, v) => n + toInteger(v), 0);

/** The shared implementation of {@link HashCache}. */
export class HashEngine<V> implements HashCache<V> {
  readonly #layout: HashLayout<V>;

  constructor(layout: HashLayout<V>) {
    this.#layout = layout;
  }

  get key(): string {
    return this.#layout.key;
  }

  async get(field: string): Promise<V | undefined> {
    return (await this.getMany([field]))[0];
  }

  async getMany(fields: readonly string[]): Promise<(V | undefined)[]> {
    const { client, keyOf, codec, fallback } = this.#layout;
    const raw: (string | null)[] = new Array(fields.length).fill(null);
    const groups = [...groupByKey(fields, keyOf)];
    const replies = await Promise.all(groups.map(([key, g]) => client.hmget(key, ...g.fields)));
    groups.forEach(([, g], i) => {
      const reply = replies[i]!;
      g.positions.forEach((position, j) => {
        raw[position] = reply[j] ?? null;
      });
    });
    const values = raw.map((r) => (r === null ? undefined : codec.decode(r)));
    const missing = [...new Set(fields.filter((_, i) => raw[i] === null))];
    if (!fallback || missing.length === 0) return values;

    const loaded = this.#loaded(missing, await fallback([...missing]));
    if (loaded.size === 0) return values;
    const encoded = new Map([...loaded].map(([field, value]) => [field, codec.encode(value)]));
    // HSETNX: a value written between our HMGET and now is newer than the database read; keep it.
    await settleAll([...encoded].map(([field, e]) => client.hsetnx(keyOf(field), field, e)));
    return values.map((value, i) => (raw[i] === null ? loaded.get(fields[i]!) : value));
  }

  /** The fallback's answer as a Map of the fields it has a value for. */
  #loaded(missing: string[], answer: ReadonlyMap<string, V> | readonly (V | undefined)[]) {
    const loaded = new Map<string, V>();
    if (Array.isArray(answer)) {
      if (answer.length !== missing.length) {
        throw new ValidationError(
          'INVALID_OPTION',
          `${this.#layout.where}: the fallback returned ${answer.length} values ` +
            `for ${missing.length} fields`,
        );
      }
      missing.forEach((field, i) => {
        if (answer[i] !== undefined) loaded.set(field, answer[i] as V);
      });
    } else {
      for (const field of missing) {
        const value = (answer as ReadonlyMap<string, V>).get(field);
        if (value !== undefined) loaded.set(field, value);
      }
    }
    return loaded;
  }

  async set(field: string, value: V): Promise<boolean> {
    return (await this.setMany([[field, value]])) === 1;
  }

  async setMany(entries: HashEntries<V>): Promise<number> {
    const { client, keyOf, codec } = this.#layout;
    const pairs = toPairs(entries);
    const encoded = pairs.map(([field, value]) => [field, codec.encode(value)] as const);
    const byKey = new Map<string, string[]>();
    for (const [field, value] of encoded) {
      const key = keyOf(field);
      let args = byKey.get(key);
      if (!args) {
        args = [];
        byKey.set(key, args);
      }
      args.push(field, value);
    }
    return sum(await settleAll([...byKey].map(([key, args]) => client.hset(key, ...args))));
  }

  async delete(field: string): Promise<boolean> {
    return (await this.deleteMany([field])) === 1;
  }

  async deleteMany(fields: readonly string[]): Promise<number> {
    const { client, keyOf } = this.#layout;
    const groups = [...groupByKey([...new Set(fields)], keyOf)];
    return sum(await settleAll(groups.map(([key, g]) => client.hdel(key, ...g.fields))));
  }

  async contains(field: string): Promise<boolean> {
    const { client, keyOf } = this.#layout;
    return toInteger(await client.hexists(keyOf(field), field)) === 1;
  }

  async count(): Promise<number> {
    const { client, keys } = this.#layout;
    return sum(await Promise.all(keys.map((key) => client.hlen(key))));
  }

  async keys(): Promise<string[]> {
    const { client, keys } = this.#layout;
    return (await Promise.all(keys.map((key) => client.hkeys(key)))).flat();
  }

  async clear(): Promise<void> {
    const { client, keys } = this.#layout;
    await settleAll(keys.map((key) => client.del(key)));
  }
}
