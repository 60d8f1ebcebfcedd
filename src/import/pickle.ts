/**
 * A reader of the pickles the Python Stream Framework stores as `extra_context`: plain data only
 * (dicts, lists, tuples, sets, strings, numbers, booleans, None), protocols 0 to 5, turned into
 * JSON. Nothing is ever executed or imported: an opcode that would build a Python object
 * (`GLOBAL`, `REDUCE`, `BUILD`...) is rejected, as are bytes, integers beyond 2^53, NaN and
 * infinities, non-string dict keys other than integers, and cycles. Internal to the importer.
 * @module
 */
import type { JsonObject, JsonValue } from '../activity/json.js';

/** Why a pickle could not be read (the importer wraps it with the key it came from). */
export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** Most nesting a pickle may build (as the library's JSON depth bound). */
const MAX_DEPTH = 64;

type Value = null | boolean | number | string | Value[] | PyDict | PyTuple | PyGlobal;
class PyDict {
  readonly entries = new Map<string, Value>();
}
class PyTuple {
  constructor(readonly items: Value[]) {}
}
/** A whitelisted callable: set and frozenset (read as lists), OrderedDict (read as a dict). */
class PyGlobal {
  constructor(readonly name: 'set' | 'dict') {}
}
const GLOBALS: Readonly<Record<string, 'set' | 'dict'>> = {
  'builtins.set': 'set',
  'builtins.frozenset': 'set',
  '__builtin__.set': 'set',
  '__builtin__.frozenset': 'set',
  'collections.OrderedDict': 'dict',
};
const MARK = Symbol('mark');
type StackItem = Value | typeof MARK;

/** Reads `bytes` as a pickle of a dict; throws {@link PickleError}. */
export function unpickleObject(bytes: Uint8Array): JsonObject {
  const value = unpickle(bytes);
  if (!(value instanceof PyDict)) throw new PickleError('the pickle does not hold a dict');
  return toJson(value, 0, new Set()) as JsonObject;
}

function unpickle(bytes: Uint8Array): Value {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, Value>();
  let pos = 0;
  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.length) throw new PickleError('truncated pickle');
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (): number => bytes[need(1)]!;
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const big = view.getBigUint64(need(8), true);
    if (big > BigInt(bytes.length)) throw new PickleError('truncated pickle');
    return Number(big);
  };
  const bytesOf = (n: number): Uint8Array => {
    const at = need(n);
    return bytes.subarray(at, at + n);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError('truncated pickle');
    const text = latin1(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const utf8 = (n: number): string => {
    const at = need(n);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + n));
    } catch {
      throw new PickleError('a string is not valid UTF-8');
    }
  };
  const pop = (): Value => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleError('stack underflow');
    return v;
  };
  const top = (): Value => {
    const v = stack.at(-1);
    if (v === undefined || v === MARK) throw new PickleError('stack underflow');
    return v;
  };
  const popMark = (): Value[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new PickleError('missing MARK');
    const items = stack.splice(at) as Value[];
    items.shift();
    return items;
  };
  const push = (v: Value): void => {
    if (stack.length > 100_000) throw new PickleError('pickle too large');
    stack.push(v);
  };
  const setItems = (dict: Value, items: Value[]): void => {
    if (!(dict instanceof PyDict)) throw new PickleError('SETITEM on a non-dict');
    if (items.length % 2 !== 0) throw new PickleError('odd SETITEMS');
    for (let i = 0; i < items.length; i += 2) dict.entries.set(dictKey(items[i]!), items[i + 1]!);
  };
  const append = (list: Value, items: Value[]): void => {
    if (!Array.isArray(list)) throw new PickleError('APPEND on a non-list');
    list.push(...items);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new PickleError('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw new PickleError('malformed pickle (stack at STOP)');
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        if (stack.pop() === undefined) throw new PickleError('stack underflow');
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x49: {
        // INT (protocol 0; "01"/"00" are True/False)
        const text = line();
        if (text === '01' || text === '00') push(text === '01');
        else push(intOf(text));
        break;
      }
      case 0x4c: // LONG (protocol 0)
        push(intOf(line().replace(/L$/, '')));
        break;
      case 0x4a: // BININT
        push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(view.getUint16(need(2), true));
        break;
      case 0x8a: // LONG1
        push(longOf(bytesOf(u8())));
        break;
      case 0x8b: // LONG4
        push(longOf(bytesOf(u32())));
        break;
      case 0x46: // FLOAT (protocol 0)
        push(floatOf(Number(line())));
        break;
      case 0x47: // BINFLOAT
        push(floatOf(view.getFloat64(need(8), false)));
        break;
      case 0x58: // BINUNICODE
        push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        push(utf8(u64()));
        break;
      case 0x56: // UNICODE (protocol 0, raw-unicode-escape)
        push(rawUnicodeEscape(line()));
        break;
      case 0x55: // SHORT_BINSTRING (Python 2 str)
        push(utf8(u8()));
        break;
      case 0x54: // BINSTRING (Python 2 str)
        push(utf8(u32()));
        break;
      case 0x53: // STRING (protocol 0, a quoted repr)
        push(pythonStringLiteral(line()));
        break;
      case 0x7d: // EMPTY_DICT
        push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const dict = new PyDict();
        setItems(dict, popMark());
        push(dict);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x8f: // EMPTY_SET (read as a list, in pickle order)
        push([]);
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x91: // FROZENSET
        push(popMark());
        break;
      case 0x70: // PUT
        memo.set(memoIndex(line()), top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
        push(memoGet(memo, memoIndex(line())));
        break;
      case 0x68: // BINGET
        push(memoGet(memo, u8()));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(memo, u32()));
        break;
      case 0x63: {
        // GLOBAL (protocols 0-3)
        const module = line();
        push(globalOf(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL (protocol 4+)
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') {
          throw new PickleError('STACK_GLOBAL needs two strings');
        }
        push(globalOf(module, name));
        break;
      }
      case 0x52: {
        // REDUCE, only of the whitelisted globals
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PyGlobal) || !(args instanceof PyTuple)) {
          throw new PickleError('REDUCE of something other than set, frozenset or OrderedDict');
        }
        push(reduce(callable, args.items));
        break;
      }
      default:
        throw new PickleError(
          `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} (${opcodeName(op)}): extra_context may hold only dicts, lists, tuples, sets, strings, numbers, booleans and None`,
        );
    }
  }
}

function opcodeName(op: number): string {
  const names: Record<number, string> = {
    99: 'GLOBAL: a Python object such as a datetime',
    147: 'STACK_GLOBAL: a Python object such as a datetime',
    82: 'REDUCE',
    98: 'BUILD',
    66: 'BINBYTES: bytes have no JSON form',
    67: 'SHORT_BINBYTES: bytes have no JSON form',
    142: 'BINBYTES8: bytes have no JSON form',
  };
  return names[op] ?? 'not plain data';
}

function globalOf(module: string, name: string): PyGlobal {
  const kind = GLOBALS[`${module}.${name}`];
  if (kind === undefined) {
    const what =
      `${module}.${name}` === '_codecs.encode' ? 'bytes' : `a Python object of ${module}.${name}`;
    throw new PickleError(
      `extra_context holds ${what}, which has no JSON form (only dicts, lists, tuples, sets, strings, numbers, booleans and None are read)`,
    );
  }
  return new PyGlobal(kind);
}

function reduce(callable: PyGlobal, args: Value[]): Value {
  if (args.length > 1)
    throw new PickleError('set or OrderedDict called with more than one argument');
  const [arg] = args;
  if (callable.name === 'dict') {
    if (arg !== undefined) throw new PickleError('OrderedDict called with an argument');
    return new PyDict();
  }
  if (arg === undefined) return [];
  if (Array.isArray(arg)) return [...arg];
  if (arg instanceof PyTuple) return [...arg.items];
  throw new PickleError('set called with something other than a list');
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function dictKey(key: Value | undefined): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' && Number.isInteger(key)) return String(key);
  throw new PickleError('a dict key is neither a string nor an integer');
}

function intOf(text: string): number {
  if (!/^[-+]?[0-9]+$/.test(text)) throw new PickleError(`bad integer ${JSON.stringify(text)}`);
  return safe(BigInt(text));
}

function safe(big: bigint): number {
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new PickleError(`integer ${big} is beyond JSON's safe range (2^53)`);
  }
  return Number(big);
}

/** A little-endian two's complement integer (LONG1, LONG4). */
function longOf(data: Uint8Array): number {
  const n = data.length;
  if (n === 0) return 0;
  if (n > 16) throw new PickleError("an integer is beyond JSON's safe range (2^53)");
  let big = 0n;
  for (let i = n - 1; i >= 0; i--) big = (big << 8n) | BigInt(data[i]!);
  if (data[n - 1]! & 0x80) big -= 1n << BigInt(8 * n);
  return safe(big);
}

function floatOf(n: number): number {
  if (!Number.isFinite(n)) throw new PickleError('NaN and infinities have no JSON form');
  return n;
}

function memoIndex(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new PickleError('bad memo index');
  return Number(text);
}

function memoGet(memo: Map<number, Value>, index: number): Value {
  const v = memo.get(index);
  if (v === undefined) throw new PickleError(`memo ${index} is not set`);
  return v;
}

function rawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, four, eight) =>
    String.fromCodePoint(Number.parseInt(four ?? eight, 16)),
  );
}

/** A protocol-0 `STRING` argument: a Python 2 str repr in single or double quotes. */
function pythonStringLiteral(text: string): string {
  const quote = text[0];
  if ((quote !== "'" && quote !== '"') || text.length < 2 || text.at(-1) !== quote) {
    throw new PickleError('bad STRING argument');
  }
  const body = text.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(c.charCodeAt(0) & 0xff);
      continue;
    }
    const next = body[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, '\\': 92, "'": 39, '"': 34 };
    if (next !== undefined && next in simple) bytes.push(simple[next]!);
    else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new PickleError('unsupported escape in a STRING argument');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    throw new PickleError('a string is not valid UTF-8');
  }
}

function toJson(value: Value, depth: number, path: Set<object>): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof PyGlobal) throw new PickleError('a Python callable has no JSON form');
  if (depth >= MAX_DEPTH) throw new PickleError(`nested deeper than ${MAX_DEPTH}`);
  if (path.has(value)) throw new PickleError('the data refers to itself (a cycle)');
  path.add(value);
  try {
    if (value instanceof PyDict) {
      return Object.fromEntries(
        [...value.entries].map(([k, v]) => [k, toJson(v, depth + 1, path)] as const),
      );
    }
    const items = value instanceof PyTuple ? value.items : value;
    return items.map((v) => toJson(v, depth + 1, path));
  } finally {
    path.delete(value);
  }
}
