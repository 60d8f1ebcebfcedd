/**
 * Where reactions live on a timeline storage, and the rules of their names:
 *
 * - `prefix:a:<activityId>:<kind>`: every reaction of one kind on one activity (entry id = the
 *   reaction id, score = its time in ms, payload = the reaction), plus one count entry
 *   ({@link COUNT_ID}, at the highest score) that every add and remove updates in the same
 *   atomic `update`, so a page read of the newest reactions carries the exact count;
 * - `prefix:u:<userId>:<activityId>:<kind>`: the same user's reactions of that kind on that
 *   activity, so a reader's own reactions on a page come from the same range read.
 *
 * Kinds and activity ids hold no `:`, and user ids are escaped (`escapeKeyPart`), so two
 * different reactions never share a key. Internal to reactions.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { escapeKeyPart } from '../feeds/keys.js';
import { isActivityId } from '../validation/names.js';
import { show } from '../validation/show.js';

/** Entry id of the count entry: outside the reaction id alphabet. */
export const COUNT_ID = '#';
/** Score of the count entry: above every reaction time. */
export const COUNT_SCORE = Number.MAX_SAFE_INTEGER;

const KIND = /^[a-z][a-z0-9_]{0,31}$/;
const REACTION_ID = /^[A-Za-z0-9_-]{1,48}$/;
const PREFIX = /^[A-Za-z0-9_-]{1,64}$/;
const FORBIDDEN_KINDS = new Set(['constructor', 'prototype']);

function invalid(field: string, message: string): ValidationError {
  return new ValidationError('INVALID_ID', `${field} ${message}`, { details: { field } });
}

/** Checks a kind name; throws `INVALID_ID`. */
export function checkKindName(kind: unknown): string {
  if (typeof kind !== 'string' || !KIND.test(kind) || FORBIDDEN_KINDS.has(kind)) {
    throw invalid(
      'kind',
      `must be 1-32 characters of a-z0-9_ starting with a letter, got ${show(kind)}`,
    );
  }
  return kind;
}

/** Checks a reaction id; throws `INVALID_ID`. */
export function checkReactionId(id: unknown, field = 'reaction id'): string {
  if (typeof id !== 'string' || !REACTION_ID.test(id)) {
    throw invalid(field, `must be 1-48 characters of A-Za-z0-9_-, got ${show(id)}`);
  }
  return id;
}

/** Checks the activity a reaction is on; throws `INVALID_ID`. */
export function checkTargetId(id: unknown): string {
  if (!isActivityId(id)) throw invalid('activityId', `must be an activity id, got ${show(id)}`);
  return id;
}

/** Checks a key prefix; throws `INVALID_OPTION`. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `createReactions: prefix must be 1-64 characters of A-Za-z0-9_-, got ${show(prefix)}`,
      { details: { option: 'prefix' } },
    );
  }
  return prefix;
}

/** The keys of one store of reactions. */
export interface ReactionKeys {
  /** The timeline of every reaction of `kind` on `activityId`. */
  all(activityId: string, kind: string): string;
  /** The timeline of `userId`'s reactions of `kind` on `activityId`. */
  own(userId: string, activityId: string, kind: string): string;
}

/** The key layout under `prefix`. */
export function reactionKeys(prefix: string): ReactionKeys {
  return {
    all: (activityId, kind) => `${prefix}:a:${activityId}:${kind}`,
    own: (userId, activityId, kind) => `${prefix}:u:${escapeKeyPart(userId)}:${activityId}:${kind}`,
  };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 21 characters: `tag` then 20 base-62 digits of `bytes` (at least 15 bytes). */
function tagged(tag: string, bytes: Uint8Array): string {
  let out = tag;
  for (let i = 0; i < 20; i++) out += BASE62[bytes[i]! % 62];
  return out;
}

/**
 * The id of the one reaction of a unique kind by `userId` on `activityId`: `u` then 20 base-62
 * digits of a SHA-256 digest of the three (activity ids and kinds hold no NUL, and the user id is
 * JSON-encoded last, so distinct triples never hash the same input).
 */
export function uniqueReactionId(activityId: string, kind: string, userId: string): string {
  const digest = createHash('sha256')
    .update(`${activityId}\u0000${kind}\u0000${JSON.stringify(userId)}`)
    .digest();
  return tagged('u', digest);
}

/** A fresh random reaction id: `r` then 20 base-62 digits (about 119 bits). */
export function randomReactionId(): string {
  return tagged('r', randomBytes(20));
}
