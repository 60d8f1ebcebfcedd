/**
 * Checks of the Cassandra backend's options, shared by `createCassandraStorage` and the per-table
 * storage classes: the executor (client, consistency levels, page size), a qualified table name
 * (quoted into every statement), the namespace and the integer knobs.
 * @module
 */
import { ValidationError } from '../../errors.js';
import { objectOption } from '../../validation/objects.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { show } from '../../validation/show.js';
import { intOption, intOptionOr } from '../../validation/values.js';
import type { Consistency, Executor } from './driver.js';

/** A positive integer option, `fallback` when undefined (`INVALID_OPTION`). */
export function positiveInteger(value: unknown, fallback: number, option: string): number {
  return intOptionOr(value, fallback, `cassandra ${option}`, 1);
}

/** A `types.consistencies` value: an integer from 0 (any) to 10 (localOne). */
export function consistencyOption(
  value: unknown,
  fallback: Consistency,
  option: string,
): Consistency {
  return intOptionOr(value, fallback, `cassandra ${option}`, 0, 10);
}

/** Checks a namespace: a string of at most 256 characters (`''` when undefined). */
export function namespaceOption(value: unknown): string {
  const namespace = value === undefined ? '' : value;
  if (typeof namespace !== 'string' || namespace.length > 256) {
    throw new ValidationError(
      'INVALID_OPTION',
      `cassandra namespace must be a string of at most 256 characters, got ${show(value)}`,
      { details: { option: 'namespace' } },
    );
  }
  return namespace;
}

const EXECUTOR_KEYS = optionKeys<Executor>({
  client: true,
  consistency: true,
  readConsistency: true,
  serialConsistency: true,
  fetchSize: true,
});

/** Checks an {@link Executor}: exactly its keys, a client, consistency levels and a page size. */
export function checkExecutor(value: unknown, where: string): Executor {
  const exec = checkOptions<Executor>(value, EXECUTOR_KEYS, `${where} exec`);
  objectOption(exec.client, 'client', ['execute', 'batch'], 'a cassandra-driver Client');
  for (const key of ['consistency', 'readConsistency', 'serialConsistency'] as const) {
    intOption(exec[key], `cassandra exec.${key}`, 0, 10);
  }
  intOption(exec.fetchSize, 'cassandra exec.fetchSize', 1);
  return exec as Executor;
}

const QUALIFIED = /^"[A-Za-z][A-Za-z0-9_]{0,47}"\."[A-Za-z][A-Za-z0-9_]{0,47}"$/;

/** Checks a qualified, quoted table name: `"keyspace"."table"`, both plain identifiers. */
export function checkQualifiedTable(value: unknown, where: string): string {
  if (typeof value !== 'string' || !QUALIFIED.test(value)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${where}: table must be "keyspace"."table" (each matching /^[A-Za-z][A-Za-z0-9_]{0,47}$/), got ${show(value)}`,
      { details: { option: 'table' } },
    );
  }
  return value;
}
