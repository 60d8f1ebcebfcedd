import { ValidationError } from '../errors.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { boolOptionOr, invalidOption } from '../validation/values.js';
import { describe } from './ids.js';

/** A verb: what an actor did. `id` is kept for parity with the Python original's verb ids. */
export interface Verb {
  /** Positive integer id, unique in its registry. */
  readonly id: number;
  /** Name used in activities, e.g. `'pin'`. Unique in its registry. */
  readonly name: string;
  /** Past tense for display, e.g. `'pinned'`. */
  readonly pastTense: string;
}

/** A verb as given to {@link createVerbRegistry}; `pastTense` defaults to `name + 'ed'`. */
export interface VerbDefinition {
  readonly id: number;
  readonly name: string;
  readonly pastTense?: string;
}

/** An immutable set of verbs, passed explicitly to feeds and managers (no global state). */
export interface VerbRegistry {
  /** The verb with this name or id, or `undefined`. */
  get(nameOrId: string | number): Verb | undefined;
  /** The verb with this name or id; throws `UNKNOWN_VERB` when there is none. */
  require(nameOrId: string | number): Verb;
  /** True when the registry knows this name or id. */
  has(nameOrId: string | number): boolean;
  /** Every verb, by ascending id. */
  list(): readonly Verb[];
  /** A new registry with these verbs added (this one is unchanged). */
  with(...verbs: readonly VerbDefinition[]): VerbRegistry;
}

/** The Python original's built-in verbs, with their original ids. */
export const builtinVerbs: readonly Verb[] = Object.freeze([
  Object.freeze({ id: 1, name: 'follow', pastTense: 'followed' }),
  Object.freeze({ id: 2, name: 'comment', pastTense: 'commented' }),
  Object.freeze({ id: 3, name: 'love', pastTense: 'loved' }),
  Object.freeze({ id: 4, name: 'add', pastTense: 'added' }),
]);

const VERB_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** Options of {@link createVerbRegistry}. */
export interface VerbRegistryOptions {
  /** Include follow (1), comment (2), love (3) and add (4). @default true */
  readonly builtins?: boolean;
}

const REGISTRY_KEYS = optionKeys<VerbRegistryOptions>({ builtins: true });

/**
 * Creates a verb registry. Throws `INVALID_OPTION` for a malformed verb or for two different
 * verbs sharing an id or a name (re-declaring an identical verb is allowed).
 * @example
 * const verbs = createVerbRegistry([{ id: 5, name: 'pin', pastTense: 'pinned' }]);
 */
export function createVerbRegistry(
  verbs: readonly VerbDefinition[] = [],
  options: VerbRegistryOptions = {},
): VerbRegistry {
  const byName = new Map<string, Verb>();
  const byId = new Map<number, Verb>();
  const o = checkOptions<VerbRegistryOptions>(options, REGISTRY_KEYS, 'createVerbRegistry');
  if (!Array.isArray(verbs)) {
    throw invalidOption('verbs', `must be an array of verb definitions, got ${describe(verbs)}`);
  }
  const all = boolOptionOr(o.builtins, true, 'builtins') ? [...builtinVerbs, ...verbs] : verbs;
  for (const input of all) {
    const verb = checkVerb(input);
    const sameId = byId.get(verb.id);
    const sameName = byName.get(verb.name);
    for (const other of [sameId, sameName]) {
      if (
        other &&
        (other.id !== verb.id || other.name !== verb.name || other.pastTense !== verb.pastTense)
      ) {
        throw new ValidationError(
          'INVALID_OPTION',
          `verb ${verb.name} (${verb.id}) conflicts with the registered verb ${other.name} (${other.id})`,
          { details: { verb: verb.name } },
        );
      }
    }
    byId.set(verb.id, verb);
    byName.set(verb.name, verb);
  }
  const list = Object.freeze([...byId.values()].sort((a, b) => a.id - b.id));
  const get = (key: string | number): Verb | undefined =>
    typeof key === 'number' ? byId.get(key) : byName.get(key);
  return Object.freeze({
    get,
    has: (key: string | number) => get(key) !== undefined,
    require(key: string | number): Verb {
      const verb = get(key);
      if (!verb) {
        throw new ValidationError(
          'UNKNOWN_VERB',
          `unknown verb ${JSON.stringify(key)}; register it with createVerbRegistry()`,
          { details: { verb: key } },
        );
      }
      return verb;
    },
    list: () => list,
    with: (...more: readonly VerbDefinition[]) =>
      createVerbRegistry([...list, ...more], { builtins: false }),
  });
}

function checkVerb(input: VerbDefinition): Verb {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('INVALID_OPTION', `a verb must be an object, got ${describe(input)}`);
  }
  const { id, name } = input;
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ValidationError(
      'INVALID_OPTION',
      `verb id must be a positive integer, got ${describe(id)}`,
      { details: { verb: name } },
    );
  }
  if (typeof name !== 'string' || !VERB_NAME.test(name)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `verb name must match ${VERB_NAME}, got ${describe(name)}`,
    );
  }
  const pastTense = input.pastTense ?? `${name}ed`;
  if (typeof pastTense !== 'string' || pastTense.length === 0) {
    throw new ValidationError('INVALID_OPTION', `verb pastTense must be a non-empty string`, {
      details: { verb: name },
    });
  }
  return Object.freeze({ id, name, pastTense });
}

/** The registry holding only the built-in verbs. */
export const defaultVerbs: VerbRegistry = createVerbRegistry();
